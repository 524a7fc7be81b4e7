package underlying

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	"example.com/labs/ifacevalues"
)

var (
	sink any
	n    = len(os.Args) - len(os.Args)
	temp = Celsius(float64(n) + 36.6)
	pt   = Point{int32(n) + 300, int32(n) + 400}
	flag = Flag(n == 0)
)

// A named type has a descriptor of its own: the type words differ, %T prints
// the name, and only the kind is shared with the type underneath.
func TestNamedTypeHasItsOwnDescriptor(t *testing.T) {
	tc, _ := ifacevalues.Words(temp)
	tf, _ := ifacevalues.Words(float64(temp))
	if tc == tf {
		t.Fatal("Celsius and float64 share a type word")
	}
	if got := fmt.Sprintf("%T %T", temp, float64(temp)); got != "underlying.Celsius float64" {
		t.Fatalf("%%T says %q", got)
	}
	if ifacevalues.Kind(temp) != reflect.Float64 || ifacevalues.Kind(float64(temp)) != reflect.Float64 {
		t.Fatal("both descriptors should say kind float64")
	}
	if reflect.TypeOf(temp).Name() != "Celsius" || reflect.TypeOf(Pair{}).Name() != "" {
		t.Fatal("a defined type has a name; a type literal has none")
	}
	tp, _ := ifacevalues.Words(pt)
	tq, _ := ifacevalues.Words(Pair(pt))
	if tp == tq || ifacevalues.Size(pt) != 8 || ifacevalues.Size(Pair(pt)) != 8 {
		t.Fatal("Point and its unnamed struct: two descriptors, one size")
	}
}

// The data word leads to the value underneath: read as a float64, it is the
// Celsius value, with no conversion.
func TestUnderlyingValueThroughDataWord(t *testing.T) {
	sink = temp
	if got := Float64At(sink); got != float64(temp) {
		t.Fatalf("read %v through the data word, want %v", got, float64(temp))
	}
}

// lem.celsius.name=a Celsius is stored like a float64: 8 bytes on the heap
// lem.celsius.alloc=1
// lem.celsius.bytes=8
func BenchmarkCelsius(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = temp // lem.celsius.m=temp escapes to heap
	}
}

// lem.float.name=a float64 of the same value costs the same
// lem.float.alloc=1
// lem.float.bytes=8
func BenchmarkFloat64(b *testing.B) {
	f := float64(temp)
	for i := 0; i < b.N; i++ {
		sink = f // lem.float.m=f escapes to heap
	}
}

// lem.point.name=a named 8-byte struct is copied to the heap like its literal type
// lem.point.alloc=1
// lem.point.bytes=8
func BenchmarkPoint(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = pt // lem.point.m=pt escapes to heap
	}
}

// lem.flag.name=a named bool uses staticuint64s like a bool
// lem.flag.alloc=0
func BenchmarkFlag(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink = flag // lem.flag.m=flag escapes to heap
	}
}
