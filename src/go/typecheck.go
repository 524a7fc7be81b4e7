// Command typecheck answers what a type expression means to go/types: the
// type it denotes, written out as a graph of type nodes that ifacealloc reads
// into its own model. It is ifacealloc's reader for every type its own parser
// cannot read (other packages' types, generic instantiations, mutually
// recursive declarations), run with the user's Go toolchain.
//
// With -imports it prints the import paths of the given Go files (what the
// export data must cover). Otherwise it reads a JSON request (see request)
// from the file named by its argument and prints one JSON response.
//
// No text is compiled: the user's files and expressions are parsed by
// go/parser and checked by go/types against the export data of their imports.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"os"
	"sort"
	"strconv"
)

type define struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
}

type request struct {
	GOARCH string `json:"goarch"`
	// Export maps an import path to its export data file.
	Export map[string]string `json:"export"`
	// Files are Go source files read as one package (--from).
	Files []string `json:"files"`
	// Defines are Name=TYPE definitions (--define), in order.
	Defines []define `json:"defines"`
	// Imports maps the names the expressions use for packages to import paths.
	Imports map[string]string `json:"imports"`
	// Exprs are the type expressions to answer.
	Exprs []string `json:"exprs"`
}

type field struct {
	Name     string `json:"name"`
	Embedded bool   `json:"embedded"`
	Type     int    `json:"type"`
	Tag      string `json:"tag,omitempty"`
}

type method struct {
	Name     string `json:"name"`
	Params   []int  `json:"params,omitempty"`
	Results  []int  `json:"results,omitempty"`
	Variadic bool   `json:"variadic"`
}

// node is one type. Kind says which other fields mean something.
type node struct {
	Kind     string   `json:"kind"`
	Basic    string   `json:"basic,omitempty"`
	Elem     int      `json:"elem,omitempty"`
	Key      int      `json:"key,omitempty"`
	Len      int64    `json:"len,omitempty"`
	Dir      string   `json:"dir,omitempty"`
	Params   []int    `json:"params,omitempty"`
	Results  []int    `json:"results,omitempty"`
	Variadic bool     `json:"variadic,omitempty"`
	Fields   []field  `json:"fields,omitempty"`
	Methods  []method `json:"methods,omitempty"`
	// Named types: the declaring package (empty for the request's own
	// package and for error), the name, type arguments and underlying type.
	PkgPath    string `json:"pkg_path,omitempty"`
	PkgName    string `json:"pkg_name,omitempty"`
	Name       string `json:"name,omitempty"`
	Args       []int  `json:"args,omitempty"`
	Underlying int    `json:"underlying,omitempty"`
	// Size and Align are go/types' answers with the compiler's sizes.
	Size  int64 `json:"size"`
	Align int64 `json:"align"`
}

type answer struct {
	Type  *int   `json:"type,omitempty"`
	Error string `json:"error,omitempty"`
}

