package impact

import "testing"

// stores is enough 8-byte allocations (32 MiB) to pass the collector's
// minimum heap target (4 MiB) several times over.
const stores = 1 << 22

// An allocating store costs bytes and, through them, collections; a store
// that does not allocate costs neither.
func TestGCWork(t *testing.T) {
	wide := Measure(Wide, stores)
	narrow := Measure(Narrow, stores)
	t.Logf("allocating store (4096):  %d stores, %d mallocs, %d bytes, %d GC cycles",
		wide.Stores, wide.Mallocs, wide.Bytes, wide.GCCycles)
	t.Logf("non-allocating store (7): %d stores, %d mallocs, %d bytes, %d GC cycles",
		narrow.Stores, narrow.Mallocs, narrow.Bytes, narrow.GCCycles)
	if wide.Mallocs < stores || wide.Bytes < 8*stores {
		t.Fatalf("storing 4096 should allocate 8 bytes each time: %+v", wide)
	}
	if wide.GCCycles == 0 {
		t.Fatalf("32 MiB of garbage should have started a collection: %+v", wide)
	}
	if narrow.Mallocs > 16 || narrow.GCCycles != 0 {
		t.Fatalf("storing 7 should neither allocate nor collect: %+v", narrow)
	}
}

// lem.widestore.name=storing 4096 allocates 8 bytes every time
// lem.widestore.alloc=1
// lem.widestore.bytes=8
func BenchmarkAllocatingStore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Wide // lem.widestore.m=Wide escapes to heap
	}
}

// lem.narrowstore.name=storing 7 allocates nothing
// lem.narrowstore.alloc=0
func BenchmarkNonAllocatingStore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Narrow // lem.narrowstore.m=Narrow escapes to heap
	}
}
