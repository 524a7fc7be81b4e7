// Command finder lists every conversion of a concrete value to an interface
// type in the packages it is given, with the converted type's layout. It is
// ifacealloc scan's type-checking half, run with the user's own Go toolchain:
// it reads a JSON description of the packages (from `go list -export`) on
// stdin, type-checks them against their dependencies' export data, and prints
// one JSON object per conversion.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
)

type pkgIn struct {
	ImportPath string            `json:"import_path"`
	Files      []string          `json:"files"`
	ImportMap  map[string]string `json:"import_map"`
}

type input struct {
	GOARCH   string            `json:"goarch"`
	Packages []pkgIn           `json:"packages"`
	Export   map[string]string `json:"export"`
}

type site struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Function string `json:"function"`
	Package  string `json:"package"`
	Type     string `json:"type"`
	Size     int64  `json:"size"`
	Align    int64  `json:"align"`
	PtrBytes int64  `json:"ptr_bytes"`
	// Sole is the kind of the type's sole component: "bool", "int", "string",
	// "slice", "other", or "" when it has none.
	Sole string `json:"sole"`
	// DirectByKind is IsDirectIface as it was before Go 1.26: a pointer kind,
	// or a single-field struct or one-element array of one.
	DirectByKind bool `json:"direct_by_kind"`
	Constant     bool `json:"constant"`
	// Generic is set for a value whose type depends on type parameters.
	Generic bool `json:"generic"`
	// Literal is set for composite literals: "zero" or "const" (all constant), else "".
	Literal string `json:"literal"`
	Expr    string `json:"expr"`
	// Padding is how many bytes of a 2-, 4- or 8-byte value no field covers;
	// SSA and SSAZeroSize say whether the compiler copies it field by field
	// (ssa.CanSSA before Go 1.26, and from 1.26 on), leaving them unwritten.
	Padding     int64 `json:"padding"`
	SSA         bool  `json:"ssa"`
	SSAZeroSize bool  `json:"ssa_zero_size"`
	// CodeLine and CodeColumn are where the compiler places the conversion
	// in its listing and diagnostics (see codePos); Line and Column are
	// where the expression starts, as go vet reports it.
	CodeLine   int `json:"code_line"`
	CodeColumn int `json:"code_column"`
	// CallColumn is a function call's '(' column on CodeLine (0 for other
	// expressions), where -m=2 explains an escaping call result.
	CallColumn int `json:"call_column"`
	// EndLine and EndColumn are just past the expression's end.
	EndLine   int `json:"end_line"`
	EndColumn int `json:"end_column"`
}

// codePos is where cmd/compile's syntax tree puts an expression, and so the
// position of its conversion in -S and -m output: an operation at its
// operator, a call at '(', a selector or type assertion at its '.', an index
// or slice at '[', a composite literal at '{' (for a multi-line struct type,
// lines below where the expression starts).
func codePos(e ast.Expr) token.Pos {
	switch e := e.(type) {
	case *ast.CompositeLit:
		return e.Lbrace
	case *ast.CallExpr:
		return e.Lparen
	case *ast.BinaryExpr:
		return e.OpPos
	case *ast.SelectorExpr:
		return e.X.End()
	case *ast.TypeAssertExpr:
		return e.X.End()
	case *ast.IndexExpr:
		return e.Lbrack
	case *ast.IndexListExpr:
		return e.Lbrack
	case *ast.SliceExpr:
		return e.Lbrack
	}
	return e.Pos()
}

