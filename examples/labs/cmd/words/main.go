// Command words prints the two words of interface values, for lab 2.
package main

import (
	"fmt"
	"os"
	"unsafe"

	"example.com/labs/ifacevalues"
)

// n is 0 at run time, so the values below are not constants.
var n = len(os.Args) - len(os.Args)

func show(label string, x any) {
	typ, data := ifacevalues.Words(x)
	fmt.Printf("%-34s type word %p  data word %p  size %d\n", label, typ, data, ifacevalues.Size(x))
}

func main() {
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

	x := int64(n + 4096)
	var i any = x
	x = 1
	fmt.Println("stored 4096, then changed the variable to", x, "- the interface still holds", i)

	fmt.Println("the descriptor's kind byte says", ifacevalues.Kind(x), "for an int64")

	var p any = &x
	_, pd := ifacevalues.Words(p)
	fmt.Println("a pointer is its own data word:", pd == unsafe.Pointer(&x))
}
