// Package assertions shows what a type assertion does with an interface
// value: it compares the type word with one type descriptor, and on a match
// copies the value out through the data word.
package assertions

import "example.com/labs/ifacevalues"

// Celsius and Fahrenheit are both float64 underneath, but they are distinct
// types with distinct descriptors, so no assertion confuses them.
type (
	Celsius    float64
	Fahrenheit float64
)

// Namer is satisfied by Celsius, for assertions to an interface type.
type Namer interface{ Name() string }

// Name makes Celsius a Namer.
func (Celsius) Name() string { return "celsius" }

// SameType reports whether a and b hold values of one dynamic type, by
// comparing their type words: the test an assertion to a concrete type makes.
func SameType(a, b any) bool {
	ta, _ := ifacevalues.Words(a)
	tb, _ := ifacevalues.Words(b)
	return ta == tb
}