func main() {
	var in input
	// The input comes as a file named by the first argument, else on stdin.
	var src io.Reader = os.Stdin
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "finder:", err)
			os.Exit(2)
		}
		defer f.Close()
		src = f
	}
	if err := json.NewDecoder(src).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "finder: reading input:", err)
		os.Exit(2)
	}
	sizes := gcSizes{types.SizesFor("gc", in.GOARCH)}
	fset := token.NewFileSet()
	out := json.NewEncoder(os.Stdout)
	// Packages are type-checked in parallel (each against its own
	// importer of export data) and printed in input order.
	results := make([][]site, len(in.Packages))
	errs := make([][]error, len(in.Packages))
	var wg sync.WaitGroup
	limit := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range in.Packages {
		wg.Add(1)
		limit <- struct{}{}
		go func(i int, p pkgIn) {
			defer func() { <-limit; wg.Done() }()
			results[i], errs[i] = findIn(p, in.Export, fset, sizes)
		}(i, p)
	}
	wg.Wait()
	failed := false
	for i := range in.Packages {
		for _, err := range errs[i] {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
		for _, s := range results[i] {
			if err := out.Encode(s); err != nil {
				panic(err)
			}
		}
	}
	if failed {
		os.Exit(1)
	}
}

// findIn type-checks one package and returns its conversions in source
// order, or the errors that stopped it.
func findIn(p pkgIn, export map[string]string, fset *token.FileSet, sizes gcSizes) ([]site, []error) {
	lookup := func(path string) (io.ReadCloser, error) {
		if m, ok := p.ImportMap[path]; ok {
			path = m
		}
		f, ok := export[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	}
	var files []*ast.File
	var errs []error
	for _, name := range p.Files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{},
		Defs:  map[*ast.Ident]types.Object{},
		Uses:  map[*ast.Ident]types.Object{},
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", lookup), Sizes: sizes}
	if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
		return nil, []error{err}
	}
	w := &walker{fset: fset, info: info, sizes: sizes, pkg: p.ImportPath}
	for _, f := range files {
		w.file(f)
	}
	sort.Slice(w.sites, func(i, j int) bool {
		a, b := w.sites[i], w.sites[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return w.sites, nil
}

type walker struct {
	fset  *token.FileSet
	info  *types.Info
	sizes types.Sizes
	pkg   string
	sites []site
	// results of the enclosing functions, innermost last
	results []*types.Tuple
	funcs   []string
	lits    int
}

func (w *walker) file(f *ast.File) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			ast.Inspect(d, w.visit)
			continue
		}
		name := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) > 0 {
			name = recvName(fd.Recv.List[0].Type) + "." + name
		}
		w.funcs = append(w.funcs, name)
		w.lits = 0
		var res *types.Tuple
		if obj, ok := w.info.Defs[fd.Name].(*types.Func); ok {
			res = obj.Type().(*types.Signature).Results()
		}
		w.results = append(w.results, res)
		if fd.Body != nil {
			ast.Inspect(fd.Body, w.visit)
		}
		w.results = w.results[:len(w.results)-1]
		w.funcs = w.funcs[:len(w.funcs)-1]
	}
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return "(*" + recvName(t.X) + ")"
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

