package mallocs

import "testing"

// lem.zero.name=a zero value escapes but does not allocate
// lem.zero.alloc=0
func BenchmarkZero(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Zero64 // lem.zero.m=Zero64 escapes to heap
	}
}

// lem.small.name=an int64 below 256 does not allocate
// lem.small.alloc=0
func BenchmarkSmall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Small64 // lem.small.m=Small64 escapes to heap
	}
}

// lem.wide.name=an int64 of 256 allocates
// lem.wide.alloc=1
// lem.wide.bytes=8
func BenchmarkWide(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Wide64 // lem.wide.m=Wide64 escapes to heap
	}
}

// lem.byte.name=a byte never allocates
// lem.byte.alloc=0
func BenchmarkByte(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Byte // lem.byte.m=Byte escapes to heap
	}
}

// lem.int3.name=int32(3) does not allocate
// lem.int3.alloc=0
func BenchmarkInt3(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Int3 // lem.int3.m=Int3 escapes to heap
	}
}

// lem.float3.name=float32(3) allocates: its bits are 0x40400000, not 3
// lem.float3.alloc=1
// lem.float3.bytes=4
func BenchmarkFloat3(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Float3 // lem.float3.m=Float3 escapes to heap
	}
}

// lem.denormal.name=a float32 whose bits are 0xff does not allocate
// lem.denormal.alloc=0
func BenchmarkDenormal(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Denormal // lem.denormal.m=Denormal escapes to heap
	}
}

// lem.empty.name=the empty string does not allocate
// lem.empty.alloc=0
func BenchmarkEmptyString(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Empty // lem.empty.m=Empty escapes to heap
	}
}

// lem.text.name=a non-empty string copies its 16-byte header
// lem.text.alloc=1
// lem.text.bytes=16
// lem.text.bytes@386=8
// lem.text.bytes@arm=8
func BenchmarkText(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Text // lem.text.m=Text escapes to heap
	}
}

// lem.const.name=a constant is read-only data
// lem.const.alloc=0
func BenchmarkConst(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = int64(1 << 40) // lem.const.m=int64\((1099511627776|1 << 40)\) escapes to heap
	}
}

// lem.pair.name=two int32s always allocate, even when zero
// lem.pair.alloc=1
// lem.pair.bytes=8
func BenchmarkPair(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Pair // lem.pair.m=Pair escapes to heap
	}
}

// lem.class.name=100 bytes take a 112-byte size class
// lem.class.alloc=1
// lem.class.bytes=112
func BenchmarkSizeClass(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Arr100 // lem.class.m=Arr100 escapes to heap
	}
}

// lem.tiny.name=three bytes share a 16-byte tiny block with four others
// lem.tiny.alloc=1
// lem.tiny.bytes=3
func BenchmarkTiny(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = Arr3 // lem.tiny.m=Arr3 escapes to heap
	}
}

// lem.zerolit.name=a zero composite literal allocates before Go 1.25 and uses zeroVal from it
// lem.zerolit.alloc=1
// lem.zerolit.bytes=16
// lem.zerolit.alloc@go1.25=0
// lem.zerolit.bytes@go1.25=0
func BenchmarkZeroLiteral(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = struct{ A, B int64 }{} // lem.zerolit.m=struct \{ A int64; B int64 \}\{\} escapes to heap
	}
}

// lem.constlit.name=a constant composite literal allocates before Go 1.25 and is read-only data from it
// lem.constlit.alloc=1
// lem.constlit.bytes=16
// lem.constlit.alloc@go1.25=0
// lem.constlit.bytes@go1.25=0
func BenchmarkConstLiteral(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sink = struct{ A, B int64 }{1, 2} // lem.constlit.m=struct \{ A int64; B int64 \}\{\.\.\.\} escapes to heap
	}
}
