// Command frame shows, for lab 3, what sits in a stack frame when an
// interface does not escape: the variable, the interface's two words, and
// the copy its data word points at, all at addresses inside the frame.
// Each line is tab-separated; `ifacealloc lab figure 3` draws them.
package main

import (
	"fmt"
	"os"
	"unsafe"

	"example.com/labs/ifacevalues"
)

// n is 0 at run time, so v below is not a constant.
var n = len(os.Args) - len(os.Args)

// The addresses are kept as numbers while the frame is live and formatted
// after it is gone: frame calls nothing that could grow, and so move, the
// stack (on Go 1.21, formatting inside frame moved it on every run).
var addrs struct {
	top, v, i, typ, data, after uintptr
}

// frame stores v in an interface that never leaves it. Every address is
// taken as a number, which lets nothing escape.
//
//go:noinline
func frame() {
	v := int64(n + 4096)
	var i any = v
	addrs.top = uintptr(unsafe.Pointer(&v))
	addrs.typ, addrs.data = ifacevalues.Addrs(i)
	addrs.v = uintptr(unsafe.Pointer(&v))
	addrs.i = uintptr(unsafe.Pointer(&i))
	addrs.after = uintptr(unsafe.Pointer(&v))
}

func main() {
	frame()
	var v int64
	var i any
	fmt.Printf("slot\tv int64\t%#x\t%d\n", addrs.v, unsafe.Sizeof(v))
	fmt.Printf("slot\ti any\t%#x\t%d\n", addrs.i, unsafe.Sizeof(i))
	fmt.Printf("slot\tcopy of v\t%#x\t%d\n", addrs.data, unsafe.Sizeof(v))
	fmt.Printf("word\ti any\tint64\t%#x\t%#x\n", addrs.typ, addrs.data)
	fmt.Printf("moved\t%t\n", addrs.top != addrs.after)
}