func (w *walker) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FuncLit:
		w.lits++
		outer := "init"
		if len(w.funcs) > 0 {
			outer = w.funcs[len(w.funcs)-1]
		}
		w.funcs = append(w.funcs, fmt.Sprintf("%s.func%d", outer, w.lits))
		var res *types.Tuple
		if tv, ok := w.info.Types[n]; ok {
			if sig, ok := tv.Type.(*types.Signature); ok {
				res = sig.Results()
			}
		}
		w.results = append(w.results, res)
		ast.Inspect(n.Body, w.visit)
		w.results = w.results[:len(w.results)-1]
		w.funcs = w.funcs[:len(w.funcs)-1]
		return false
	case *ast.CallExpr:
		w.call(n)
	case *ast.AssignStmt:
		if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) {
			for i := range n.Lhs {
				w.to(w.typeOf(n.Lhs[i]), n.Rhs[i])
			}
		} else if n.Tok == token.ASSIGN && len(n.Rhs) == 1 {
			// a, err = g(x) and v, ok = m[k]: each result converts on its own.
			targets := make([]types.Type, len(n.Lhs))
			for i, l := range n.Lhs {
				targets[i] = w.typeOf(l)
			}
			w.toTuple(targets, n.Rhs[0])
		}
	case *ast.ValueSpec:
		if n.Type != nil && len(n.Values) == len(n.Names) {
			t := w.typeOf(n.Type)
			for _, v := range n.Values {
				w.to(t, v)
			}
		} else if n.Type != nil && len(n.Values) == 1 {
			t := w.typeOf(n.Type)
			targets := make([]types.Type, len(n.Names))
			for i := range targets {
				targets[i] = t
			}
			w.toTuple(targets, n.Values[0])
		}
	case *ast.ReturnStmt:
		if len(w.results) > 0 {
			res := w.results[len(w.results)-1]
			if res != nil && res.Len() == len(n.Results) {
				for i, r := range n.Results {
					w.to(res.At(i).Type(), r)
				}
			} else if res != nil && len(n.Results) == 1 {
				// return g(x): g's results convert to the function's.
				targets := make([]types.Type, res.Len())
				for i := range targets {
					targets[i] = res.At(i).Type()
				}
				w.toTuple(targets, n.Results[0])
			}
		}
	case *ast.CompositeLit:
		w.composite(n)
	case *ast.SendStmt:
		if ch, ok := under(w.typeOf(n.Chan)).(*types.Chan); ok {
			w.to(ch.Elem(), n.Value)
		}
	case *ast.BinaryExpr:
		if n.Op == token.EQL || n.Op == token.NEQ {
			x, y := w.typeOf(n.X), w.typeOf(n.Y)
			if isInterface(x) && !isInterface(y) {
				w.to(x, n.Y)
			} else if isInterface(y) && !isInterface(x) {
				w.to(y, n.X)
			}
		}
	case *ast.IndexExpr:
		if m, ok := under(w.typeOf(n.X)).(*types.Map); ok {
			w.to(m.Key(), n.Index)
		}
	}
	return true
}

func (w *walker) call(c *ast.CallExpr) {
	ft, ok := w.info.Types[c.Fun]
	if !ok {
		return
	}
	if ft.IsType() {
		if len(c.Args) == 1 {
			w.to(ft.Type, c.Args[0])
		}
		return
	}
	sig, ok := under(ft.Type).(*types.Signature)
	if !ok {
		return
	}
	params := sig.Params()
	paramType := func(i int) types.Type {
		switch {
		case sig.Variadic() && i >= params.Len()-1:
			last := params.At(params.Len() - 1).Type()
			if c.Ellipsis.IsValid() {
				return last
			} else if s, ok := last.(*types.Slice); ok {
				return s.Elem()
			}
		case i < params.Len():
			return params.At(i).Type()
		}
		return nil
	}
	if len(c.Args) == 1 {
		// h(g(x)): g's results are h's arguments, each converted on its own.
		if tup, ok := w.typeOf(c.Args[0]).(*types.Tuple); ok && tup.Len() > 1 {
			targets := make([]types.Type, tup.Len())
			for i := range targets {
				targets[i] = paramType(i)
			}
			w.toTuple(targets, c.Args[0])
			return
		}
	}
	for i, a := range c.Args {
		if pt := paramType(i); pt != nil {
			w.to(pt, a)
		}
	}
}

// toTuple records the conversions of a multi-value expression's results
// (a call, or a comma-ok map index, type assertion or receive) to targets.
func (w *walker) toTuple(targets []types.Type, e ast.Expr) {
	tup, ok := w.typeOf(e).(*types.Tuple)
	if !ok || tup.Len() != len(targets) {
		return
	}
	for i, target := range targets {
		if target != nil {
			w.record(target, e, tup.At(i).Type(), nil)
		}
	}
}

