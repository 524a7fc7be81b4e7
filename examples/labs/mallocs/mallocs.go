// Package mallocs holds values whose stores in an interface escape to the
// heap, and measures which of them really allocate.
package mallocs

import "os"

// Sink makes everything stored in it escape.
var Sink any

// n is 0 at run time: values built from it are not constants.
var n = len(os.Args) - len(os.Args)

var (
	Zero64   int64
	Small64  = int64(n + 200)
	Wide64   = int64(n + 256)
	Byte     = byte(n + 250)
	Float3   = float32(n + 3)
	Int3     = int32(n + 3)
	Denormal = float32frombits(uint32(n + 0xff))
	Empty    string
	Text     = "gopher" + string(rune('a'+n))
	Pair     struct{ A, B int32 }
	Arr100   [100]byte
	Arr3     = [3]byte{1, 2, 3}
)

func float32frombits(b uint32) float32 {
	return *(*float32)(unsafePointer(&b))
}
