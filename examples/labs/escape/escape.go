// Package escape shows the three outcomes of escape analysis: a parameter
// leaks (to a global sink or to a result), a value escapes, or a variable
// moves to the heap.
package escape

// Global outlives every call.
var Global *int

// ToSink leaks its parameter to a global.
func ToSink(p *int) { // lem.tosink.m=leaking param: p
	Global = p
}

// ToResult leaks its parameter only to its result.
func ToResult(p *int) *int { // lem.toresult.m=leaking param: p to result ~r[0-9] level=0
	return p
}

// ReadOnly only reads through its parameter.
func ReadOnly(p *int) int { // lem.readonly.m=p does not escape
	return *p + 1
}

// Outlive returns the address of a local: the local moves to the heap.
func Outlive() *int {
	v := 7 // lem.outlive.m=moved to heap: v
	return &v
}

// Huge allocates a buffer too big for a goroutine stack frame.
func Huge(n int) int {
	buf := make([]int, 1<<16) // lem.huge.m=make\(\[\]int, (65536|1 << 16)\) escapes to heap
	buf[n] = n
	return buf[n]
}