func (w *walker) composite(c *ast.CompositeLit) {
	t := under(w.typeOf(c))
	for i, e := range c.Elts {
		key, val := ast.Expr(nil), e
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			key, val = kv.Key, kv.Value
		}
		switch t := t.(type) {
		case *types.Struct:
			if key != nil {
				if id, ok := key.(*ast.Ident); ok {
					for j := 0; j < t.NumFields(); j++ {
						if t.Field(j).Name() == id.Name {
							w.to(t.Field(j).Type(), val)
						}
					}
				}
			} else if i < t.NumFields() {
				w.to(t.Field(i).Type(), val)
			}
		case *types.Slice:
			w.to(t.Elem(), val)
		case *types.Array:
			w.to(t.Elem(), val)
		case *types.Map:
			if key != nil {
				w.to(t.Key(), key)
			}
			w.to(t.Elem(), val)
		}
	}
}

func (w *walker) typeOf(e ast.Expr) types.Type {
	if tv, ok := w.info.Types[e]; ok {
		return tv.Type
	}
	if id, ok := e.(*ast.Ident); ok {
		if obj := w.info.Defs[id]; obj != nil {
			return obj.Type()
		}
		if obj := w.info.Uses[id]; obj != nil {
			return obj.Type()
		}
	}
	return nil
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

func isInterface(t types.Type) bool {
	if t == nil {
		return false
	}
	if _, ok := t.(*types.TypeParam); ok {
		return false
	}
	return types.IsInterface(t)
}

// to records a conversion when a value of concrete type flows into target,
// an interface type.
func (w *walker) to(target types.Type, e ast.Expr) {
	if !isInterface(target) {
		return
	}
	tv, ok := w.info.Types[e]
	if !ok || tv.Type == nil || tv.IsType() {
		return
	}
	if _, ok := tv.Type.(*types.Tuple); ok {
		return // a multi-value expression: see toTuple
	}
	w.record(target, e, tv.Type, tv.Value)
}

// record adds the site where e's value of type vt (constant value cv, or
// nil) converts to target.
func (w *walker) record(target types.Type, e ast.Expr, vt types.Type, cv constant.Value) {
	if !isInterface(target) || vt == nil || isInterface(vt) {
		return
	}
	if b, ok := vt.(*types.Basic); ok && b.Kind() == types.UntypedNil {
		return
	}
	p := w.fset.Position(e.Pos())
	end := w.fset.Position(e.End())
	cp := w.fset.Position(codePos(e))
	callColumn := 0
	if c, ok := unparen(e).(*ast.CallExpr); ok && e == ast.Expr(c) {
		if tv, ok := w.info.Types[c.Fun]; !ok || !tv.IsType() {
			// A function call: the compiler reports an inlined body's own
			// diagnostics at the call's '(', so only its line is taken.
			if cp.Line == p.Line {
				callColumn = cp.Column
			}
			cp.Column = p.Column
		}
	}
	fn := "init"
	if len(w.funcs) > 0 {
		fn = w.funcs[len(w.funcs)-1]
	}
	if hasTypeParam(vt) {
		// Generic code: the layout depends on the instantiation; the
		// compiler's listing has one function per GC shape.
		w.sites = append(w.sites, site{
			File:       p.Filename,
			Line:       p.Line,
			Column:     p.Column,
			Function:   w.pkg + "." + fn,
			Package:    w.pkg,
			Type:       types.TypeString(vt, nil),
			Sole:       "other",
			Generic:    true,
			Expr:       exprString(e),
			CodeLine:   cp.Line,
			CodeColumn: cp.Column,
			CallColumn: callColumn,
			EndLine:    end.Line,
			EndColumn:  end.Column,
		})
		return
	}
	t := types.Default(vt)
	s := site{
		File:         p.Filename,
		Line:         p.Line,
		Column:       p.Column,
		Function:     w.pkg + "." + fn,
		Package:      w.pkg,
		Type:         types.TypeString(t, nil),
		Size:         w.sizes.Sizeof(t),
		Align:        w.sizes.Alignof(t),
		PtrBytes:     w.ptrBytes(t),
		Sole:         sole(t),
		DirectByKind: directByKind(t),
		Constant:     cv != nil,
		Expr:         exprString(e),
		CodeLine:     cp.Line,
		CodeColumn:   cp.Column,
		CallColumn:   callColumn,
		EndLine:      end.Line,
		EndColumn:    end.Column,
	}
	if s.Size == 2 || s.Size == 4 || s.Size == 8 {
		covered := make([]bool, s.Size)
		w.cover(t, 0, covered)
		for _, c := range covered {
			if !c {
				s.Padding++
			}
		}
		s.SSA = w.canSSA(t, false)
		s.SSAZeroSize = w.canSSA(t, true)
	}
	if cl, ok := unparen(e).(*ast.CompositeLit); ok {
		s.Literal = w.literalKind(cl)
	}
	w.sites = append(w.sites, s)
}

// literalKind is "zero" for T{}, "const" when every element is a constant
// (or a constant composite literal), else "".
func (w *walker) literalKind(cl *ast.CompositeLit) string {
	if len(cl.Elts) == 0 {
		return "zero"
	}
	for _, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			e = kv.Value
		}
		if inner, ok := unparen(e).(*ast.CompositeLit); ok {
			if w.literalKind(inner) == "" {
				return ""
			}
			continue
		}
		if tv, ok := w.info.Types[e]; !ok || tv.Value == nil {
			return ""
		}
	}
	if _, ok := under(w.typeOf(cl)).(*types.Slice); ok {
		return ""
	}
	return "const"
}

