// Command directives reads the directives `ifacealloc check` verifies, the
// way go/ast attaches comments to code: `//ifacealloc:noalloc` and
// `//ifacealloc:noifacealloc` on a function or a function literal, and
// gcassert's `//gcassert:inline`, `//gcassert:bce` and `//gcassert:noescape`
// on whatever node its comment map gives them (a declaration, a statement on
// the line below, or the line the comment ends). It is run with the user's Go
// toolchain on the packages' files and their dependencies' export data (from
// `go list -export`), and prints one JSON object per directive, and one per
// call of a function whose declaration says `//gcassert:inline`.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

type pkgIn struct {
	// Path is the package's path as the compiler names its symbols ("main"
	// for a command).
	Path       string            `json:"path"`
	ImportPath string            `json:"import_path"`
	Files      []string          `json:"files"`
	Ignored    []string          `json:"ignored"`
	ImportMap  map[string]string `json:"import_map"`
}

type input struct {
	Packages []pkgIn           `json:"packages"`
	Export   map[string]string `json:"export"`
}

// call is one call expression: where its '(' is (the compiler's position for
// a call) and what it calls.
type call struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	// Callee is the linker symbol of a static call (a function or a concrete
	// method), "" for a call of a function value or an interface method.
	Callee string `json:"callee"`
	// Name is how the code names the callee.
	Name string `json:"name"`
}

type record struct {
	// Kind is "directive", or "callsite" for a call of a function marked
	// //gcassert:inline on its declaration.
	Kind string `json:"kind"`
	// Tool is "ifacealloc" or "gcassert"; Names the directives as written.
	Tool  string   `json:"tool,omitempty"`
	Names []string `json:"names,omitempty"`
	File  string   `json:"file"`
	// Line and Column are the node's start: the line gcassert matches the
	// compiler's messages against. EndLine is its last line.
	Line    int `json:"line"`
	Column  int `json:"column"`
	EndLine int `json:"end_line"`
	// CommentLine is the directive's own line.
	CommentLine int `json:"comment_line,omitempty"`
	// On is "func" (a declaration), "literal" (a node holding a function
	// literal) or "statement".
	On string `json:"on,omitempty"`
	// Source is the node as gofmt prints it, cut at its first line.
	Source string `json:"source"`
	// Function is the listing's local name of the declared function, or of
	// the function the node is in (`F`, `T.M`, `(*T).M`; "init" outside any).
	Function string `json:"function"`
	// Symbol is the declared function's linker symbol (on a declaration).
	Symbol string `json:"symbol,omitempty"`
	// LiteralLine/LiteralEndLine bound the function literal a directive is on.
	LiteralLine    int  `json:"literal_line,omitempty"`
	LiteralEndLine int  `json:"literal_end_line,omitempty"`
	Compiled       bool `json:"compiled"`
	// Calls are the calls that start on Line (a line's inline directive).
	Calls []call `json:"calls,omitempty"`
	// Callee (callsite only): the marked function's symbol, and where it is
	// declared.
	Callee   string `json:"callee,omitempty"`
	DeclFile string `json:"decl_file,omitempty"`
	DeclLine int    `json:"decl_line,omitempty"`
	// Error says what is wrong with the directive (an unknown name, a place
	// it cannot be); the other fields say where.
	Error string `json:"error,omitempty"`
}

// gcassert's own reading: `// ?gcassert:` anywhere in a comment.
var gcassertRE = regexp.MustCompile(`// ?gcassert:([\w,]+)`)