type response struct {
	// Error is set when the files or definitions themselves do not check.
	Error   string   `json:"error,omitempty"`
	Answers []answer `json:"answers"`
	// Nodes[0] is unused, so that 0 can mean "none" in a node's fields.
	Nodes []node `json:"nodes"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-imports" {
		printImports(os.Args[2:])
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: typecheck REQUEST.json | -imports FILE...")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, _ := json.Marshal(check(&req))
	os.Stdout.Write(append(out, '\n'))
}

func printImports(files []string) {
	fset := token.NewFileSet()
	seen := map[string]bool{}
	var paths []string
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			continue // the full check reports it
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err == nil && !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Println(p)
	}
}

// exprFile is a parsed expression and the token.File it was parsed into,
// so errors can be traced back to it by position.
type exprFile struct {
	expr ast.Expr
	file *token.File
	err  error
}

func parseExpr(fset *token.FileSet, name, src string) exprFile {
	e, err := parser.ParseExprFrom(fset, name, src, parser.ParseComments)
	var tf *token.File
	fset.Iterate(func(f *token.File) bool {
		if f.Name() == name {
			tf = f
		}
		return true
	})
	if err != nil {
		return exprFile{err: err, file: tf}
	}
	return exprFile{expr: e, file: tf}
}

func check(req *request) response {
	fset := token.NewFileSet()
	resp := response{Answers: make([]answer, len(req.Exprs)), Nodes: []node{{}}}
	pkgName := "p"
	var files []*ast.File
	for _, name := range req.Files {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			resp.Error = err.Error()
			return resp
		}
		if len(files) == 0 {
			pkgName = f.Name.Name
		}
		files = append(files, f)
	}
	// One more file holds the imports the expressions use, each definition
	// as a type declaration, and each expression as `type _ EXPR`.
	synth := &ast.File{Name: ast.NewIdent(pkgName)}
	var imports []ast.Spec
	aliases := make([]string, 0, len(req.Imports))
	for a := range req.Imports {
		aliases = append(aliases, a)
	}
	sort.Strings(aliases)
	for _, a := range aliases {
		imports = append(imports, &ast.ImportSpec{
			Name: ast.NewIdent(a),
			Path: &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(req.Imports[a])},
		})
	}
	if len(imports) > 0 {
		synth.Decls = append(synth.Decls, &ast.GenDecl{Tok: token.IMPORT, Specs: imports})
	}
	defines := make([]exprFile, len(req.Defines))
	for i, d := range req.Defines {
		defines[i] = parseExpr(fset, "--define "+d.Name, d.Expr)
		if defines[i].err != nil {
			resp.Error = fmt.Sprintf("--define %s: %s", d.Name, atByte(defines[i].err))
			return resp
		}
		synth.Decls = append(synth.Decls, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{
			&ast.TypeSpec{Name: ast.NewIdent(d.Name), Type: defines[i].expr},
		}})
	}
	queries := make([]exprFile, len(req.Exprs))
	for i, src := range req.Exprs {
		queries[i] = parseExpr(fset, fmt.Sprintf("query %d", i), src)
		if queries[i].err != nil {
			resp.Answers[i].Error = atByte(queries[i].err)
			continue
		}
		synth.Decls = append(synth.Decls, &ast.GenDecl{Tok: token.TYPE, Specs: []ast.Spec{
			&ast.TypeSpec{Name: ast.NewIdent("_"), Type: queries[i].expr},
		}})
	}
	files = append(files, synth)

	sizes := types.SizesFor("gc", req.GOARCH)
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			f, ok := req.Export[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %q", path)
			}
			return os.Open(f)
		}),
		Sizes: sizes,
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok || te.Soft {
				return // unused imports and variables do not change a type
			}
			tf := fset.File(te.Pos)
			for i, q := range queries {
				if q.file != nil && q.file == tf {
					if resp.Answers[i].Error == "" {
						resp.Answers[i].Error = fmt.Sprintf("at byte %d: %s", fset.Position(te.Pos).Offset, te.Msg)
					}
					return
				}
			}
			if resp.Error == "" {
				for _, d := range defines {
					if d.file != nil && d.file == tf {
						resp.Error = tf.Name() + ": " + te.Msg
						return
					}
				}
				resp.Error = fset.Position(te.Pos).String() + ": " + te.Msg
			}
		},
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	pkg, _ := conf.Check(pkgName, fset, files, info)
	if resp.Error != "" {
		return resp
	}
	w := &writer{sizes: sizes, pkg: pkg, ids: map[types.Type]int{}, resp: &resp}
	for i, q := range queries {
		if q.err != nil || resp.Answers[i].Error != "" {
			continue
		}
		tv, ok := info.Types[q.expr]
		if !ok || !tv.IsType() {
			resp.Answers[i].Error = fmt.Sprintf("%s is not a type", req.Exprs[i])
			continue
		}
		// go/types computes sizes without memory: a type of 2^40 parts
		// (`type A2 struct{ a, b A1 }` forty times) would take hours.
		if n := treeSize(tv.Type, map[types.Type]int{}); n > maxParts {
			resp.Answers[i].Error = fmt.Sprintf("the type is larger than %d parts once its named types are expanded", maxParts)
			continue
		}
		id, err := w.node(tv.Type)
		if err != nil {
			resp.Answers[i].Error = err.Error()
			continue
		}
		resp.Answers[i].Type = &id
	}
	return resp
}

// atByte says a parse error as ifacealloc's own reader does: the byte
// offset in the expression and go/parser's message.
func atByte(err error) string {
	if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
		return fmt.Sprintf("at byte %d: %s", list[0].Pos.Offset, list[0].Msg)
	}
	return err.Error()
}

type writer struct {
	sizes types.Sizes
	pkg   *types.Package
	ids   map[types.Type]int
	resp  *response
}

// node writes t (and what it is made of) and returns its index.
func (w *writer) node(t types.Type) (int, error) {
	t = unalias(t)
	if id, ok := w.ids[t]; ok {
		return id, nil
	}
	id := len(w.resp.Nodes)
	w.ids[t] = id
	w.resp.Nodes = append(w.resp.Nodes, node{})
	n, err := w.describe(t)
	if err != nil {
		return 0, err
	}
	if _, ok := t.(*types.TypeParam); !ok {
		n.Size = w.sizes.Sizeof(t)
		n.Align = w.sizes.Alignof(t)
	}
	w.resp.Nodes[id] = n
	return id, nil
}

func (w *writer) list(ts *types.Tuple) ([]int, error) {
	var out []int
	for i := 0; i < ts.Len(); i++ {
		id, err := w.node(ts.At(i).Type())
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

func (w *writer) describe(t types.Type) (node, error) {
	switch t := t.(type) {
	case *types.Basic:
		if t.Info()&types.IsUntyped != 0 || t.Kind() == types.Invalid {
			return node{}, fmt.Errorf("%s is not a type a value can have", t)
		}
		return node{Kind: "basic", Basic: t.Name()}, nil
	case *types.Pointer:
		e, err := w.node(t.Elem())
		return node{Kind: "pointer", Elem: e}, err
	case *types.Slice:
		e, err := w.node(t.Elem())
		return node{Kind: "slice", Elem: e}, err
	case *types.Array:
		e, err := w.node(t.Elem())
		return node{Kind: "array", Elem: e, Len: t.Len()}, err
	case *types.Map:
		k, err := w.node(t.Key())
		if err != nil {
			return node{}, err
		}
		e, err := w.node(t.Elem())
		return node{Kind: "map", Key: k, Elem: e}, err
	case *types.Chan:
		e, err := w.node(t.Elem())
		dir := map[types.ChanDir]string{types.SendRecv: "both", types.SendOnly: "send", types.RecvOnly: "recv"}[t.Dir()]
		return node{Kind: "chan", Elem: e, Dir: dir}, err
	case *types.Signature:
		ps, err := w.list(t.Params())
		if err != nil {
			return node{}, err
		}
		rs, err := w.list(t.Results())
		return node{Kind: "func", Params: ps, Results: rs, Variadic: t.Variadic()}, err
	case *types.Struct:
		n := node{Kind: "struct"}
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			id, err := w.node(f.Type())
			if err != nil {
				return node{}, err
			}
			n.Fields = append(n.Fields, field{Name: f.Name(), Embedded: f.Embedded(), Type: id, Tag: t.Tag(i)})
		}
		return n, nil
	case *types.Interface:
		if !t.IsMethodSet() {
			return node{}, fmt.Errorf("interface %s has a type set: it constrains type parameters and no value has it", t)
		}
		n := node{Kind: "interface"}
		for i := 0; i < t.NumMethods(); i++ {
			m := t.Method(i)
			sig := m.Type().(*types.Signature)
			ps, err := w.list(sig.Params())
			if err != nil {
				return node{}, err
			}
			rs, err := w.list(sig.Results())
			if err != nil {
				return node{}, err
			}
			n.Methods = append(n.Methods, method{Name: m.Name(), Params: ps, Results: rs, Variadic: sig.Variadic()})
		}
		return n, nil
	case *types.Named:
		obj := t.Obj()
		n := node{Kind: "named", Name: obj.Name()}
		if p := obj.Pkg(); p != nil && p != w.pkg {
			n.PkgPath, n.PkgName = p.Path(), p.Name()
		}
		if obj.Pkg() != nil && obj.Parent() != nil && obj.Parent() != obj.Pkg().Scope() {
			return node{}, fmt.Errorf("%s is declared inside a function; only package-level types can be named", obj.Name())
		}
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				id, err := w.node(args.At(i))
				if err != nil {
					return node{}, err
				}
				n.Args = append(n.Args, id)
			}
		} else if t.TypeParams().Len() > 0 {
			return node{}, fmt.Errorf("%s is generic: give its type arguments, e.g. %s[int]", obj.Name(), obj.Name())
		}
		u, err := w.node(t.Underlying())
		n.Underlying = u
		return n, err
	case *types.TypeParam:
		return node{}, fmt.Errorf("%s is a type parameter, not a type a value can have", t)
	}
	return node{}, fmt.Errorf("%s: a kind of type ifacealloc does not know", t)
}

// unalias is types.Unalias, which Go 1.21 lacks: an alias (a *types.Alias
// from Go 1.22 on, when enabled) stands for the type on its right-hand side.
func unalias(t types.Type) types.Type {
	for {
		a, ok := t.(interface{ Rhs() types.Type })
		if !ok {
			return t
		}
		t = a.Rhs()
	}
}

// maxParts bounds a type's size once expanded, as ifacealloc's own reader does.
const maxParts = 100000

// treeSize is how many parts t has written out (each use of a named type
// expanded, a type met inside itself counted once), at most maxParts+1.
func treeSize(t types.Type, memo map[types.Type]int) int {
	t = unalias(t)
	if n, ok := memo[t]; ok {
		return n
	}
	memo[t] = 1 // inside itself: a reference
	n := 1
	add := func(u types.Type) {
		if n <= maxParts {
			n += treeSize(u, memo)
		}
	}
	switch t := t.(type) {
	case *types.Pointer:
		add(t.Elem())
	case *types.Slice:
		add(t.Elem())
	case *types.Array:
		add(t.Elem())
	case *types.Map:
		add(t.Key())
		add(t.Elem())
	case *types.Chan:
		add(t.Elem())
	case *types.Signature:
		for i := 0; i < t.Params().Len(); i++ {
			add(t.Params().At(i).Type())
		}
		for i := 0; i < t.Results().Len(); i++ {
			add(t.Results().At(i).Type())
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			add(t.Field(i).Type())
		}
	case *types.Interface:
		for i := 0; i < t.NumMethods(); i++ {
			add(t.Method(i).Type())
		}
	case *types.Named:
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				add(args.At(i))
			}
		}
		add(t.Underlying())
	}
	if n > maxParts {
		n = maxParts + 1
	}
	memo[t] = n
	return n
}