// unparen strips parentheses (ast.Unparen is newer than Go 1.21).
func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func exprString(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// gcSizes lays types out as the compiler does (types.CalcSize): a struct's
// size rounded up to its alignment, with one byte more when it ends in a
// zero-size field. go/types' "gc" sizes do neither before Go 1.22 (no
// gcsizes.go there), which made struct{ a int32; b int8 } 5 bytes, not 8.
type gcSizes struct{ types.Sizes }

func (s gcSizes) Offsetsof(fields []*types.Var) []int64 {
	offsets := make([]int64, len(fields))
	var off int64
	for i, f := range fields {
		a := s.Alignof(f.Type())
		off = (off + a - 1) / a * a
		offsets[i] = off
		off += s.Sizeof(f.Type())
	}
	return offsets
}

func (s gcSizes) Sizeof(t types.Type) int64 {
	switch u := t.Underlying().(type) {
	case *types.Struct:
		n := u.NumFields()
		if n == 0 {
			return 0
		}
		fields := make([]*types.Var, n)
		for i := range fields {
			fields[i] = u.Field(i)
		}
		last := s.Sizeof(fields[n-1].Type())
		size := s.Offsetsof(fields)[n-1] + last
		if last == 0 && size > 0 {
			size++
		}
		a := s.Alignof(t)
		return (size + a - 1) / a * a
	case *types.Array:
		if u.Len() == 0 {
			return 0
		}
		return u.Len() * s.Sizeof(u.Elem())
	}
	return s.Sizes.Sizeof(t)
}

// cover marks the bytes of a t at off that a field or element holds (blank
// fields too: go copies them).
func (w *walker) cover(t types.Type, off int64, covered []bool) {
	switch u := t.Underlying().(type) {
	case *types.Struct:
		fields := make([]*types.Var, u.NumFields())
		for i := range fields {
			fields[i] = u.Field(i)
		}
		offsets := w.sizes.Offsetsof(fields)
		for i, f := range fields {
			w.cover(f.Type(), off+offsets[i], covered)
		}
	case *types.Array:
		size := w.sizes.Sizeof(u.Elem())
		for i := int64(0); size > 0 && i < u.Len() && off+i*size < int64(len(covered)); i++ {
			w.cover(u.Elem(), off+i*size, covered)
		}
	default:
		for b := off; b < off+w.sizes.Sizeof(t) && b < int64(len(covered)); b++ {
			covered[b] = true
		}
	}
}

// canSSA is ssa.CanSSA for a type of at most 8 bytes: at most four fields,
// arrays of at most one element, all the way down; zeroSize is Go 1.26's
// rule that every zero-size type is.
func (w *walker) canSSA(t types.Type, zeroSize bool) bool {
	if zeroSize && w.sizes.Sizeof(t) == 0 {
		return true
	}
	switch u := t.Underlying().(type) {
	case *types.Array:
		return u.Len() <= 1 && w.canSSA(u.Elem(), zeroSize)
	case *types.Struct:
		if u.NumFields() > 4 {
			return false
		}
		for i := 0; i < u.NumFields(); i++ {
			if !w.canSSA(u.Field(i).Type(), zeroSize) {
				return false
			}
		}
	}
	return true
}

// ptrBytes is the compiler's PtrDataSize: bytes from the start that may hold pointers.
func (w *walker) ptrBytes(t types.Type) int64 {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch u.Kind() {
		case types.String, types.UnsafePointer:
			return w.sizes.Sizeof(types.Typ[types.Uintptr])
		}
		return 0
	case *types.Pointer, *types.Map, *types.Chan, *types.Signature:
		return w.sizes.Sizeof(t)
	case *types.Slice:
		return w.sizes.Sizeof(types.Typ[types.Uintptr])
	case *types.Interface:
		return w.sizes.Sizeof(t)
	case *types.Array:
		e := w.ptrBytes(u.Elem())
		if u.Len() == 0 || e == 0 {
			return 0
		}
		return w.sizes.Sizeof(u.Elem())*(u.Len()-1) + e
	case *types.Struct:
		var fields []*types.Var
		for i := 0; i < u.NumFields(); i++ {
			fields = append(fields, u.Field(i))
		}
		offs := w.sizes.Offsetsof(fields)
		var p int64
		for i, f := range fields {
			if b := w.ptrBytes(f.Type()); b > 0 {
				p = offs[i] + b
			}
		}
		return p
	}
	return 0
}

