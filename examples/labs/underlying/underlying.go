// Package underlying shows that a named type is a type of its own at run
// time — its own descriptor, its own name — while its values are stored
// exactly like values of the type underneath.
package underlying

import "example.com/labs/ifacevalues"

// Celsius is a float64 underneath.
type Celsius float64

// Point is a struct type with a name; Pair is the same struct without one.
type (
	Point struct{ X, Y int32 }
	Pair  = struct{ X, Y int32 }
)

// Flag is a bool underneath: stored like a bool, through staticuint64s.
type Flag bool

// Float64At reads the 8 bytes the data word of x points at as a float64,
// without looking at x's type: the value underneath, whatever its name.
func Float64At(x any) float64 {
	_, data := ifacevalues.Words(x)
	return *(*float64)(data)
}
