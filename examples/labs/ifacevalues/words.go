// Package ifacevalues looks inside interface values: the two words an `any`
// holds, and what the runtime puts in the data word for different values.
package ifacevalues

import (
	"reflect"
	"unsafe"
)

// eface mirrors the runtime's layout of an empty interface: a pointer to the
// type descriptor, then the data word.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// Words returns the type word and the data word of x.
func Words(x any) (typ, data unsafe.Pointer) {
	e := (*eface)(unsafe.Pointer(&x))
	return e.typ, e.data
}

// Size reads the first field of the type descriptor, the type's size in bytes
// (internal/abi.Type.Size_, the same from Go 1.21 to today).
func Size(x any) uintptr {
	typ, _ := Words(x)
	return *(*uintptr)(typ)
}

// Kind reads the kind byte of the type descriptor: after the size, the
// pointer-bytes word, a 4-byte hash and three 1-byte fields
// (internal/abi.Type.Kind_; the low five bits are the reflect.Kind).
func Kind(x any) reflect.Kind {
	typ, _ := Words(x)
	off := 2*unsafe.Sizeof(uintptr(0)) + 4 + 3
	return reflect.Kind(*(*uint8)(unsafe.Add(typ, off)) & 0x1f)
}

// Addrs returns the two words of x as numbers. Unlike Words it lets nothing
// escape, so the data word of an interface that stays in its function can be
// seen pointing into that function's stack frame.
func Addrs(x any) (typ, data uintptr) {
	e := (*eface)(unsafe.Pointer(&x))
	return uintptr(e.typ), uintptr(e.data)
}