// hasTypeParam reports whether t mentions a type parameter.
func hasTypeParam(t types.Type) bool {
	return hasTypeParamSeen(t, map[types.Type]bool{})
}

func hasTypeParamSeen(t types.Type, seen map[types.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch u := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Pointer:
		return hasTypeParamSeen(u.Elem(), seen)
	case *types.Slice:
		return hasTypeParamSeen(u.Elem(), seen)
	case *types.Array:
		return hasTypeParamSeen(u.Elem(), seen)
	case *types.Chan:
		return hasTypeParamSeen(u.Elem(), seen)
	case *types.Map:
		return hasTypeParamSeen(u.Key(), seen) || hasTypeParamSeen(u.Elem(), seen)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if hasTypeParamSeen(u.Field(i).Type(), seen) {
				return true
			}
		}
	case *types.Signature:
		for _, tup := range []*types.Tuple{u.Params(), u.Results()} {
			for i := 0; i < tup.Len(); i++ {
				if hasTypeParamSeen(tup.At(i).Type(), seen) {
					return true
				}
			}
		}
	case *types.Named:
		if args := u.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				if hasTypeParamSeen(args.At(i), seen) {
					return true
				}
			}
		}
	}
	return false
}

// directByKind is types.IsDirectIface of cmd/compile up to Go 1.25.
func directByKind(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Map, *types.Chan, *types.Signature:
		return true
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Array:
		return u.Len() == 1 && directByKind(u.Elem())
	case *types.Struct:
		return u.NumFields() == 1 && directByKind(u.Field(0).Type())
	}
	return false
}

// sole names the kind of the type's sole component (walk/convert.go's
// SoleComponent), or "" when there is none.
func sole(t types.Type) string {
	for {
		switch u := t.Underlying().(type) {
		case *types.Struct:
			if u.NumFields() != 1 {
				return ""
			}
			t = u.Field(0).Type()
			continue
		case *types.Array:
			if u.Len() != 1 {
				return ""
			}
			t = u.Elem()
			continue
		case *types.Basic:
			switch {
			case u.Info()&types.IsBoolean != 0:
				return "bool"
			case u.Info()&types.IsInteger != 0:
				return "int"
			case u.Info()&types.IsString != 0:
				return "string"
			}
			return "other"
		case *types.Slice:
			return "slice"
		}
		return "other"
	}
}