func main() {
	var in input
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "directives: usage: directives INPUT.json")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "directives:", err)
		os.Exit(2)
	}
	if err := json.NewDecoder(f).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "directives: reading input:", err)
		os.Exit(2)
	}
	f.Close()
	fset := token.NewFileSet()
	var out []record
	// Symbols of functions whose declaration says //gcassert:inline, and
	// where each is declared.
	mustInline := map[string]record{}
	type checked struct {
		p     pkgIn
		files []*ast.File
		info  *types.Info
	}
	var all []checked
	failed := false
	for _, p := range in.Packages {
		p := p
		lookup := func(path string) (io.ReadCloser, error) {
			if m, ok := p.ImportMap[path]; ok {
				path = m
			}
			f, ok := in.Export[path]
			if !ok || f == "" {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(f)
		}
		var files []*ast.File
		for _, name := range p.Files {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				failed = true
				continue
			}
			files = append(files, f)
		}
		info := &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
		}
		conf := types.Config{Importer: importer.ForCompiler(fset, "gc", lookup)}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
			continue
		}
		for _, f := range files {
			r := reader{fset: fset, info: info, pkg: p.Path, compiled: true}
			r.read(f)
			for _, rec := range r.out {
				if rec.Symbol != "" && rec.On == "func" && has(rec.Names, "inline") && rec.Tool == "gcassert" {
					mustInline[rec.Symbol] = rec
				}
			}
			out = append(out, r.out...)
		}
		all = append(all, checked{p, files, info})
		// Files the build leaves out: their directives, not compiled.
		for _, name := range p.Ignored {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				// A file for another platform may not even parse here.
				continue
			}
			r := reader{fset: fset, pkg: p.Path}
			r.read(f)
			out = append(out, r.out...)
		}
	}
	// Every call of a must-inline function, in every package read.
	for _, c := range all {
		for _, f := range c.files {
			ast.Inspect(f, func(n ast.Node) bool {
				ce, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sym, name := callee(c.info, ce)
				d, ok := mustInline[sym]
				if sym == "" || !ok {
					return true
				}
				pos := fset.Position(ce.Lparen)
				out = append(out, record{
					Kind:     "callsite",
					File:     pos.Filename,
					Line:     pos.Line,
					Column:   pos.Column,
					EndLine:  fset.Position(ce.End()).Line,
					Source:   firstLine(fset, ce),
					Function: enclosing(f, fset, ce.Pos()),
					Compiled: true,
					Calls:    []call{{Line: pos.Line, Column: pos.Column, Callee: sym, Name: name}},
					Callee:   sym,
					DeclFile: d.File,
					DeclLine: d.Line,
					Names:    []string{"inline"},
					Tool:     "gcassert",
				})
				return true
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	enc := json.NewEncoder(os.Stdout)
	for _, r := range out {
		if err := enc.Encode(r); err != nil {
			panic(err)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func has(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

type reader struct {
	fset     *token.FileSet
	info     *types.Info // nil for a file the build leaves out
	pkg      string
	compiled bool
	out      []record
}

func (r *reader) read(f *ast.File) {
	cm := ast.NewCommentMap(r.fset, f, f.Comments)
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		for _, g := range cm[n] {
			for _, c := range g.List {
				r.comment(f, n, c)
			}
		}
		return true
	})
}

// comment records the directives one comment puts on node n.
func (r *reader) comment(f *ast.File, n ast.Node, c *ast.Comment) {
	pos := r.fset.Position(n.Pos())
	rec := record{
		Kind:        "directive",
		File:        pos.Filename,
		Line:        pos.Line,
		Column:      pos.Column,
		EndLine:     r.fset.Position(n.End()).Line,
		CommentLine: r.fset.Position(c.Pos()).Line,
		Source:      firstLine(r.fset, n),
		Function:    enclosing(f, r.fset, n.Pos()),
		Compiled:    r.compiled,
		On:          "statement",
	}
	if fd, ok := n.(*ast.FuncDecl); ok {
		rec.On = "func"
		rec.Function = declName(fd)
		rec.Symbol = r.pkg + "." + rec.Function
	}
	if strings.HasPrefix(c.Text, "//ifacealloc:") {
		word := strings.Fields(strings.TrimPrefix(c.Text, "//ifacealloc:") + " ")
		name := ""
		if len(word) > 0 {
			name = word[0]
		}
		rec.Tool = "ifacealloc"
		rec.Names = []string{name}
		switch {
		case name != "noalloc" && name != "noifacealloc":
			rec.Error = fmt.Sprintf("unknown directive //ifacealloc:%s; use //ifacealloc:noalloc or //ifacealloc:noifacealloc", name)
		case rec.On == "func":
		default:
			lit := firstLiteral(n)
			if lit == nil {
				rec.Error = fmt.Sprintf("//ifacealloc:%s must be on a func declaration or on a statement with a function literal", name)
				break
			}
			rec.On = "literal"
			rec.LiteralLine = r.fset.Position(lit.Pos()).Line
			rec.LiteralEndLine = r.fset.Position(lit.End()).Line
		}
		r.out = append(r.out, rec)
		return
	}
	m := gcassertRE.FindStringSubmatch(c.Text)
	if m == nil {
		return
	}
	rec.Tool = "gcassert"
	for _, s := range strings.Split(m[1], ",") {
		switch s {
		case "inline", "bce", "noescape":
			rec.Names = append(rec.Names, s)
		default:
			bad := rec
			bad.Names = []string{s}
			bad.Error = fmt.Sprintf("unknown directive gcassert:%s; gcassert knows inline, bce and noescape", s)
			r.out = append(r.out, bad)
		}
	}
	if len(rec.Names) == 0 {
		return
	}
	if r.info != nil {
		rec.Calls = r.callsOn(n, pos.Line)
	}
	r.out = append(r.out, rec)
}

// callsOn lists the calls in n that start on line (a function literal's
// body is another function's code and is left out).
func (r *reader) callsOn(n ast.Node, line int) []call {
	var calls []call
	ast.Inspect(n, func(m ast.Node) bool {
		if _, ok := m.(*ast.FuncLit); ok && m != n {
			return false
		}
		ce, ok := m.(*ast.CallExpr)
		if !ok {
			return true
		}
		if r.fset.Position(ce.Lparen).Line != line {
			return true
		}
		// Conversions and builtins are no calls to inline.
		if tv, ok := r.info.Types[ce.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
			return true
		}
		sym, name := callee(r.info, ce)
		p := r.fset.Position(ce.Lparen)
		calls = append(calls, call{Line: p.Line, Column: p.Column, Callee: sym, Name: name})
		return true
	})
	return calls
}

// callee names what ce calls: its linker symbol when static ("" for a
// function value or an interface method), and its name in the code.
func callee(info *types.Info, ce *ast.CallExpr) (string, string) {
	fun := unparen(ce.Fun)
	// F[int](x): the generic function itself.
	switch ix := fun.(type) {
	case *ast.IndexExpr:
		fun = ix.X
	case *ast.IndexListExpr:
		fun = ix.X
	}
	var obj types.Object
	name := ""
	switch e := fun.(type) {
	case *ast.Ident:
		obj = info.Uses[e]
		name = e.Name
	case *ast.SelectorExpr:
		name = e.Sel.Name
		if sel := info.Selections[e]; sel != nil {
			obj = sel.Obj()
			if sel.Kind() == types.MethodVal {
				if _, iface := sel.Recv().Underlying().(*types.Interface); iface {
					return "", name
				}
			}
		} else {
			// A qualified identifier: pkg.F.
			obj = info.Uses[e.Sel]
		}
	}
	fn, ok := obj.(*types.Func)
	if !ok || fn.Pkg() == nil {
		return "", name
	}
	// The compiler names a command's symbols main.F.
	path := fn.Pkg().Path()
	if fn.Pkg().Name() == "main" {
		path = "main"
	}
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		ptr := false
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
			ptr = true
		}
		if _, iface := t.Underlying().(*types.Interface); iface {
			return "", name
		}
		named, ok := t.(*types.Named)
		if !ok {
			return "", name
		}
		tn := named.Obj().Name()
		if ptr {
			return path + ".(*" + tn + ")." + fn.Name(), name
		}
		return path + "." + tn + "." + fn.Name(), name
	}
	return path + "." + fn.Name(), name
}

// unparen is ast.Unparen, which Go 1.21 does not have.
func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func declName(fd *ast.FuncDecl) string {
	if fd.Recv != nil && len(fd.Recv.List) > 0 {
		return recvName(fd.Recv.List[0].Type) + "." + fd.Name.Name
	}
	return fd.Name.Name
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return "(*" + recvName(t.X) + ")"
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.ParenExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

// enclosing is the listing's local name of the function declaration at pos,
// or "init" for package-level code (whose closures are `init.funcN`, and
// `glob..funcN` before Go 1.22).
func enclosing(f *ast.File, fset *token.FileSet, pos token.Pos) string {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
			return declName(fd)
		}
	}
	return "init"
}

func firstLiteral(n ast.Node) *ast.FuncLit {
	var lit *ast.FuncLit
	ast.Inspect(n, func(m ast.Node) bool {
		if lit != nil {
			return false
		}
		if l, ok := m.(*ast.FuncLit); ok {
			lit = l
			return false
		}
		return true
	})
	return lit
}

// firstLine prints n as gofmt would and keeps its first line.
func firstLine(fset *token.FileSet, n ast.Node) string {
	var b strings.Builder
	if fd, ok := n.(*ast.FuncDecl); ok {
		// The signature, not the doc comment or the body.
		cp := *fd
		cp.Doc = nil
		cp.Body = nil
		n = &cp
	}
	_ = printer.Fprint(&b, fset, n)
	s := b.String()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
