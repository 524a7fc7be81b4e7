package escape

import "testing"

// lem.tosinkb.name=passing an address to a leaking parameter moves the variable
// lem.tosinkb.alloc=1
// lem.tosinkb.bytes=8
func BenchmarkToSink(b *testing.B) {
	for i := 0; i < b.N; i++ {
		x := i // lem.tosinkb.m=moved to heap: x
		ToSink(&x)
	}
}

// lem.toresultb.name=leaking to a result that stays local costs nothing
// lem.toresultb.alloc=0
func BenchmarkToResult(b *testing.B) {
	t := 0
	for i := 0; i < b.N; i++ {
		x := i
		t += *ToResult(&x) // lem.toresultb.m!=moved to heap
	}
	_ = t
}

// lem.outliveb.name=a pointer that outlives its frame is a heap allocation
// lem.outliveb.alloc=1
// lem.outliveb.bytes=8
func BenchmarkOutlive(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Global = Outlive()
	}
}

// lem.hugeb.name=half a mebibyte does not fit in a stack frame
// lem.hugeb.alloc=1
func BenchmarkHuge(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = Huge(i & 7)
	}
}
