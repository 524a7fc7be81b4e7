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

// Lines are printed after the frame is gone, so that printing cannot move the
// stack while its addresses are taken.
var lines []string

func slot(label string, addr, size uintptr) {
	lines = append(lines, fmt.Sprintf("slot\t%s\t%#x\t%d", label, addr, size))
}

// frame stores v in an interface that never leaves it. Every address is
// taken as a number, which lets nothing escape.
//
//go:noinline
func frame() {
	v := int64(n + 4096)
	var i any = v
	typ, data := ifacevalues.Addrs(i)
	top := uintptr(unsafe.Pointer(&v))
	slot("v int64", uintptr(unsafe.Pointer(&v)), unsafe.Sizeof(v))
	slot("i any", uintptr(unsafe.Pointer(&i)), unsafe.Sizeof(i))
	slot("copy of v", data, unsafe.Sizeof(v))
	lines = append(lines, fmt.Sprintf("word\ti any\tint64\t%#x\t%#x", typ, data))
	lines = append(lines, fmt.Sprintf("moved\t%t", top != uintptr(unsafe.Pointer(&v))))
}

func main() {
	frame()
	for _, l := range lines {
		fmt.Println(l)
	}
}
