// Command words prints the two words of interface values, for lab 2. With
// -figure it also prints one tab-separated line per value, which
// `ifacealloc lab figure 2` draws.
package main

import (
	"flag"
	"fmt"
	"os"
	"unsafe"

	"example.com/labs/ifacevalues"
)

// n is 0 at run time, so the values below are not constants.
var n = len(os.Args) - len(os.Args)

// sink makes what is stored in it escape.
var sink any

var figure = flag.Bool("figure", false, "also print the values as tab-separated lines for a figure")

// top is the address of a variable in main's frame. Every function main
// calls has its frame below it (stacks grow down), so a data word between a
// callee's local and top points into the stack, never into the heap.
var top uintptr

func show(label string, x any) {
	typ, data := ifacevalues.Words(x)
	fmt.Printf("%-34s type word %p  data word %p  size %d\n", label, typ, data, ifacevalues.Size(x))
}

// plot prints one value's two words for the figure, with whether the data
// word lies in this goroutine's stack: between plot's own frame and top.
//
//go:noinline
func plot(label string, typ, data uintptr, goType string) {
	var bottom int
	lo := uintptr(unsafe.Pointer(&bottom))
	if !*figure {
		return
	}
	where := "elsewhere"
	if lo < data && data < top {
		where = "stack"
	}
	fmt.Printf("figure\t%s\t%s\t%#x\t%#x\t%s\n", label, goType, typ, data, where)
}

// grow makes the stack big enough for the rest of the run, so that it is not
// moved (and the addresses printed do not go stale) while main runs.
//
//go:noinline
func grow() byte {
	var room [48 << 10]byte
	room[n] = 1
	return room[len(room)-1-n]
}

// frame keeps an interface in its own frame: its data word points there.
//
//go:noinline
func frame() {
	v := int64(n + 4096)
	var onStack any = v
	typ, data := ifacevalues.Addrs(onStack)
	plot("int64 4096, not escaping", typ, data, "int64")
}

func escaping(label string, x any) {
	sink = x
	typ, data := ifacevalues.Addrs(sink)
	plot(label, typ, data, fmt.Sprintf("%T", x))
}

func main() {
	flag.Parse()
	grow()
	var local int
	top = uintptr(unsafe.Pointer(&local))

	a, b := int64(n+1000), int64(n+2000)
	show("int64 1000", a)
	show("int64 2000 (same type word)", b)

	t1, t2 := n == 0, n == 0
	show("bool true", t1)
	show("another bool true (same data word)", t2)
	_, d1 := ifacevalues.Words(t1)
	_, d2 := ifacevalues.Words(t2)
	fmt.Println("two trues share a staticuint64s slot:", d1 == d2)

	e1, e2 := struct{}{}, [0]int{}
	_, z1 := ifacevalues.Words(e1)
	_, z2 := ifacevalues.Words(e2)
	fmt.Println("zero-sized values share runtime.zerobase:", z1 == z2)

	// Copy on store: the interface holds a copy, at an address of its own.
	x := int64(n + 4096)
	var i any = x
	_, copyAt := ifacevalues.Words(i)
	fmt.Printf("x lives at %p; the interface's copy at %p: a different place: %t\n", &x, copyAt, copyAt != unsafe.Pointer(&x))
	x = 1
	fmt.Println("stored 4096, then changed the variable to", x, "- the interface still holds", i)

	fmt.Println("the descriptor's kind byte says", ifacevalues.Kind(x), "for an int64")

	var p any = &x
	_, pd := ifacevalues.Words(p)
	fmt.Println("a pointer is its own data word:", pd == unsafe.Pointer(&x))

	// The figure: each kind of data word, stored where it escapes, and one
	// interface that stays in this frame.
	escaping("int64 4096", int64(n+4096))
	escaping("bool true", n == 0)
	escaping("uint8 200", uint8(n+200))
	escaping("struct{}{}", struct{}{})
	empty := ""
	if n > 0 {
		empty = "x"
	}
	escaping(`"" (at run time)`, empty)
	escaping("int64 constant 1000", int64(1000))
	escaping(`constant "hello"`, "hello")
	escaping("*int64 (&x)", &x)
	frame()
}
