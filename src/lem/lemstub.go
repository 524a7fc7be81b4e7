// Package lem stands in for github.com/akutz/lem v0.1.1 when ifacealloc lem
// checks a package written for it. ifacealloc reads the lem.<ID>.<key>
// comments and the compiler's output itself, from outside the package, so the
// Run entry points have nothing left to do; everything else behaves as the
// module documents, so the package's own set-up code runs unchanged.
package lem

import (
	"flag"
	"go/build"
	"strings"
	"testing"
)

// Context mirrors the module's test configuration. ifacealloc ignores it: the
// packages and flags to check are given on its own command line.
type Context struct {
	Benchmarks       map[string]func(*testing.B)
	BuildContext     *build.Context
	BuildOutput      string
	CompilerFlags    []string
	ImportedPackages []build.Package
	Packages         []string
}

// Copy returns a copy of the context whose maps and slices are its own.
func (src Context) Copy() Context {
	dst := src
	if src.Benchmarks != nil {
		dst.Benchmarks = make(map[string]func(*testing.B), len(src.Benchmarks))
		for id, f := range src.Benchmarks {
			dst.Benchmarks[id] = f
		}
	}
	if src.BuildContext != nil {
		bc := *src.BuildContext
		dst.BuildContext = &bc
	}
	if src.CompilerFlags != nil {
		dst.CompilerFlags = append([]string{}, src.CompilerFlags...)
	}
	if src.ImportedPackages != nil {
		dst.ImportedPackages = append([]build.Package{}, src.ImportedPackages...)
	}
	if src.Packages != nil {
		dst.Packages = append([]string{}, src.Packages...)
	}
	return dst
}

// NewBuildContext returns a copy of go/build's default context.
func NewBuildContext() build.Context {
	return build.Default
}

// setFlag sets a testing flag if it is defined and returns its previous value.
func setFlag(name, value string) string {
	f := flag.Lookup(name)
	if f == nil {
		return ""
	}
	previous := f.Value.String()
	f.Value.Set(value)
	return previous
}

// SetBenchtime sets -test.benchtime and returns its previous value ("" when
// the flag is not defined).
func SetBenchtime(s string) string { return setFlag("test.benchtime", s) }

// SetBenchmem sets -test.benchmem and returns its previous value ("" when the
// flag is not defined).
func SetBenchmem(s string) string { return setFlag("test.benchmem", s) }

// Tags returns the non-empty, comma-separated values of a -tags flag, if one
// is defined.
func Tags() []string {
	f := flag.Lookup("tags")
	if f == nil {
		return nil
	}
	var tags []string
	for _, t := range strings.Split(f.Value.String(), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// Run does nothing: ifacealloc lem checks the annotations.
func Run(t *testing.T) {}

// RunWithBenchmarks does nothing: ifacealloc lem checks the annotations and
// measures the benchmarks their IDs name.
func RunWithBenchmarks(t *testing.T, benchmarks map[string]func(*testing.B)) {}

// RunWithContext does nothing: ifacealloc lem checks the annotations.
func RunWithContext(t *testing.T, ctx Context) {}
