package assertions

import (
	"os"
	"testing"
)

var (
	n    = float64(len(os.Args) - len(os.Args))
	temp any
	out  float64
	ok   bool
)

func init() { temp = Celsius(n + 21.5) }

// An assertion to a concrete type succeeds only for that very type: the
// underlying float64 does not match, nor does another type built on it.
func TestAssertionComparesTypeWords(t *testing.T) {
	x := any(Celsius(n + 20))
	if _, isFloat := x.(float64); isFloat {
		t.Fatal("a Celsius asserted as float64")
	}
	if _, isF := x.(Fahrenheit); isF {
		t.Fatal("a Celsius asserted as Fahrenheit")
	}
	if c, isC := x.(Celsius); !isC || c != 20 {
		t.Fatalf("x.(Celsius) = %v, %v", c, isC)
	}
	if !SameType(x, Celsius(0)) || SameType(x, float64(20)) || SameType(x, Fahrenheit(20)) {
		t.Fatal("the type words should differ exactly where the assertions fail")
	}
}

// What an assertion returns is a copy: changing it leaves the interface's
// value as it was.
func TestAssertionCopiesOut(t *testing.T) {
	x := any(Celsius(n + 20))
	c := x.(Celsius)
	c++
	if x.(Celsius) != 20 || c != 21 {
		t.Fatalf("x holds %v after the copy became %v", x, c)
	}
}

// Equal interfaces have equal type words and equal values; the same number
// under two types is not equal.
func TestComparison(t *testing.T) {
	if any(Celsius(n+1)) != any(Celsius(1)) {
		t.Fatal("two Celsius(1) should be equal")
	}
	if any(Celsius(n+1)) == any(float64(1)) || any(Celsius(n+1)) == any(Fahrenheit(1)) {
		t.Fatal("values of different types are never equal")
	}
}

// lem.assertconcrete.name=asserting to a concrete type does not allocate
// lem.assertconcrete.alloc=0
func BenchmarkAssertConcrete(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, isC := temp.(Celsius)
		out += float64(c)
		ok = isC
	}
}

// lem.assertiface.name=asserting to an interface type does not allocate
// lem.assertiface.alloc=0
func BenchmarkAssertInterface(b *testing.B) {
	for i := 0; i < b.N; i++ {
		nm, isN := temp.(Namer)
		ok = isN && nm != nil
	}
}

// lem.typeswitch.name=a type switch does not allocate
// lem.typeswitch.alloc=0
func BenchmarkTypeSwitch(b *testing.B) {
	for i := 0; i < b.N; i++ {
		switch v := temp.(type) {
		case float64:
			out += v
		case Fahrenheit:
			out -= float64(v)
		case Celsius:
			out += float64(v)
		}
	}
}

// lem.compare.name=comparing two interfaces does not allocate
// lem.compare.alloc=0
func BenchmarkCompare(b *testing.B) {
	other := any(Celsius(n + 21.5))
	for i := 0; i < b.N; i++ {
		ok = temp == other
	}
}
