// Package impact measures what an allocating store costs beyond its bytes:
// time per store, and the garbage collector's work it causes.
package impact

import "runtime"

// Sink is where the stores go; as a package variable it makes them escape.
var Sink any

// Wide is 4096 at run time: storing it calls runtime.convT64, which
// allocates. Narrow is 7: convT64 returns a pointer into staticuint64s.
var Wide, Narrow = int64(len(Host) + 4096 - len(Host)), int64(len(Host) + 7 - len(Host))

// Host keeps the values above from being constants.
var Host = runtime.GOARCH

// Cost is what n stores of one value did, from runtime.ReadMemStats.
type Cost struct {
	Stores   int
	Mallocs  uint64
	Bytes    uint64
	GCCycles uint32
	// PauseNs is the stop-the-world time of those GC cycles.
	PauseNs uint64
}

// Measure stores v in Sink n times and reports what the runtime counted.
// runtime.GC first, so every measurement starts from a collected heap.
func Measure(v int64, n int) Cost {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		Sink = v
	}
	runtime.ReadMemStats(&after)
	return Cost{
		Stores:   n,
		Mallocs:  after.Mallocs - before.Mallocs,
		Bytes:    after.TotalAlloc - before.TotalAlloc,
		GCCycles: after.NumGC - before.NumGC,
		PauseNs:  after.PauseTotalNs - before.PauseTotalNs,
	}
}
