// Package asmwalk is the function lab 5 reads in assembly.
package asmwalk

// A, B and C are where Store puts its values.
var A, B, C any

// Store converts three values to interfaces: an int64 (convT64), a bool
// (staticuint64s) and a string (convTstring).
func Store(wide int64, flag bool, name string) {
	A = wide
	B = flag
	C = name
}

// StoreInt is the smallest conversion there is: one int64 into A. Lab 5 walks
// its listing instruction by instruction, on amd64 and on arm64.
func StoreInt(v int64) {
	A = v
}
