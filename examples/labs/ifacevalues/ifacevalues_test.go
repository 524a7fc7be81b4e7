package ifacevalues

import (
	"os"
	"reflect"
	"testing"
	"unsafe"
)

var (
	sink  any
	n     = len(os.Args) - len(os.Args)
	big64 = int64(n + 4096)
)

func TestTwoWords(t *testing.T) {
	if unsafe.Sizeof(sink) != 2*unsafe.Sizeof(uintptr(0)) {
		t.Fatalf("an interface is %d bytes, not two words", unsafe.Sizeof(sink))
	}
	a, b := int64(n+1), int64(n+2)
	ta, _ := Words(a)
	tb, _ := Words(b)
	if ta != tb {
		t.Fatal("two int64 values should share one type descriptor")
	}
	if Size(a) != 8 || Size(struct{ a, b int32 }{}) != 8 || Size("") != reflect.TypeOf("").Size() {
		t.Fatal("the type descriptor's first word is the size")
	}
}

func TestKind(t *testing.T) {
	for _, x := range []any{n, "s", 1.5, []int{}, map[int]int{}, struct{}{}, &n, big64} {
		if Kind(x) != reflect.TypeOf(x).Kind() {
			t.Fatalf("%T: descriptor says %v, reflect says %v", x, Kind(x), reflect.TypeOf(x).Kind())
		}
	}
}

var g1, g2 any

func TestSharedConstant(t *testing.T) {
	g1 = int64(1000)
	g2 = int64(1000)
	_, d1 := Words(g1)
	_, d2 := Words(g2)
	if d1 != d2 {
		t.Fatal("two stores of one constant should share its read-only copy")
	}
}

var empty1, empty2 string

func TestZeroVal(t *testing.T) {
	g1, g2 = empty1, empty2
	_, d1 := Words(g1)
	_, d2 := Words(g2)
	if d1 != d2 {
		t.Fatal("empty strings stored in escaping interfaces should share runtime.zeroVal")
	}
}

func TestSpecialValues(t *testing.T) {
	_, d1 := Words(n == 0)
	_, d2 := Words(n == 0)
	if d1 != d2 {
		t.Fatal("equal bools should share a staticuint64s slot")
	}
	_, z1 := Words(struct{}{})
	_, z2 := Words([0]int64{})
	if z1 != z2 {
		t.Fatal("zero-sized values should share runtime.zerobase")
	}
}

func TestCopyOnStore(t *testing.T) {
	x := big64
	var i any = x
	x++
	if i.(int64) != big64 {
		t.Fatal("the interface should hold a copy")
	}
	_ = x
}

// lem.store.name=storing an int64 of 4096 copies it to the heap
// lem.store.alloc=1
// lem.store.bytes=8
func BenchmarkStore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = big64 // lem.store.m=big64 escapes to heap
	}
}

// lem.assert.name=a type assertion reads the data word, it does not allocate
// lem.assert.alloc=0
func BenchmarkAssert(b *testing.B) {
	var x any = &big64
	t := 0
	for i := 0; i < b.N; i++ {
		if p, ok := x.(*int64); ok && *p > 0 {
			t++
		}
	}
	_ = t
}

// lem.onstack.name=an interface that does not escape keeps its value on the stack
// lem.onstack.alloc=0
func BenchmarkOnStack(b *testing.B) {
	t := 0
	for i := 0; i < b.N; i++ {
		var x any = big64 // lem.onstack.m=big64 does not escape
		if x != nil {
			t++
		}
	}
	_ = t
}

// lem.bools.name=bools come from staticuint64s
// lem.bools.alloc=0
func BenchmarkBool(b *testing.B) {
	v := n == 0
	for i := 0; i < b.N; i++ {
		sink = v // lem.bools.m=v escapes to heap
	}
}

// lem.empty.name=zero-sized values use zerobase
// lem.empty.alloc=0
func BenchmarkZeroSized(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = struct{}{} // lem.empty.m=struct \{\}\{\} escapes to heap
	}
}

// onePointer holds one pointer after a zero-size field: one word, all pointer.
type onePointer struct {
	_ struct{}
	p *int64
}

var op = onePointer{p: &big64}

// lem.onepointer.name=one pointer after a zero-size field: copied to the heap before Go 1.26, its own data word since
// lem.onepointer.alloc=1
// lem.onepointer.bytes=8
// lem.onepointer.alloc@go1.26=0
// lem.onepointer.bytes@go1.26=0
func BenchmarkOnePointer(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = op
	}
}
