// Package suites_test holds the repository's import boundaries as a test:
// `go test ./...` (and so `make test`) fails, naming the import, when a
// package imports what the design forbids.
package suites_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/samlharness/samlharness"

// listed is what `go list -json` says of one package.
type listed struct {
	ImportPath   string
	Name         string
	Imports      []string
	Deps         []string
	TestImports  []string
	XTestImports []string
}

// under reports whether path is root or a package below it.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

// role is the top-level piece of the layout a package belongs to.
func role(path string) string {
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(rest, "/")
	return first
}

// knownExceptions are imports the rules forbid that are being removed.
// Each names who removes it; an exception that no longer occurs fails the
// test, so the list cannot outlive its reason.
var knownExceptions = map[string]string{}

// violation is one forbidden import.
type violation struct {
	key  string // "mockidp -> sp": the rule's pair, for exceptions
	text string
}

// check applies the design's boundaries to one package.
func check(p listed, names map[string]string) []violation {
	var out []violation
	from := role(p.ImportPath)
	add := func(kind, imp, rule string) {
		out = append(out, violation{
			key:  from + " -> " + role(imp),
			text: fmt.Sprintf("forbidden import: %s %s %s (%s)", p.ImportPath, kind, imp, rule),
		})
	}
	type edge struct {
		kind string
		imps []string
		test bool
	}
	edges := []edge{
		{"imports", p.Imports, false},
		{"depends on", p.Deps, false},
		{"imports in its tests", append(append([]string{}, p.TestImports...), p.XTestImports...), true},
	}
	for _, e := range edges {
		for _, imp := range e.imps {
			if imp == p.ImportPath || !under(imp, module) {
				continue
			}
			to := role(imp)
			switch {
			case from == "mockidp" && to == "sp", from == "sp" && to == "mockidp":
				add(e.kind, imp, "mockidp and sp never import each other: an IdP bug and an SP bug that share code cancel out")
			case (from == "mockidp" || from == "sp") && (to == "suites" || to == "cmd"):
				add(e.kind, imp, from+" is a library: it never imports the suites or the command line")
			case (from == "mockidp" || from == "sp") && to == "fixtures" && !e.test:
				add(e.kind, imp, from+" is a library other teams embed: it never ships the committed test keys (its tests may use them)")
			}
			if e.kind == "depends on" {
				continue // helper rules concern direct imports
			}
			if hasElem(imp, "testdata") || strings.HasSuffix(names[imp], "_test") {
				add(e.kind, imp, "nothing imports a test helper (a _test package or a testdata directory)")
			}
		}
	}
	return out
}

func hasElem(path, elem string) bool {
	for _, e := range strings.Split(path, "/") {
		if e == elem {
			return true
		}
	}
	return false
}

// goList runs `go list -json` on the module's packages.
func goList(t *testing.T) []listed {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goBin, "list", "-e", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// TestImportBoundaries fails, naming each import, when a package imports
// what the design forbids: mockidp and sp never import each other (nor
// depend on each other through another package, nor in their tests);
// neither imports suites, cmd or (outside its tests) fixtures; nothing
// imports a test helper.
func TestImportBoundaries(t *testing.T) {
	t.Parallel()
	pkgs := goList(t)
	names := map[string]string{}
	for _, p := range pkgs {
		names[p.ImportPath] = p.Name
	}
	var found []string
	seenException := map[string]bool{}
	for _, p := range pkgs {
		for _, v := range check(p, names) {
			if _, ok := knownExceptions[v.key]; ok {
				seenException[v.key] = true
				continue
			}
			found = append(found, v.text)
		}
	}
	sort.Strings(found)
	for _, f := range found {
		t.Error(f)
	}
	for key, why := range knownExceptions {
		if !seenException[key] {
			t.Errorf("known boundary exception %q (%s) no longer occurs: remove it from knownExceptions", key, why)
		}
	}
}

// TestBoundaryRules checks the rules themselves on made-up packages, so a
// rule that can no longer fail is caught.
func TestBoundaryRules(t *testing.T) {
	t.Parallel()
	names := map[string]string{module + "/suites/x/helper": "helper_test"}
	cases := []struct {
		p    listed
		want string // substring of the violation, "" for none
	}{
		{listed{ImportPath: module + "/mockidp", Imports: []string{module + "/sp"}}, "forbidden import: " + module + "/mockidp imports " + module + "/sp"},
		{listed{ImportPath: module + "/sp/diagnose", Imports: []string{module + "/mockidp/fault"}}, "mockidp and sp never import each other"},
		{listed{ImportPath: module + "/mockidp/fault", XTestImports: []string{module + "/sp"}}, "imports in its tests"},
		{listed{ImportPath: module + "/mockidp", Deps: []string{module + "/sp"}}, "depends on " + module + "/sp"},
		{listed{ImportPath: module + "/sp", Imports: []string{module + "/suites/scenario"}}, "never imports the suites"},
		{listed{ImportPath: module + "/sp", Imports: []string{module + "/cmd/samlharness"}}, "never imports the suites or the command line"},
		{listed{ImportPath: module + "/sp", Imports: []string{module + "/fixtures"}}, "committed test keys"},
		{listed{ImportPath: module + "/sp", TestImports: []string{module + "/fixtures"}}, ""},
		{listed{ImportPath: module + "/suites/runner", Imports: []string{module + "/suites/x/helper"}}, "test helper"},
		{listed{ImportPath: module + "/cmd/samlharness", Imports: []string{module + "/suites/peers/testdata/sp"}}, "test helper"},
		{listed{ImportPath: module + "/suites/runner", Imports: []string{module + "/sp", module + "/mockidp", module + "/fixtures"}}, ""},
	}
	for _, c := range cases {
		vs := check(c.p, names)
		switch {
		case c.want == "" && len(vs) > 0:
			t.Errorf("%s: unexpected %v", c.p.ImportPath, vs)
		case c.want != "" && (len(vs) == 0 || !strings.Contains(vs[0].text, c.want)):
			t.Errorf("%s: got %v, want a violation mentioning %q", c.p.ImportPath, vs, c.want)
		}
	}
}
