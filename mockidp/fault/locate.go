package fault

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Elements are always located by (namespace URI, local name), resolved
// through the in-scope xmlns declarations: a prefix alone never decides what
// an element is. The prefixes below are only the names scenario authors may
// use in paths and XML snippets; they are mapped to namespaces here, whatever
// prefixes the document itself uses.
var knownPrefixes = map[string]string{
	"saml":   wire.NSAssertion,
	"saml2":  wire.NSAssertion,
	"samlp":  wire.NSProtocol,
	"saml2p": wire.NSProtocol,
	"ds":     wire.NSDSig,
	"xenc":   wire.NSXMLEnc,
	"ec":     wire.NSExcC14N,
	"xs":     wire.NSXS,
	"xsi":    wire.NSXSI,
}

// preferredPrefix is the prefix Okta uses for a namespace, used when a fault
// creates an element in a namespace that has no prefix in scope.
var preferredPrefix = map[string]string{
	wire.NSAssertion: "saml2",
	wire.NSProtocol:  "saml2p",
	wire.NSDSig:      "ds",
	wire.NSXMLEnc:    "xenc",
	wire.NSExcC14N:   "ec",
	wire.NSXS:        "xs",
	wire.NSXSI:       "xsi",
}

// is reports whether el is the element {ns}local.
func is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// child returns el's first direct child {ns}local, or nil.
func child(el *etree.Element, ns, local string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, ch := range el.ChildElements() {
		if is(ch, ns, local) {
			return ch
		}
	}
	return nil
}

// children returns el's direct children {ns}local.
func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	if el == nil {
		return out
	}
	for _, ch := range el.ChildElements() {
		if is(ch, ns, local) {
			out = append(out, ch)
		}
	}
	return out
}

// descendants returns every element {ns}local below el, in document order.
func descendants(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		for _, ch := range e.ChildElements() {
			if is(ch, ns, local) {
				out = append(out, ch)
			}
			walk(ch)
		}
	}
	if el != nil {
		walk(el)
	}
	return out
}

// response returns the samlp:Response root of the document.
func response(c *Context) (*etree.Element, error) {
	if c == nil || c.Doc == nil {
		return nil, fmt.Errorf("no response document in the context")
	}
	root := c.Doc.Root()
	if root == nil {
		return nil, fmt.Errorf("the response document is empty")
	}
	if !is(root, wire.NSProtocol, "Response") {
		return nil, fmt.Errorf("the root element is {%s}%s, not samlp:Response", root.NamespaceURI(), root.Tag)
	}
	return root, nil
}

// assertions returns the saml:Assertion children of the Response.
func assertions(c *Context) ([]*etree.Element, error) {
	resp, err := response(c)
	if err != nil {
		return nil, err
	}
	as := children(resp, wire.NSAssertion, "Assertion")
	if len(as) == 0 {
		return nil, fmt.Errorf("the Response has no saml:Assertion child (removed, or encrypted?)")
	}
	return as, nil
}

// firstAssertion returns the first saml:Assertion child of the Response.
func firstAssertion(c *Context) (*etree.Element, error) {
	as, err := assertions(c)
	if err != nil {
		return nil, err
	}
	return as[0], nil
}

// signatureOf returns el's enveloped ds:Signature (a direct child), or nil.
func signatureOf(el *etree.Element) *etree.Element {
	return child(el, wire.NSDSig, "Signature")
}

// nameIDOf returns assertion/Subject/NameID, or nil.
func nameIDOf(assertion *etree.Element) *etree.Element {
	return child(child(assertion, wire.NSAssertion, "Subject"), wire.NSAssertion, "NameID")
}

// subjectConfirmationData returns every Subject/SubjectConfirmation/
// SubjectConfirmationData of assertion.
func subjectConfirmationData(assertion *etree.Element) []*etree.Element {
	var out []*etree.Element
	for _, sc := range children(child(assertion, wire.NSAssertion, "Subject"), wire.NSAssertion, "SubjectConfirmation") {
		out = append(out, children(sc, wire.NSAssertion, "SubjectConfirmationData")...)
	}
	return out
}

// isRoot reports whether el is a top-level element (its parent, if any, is
// the document itself).
func isRoot(el *etree.Element) bool {
	return el.Parent() == nil || el.Parent().Parent() == nil
}

// insertAfterIssuer inserts el where the schema puts the element following
// Issuer (and any Signature) in parent: after Issuer and ds:Signature
// children, or first when there is neither.
func insertAfterIssuer(parent, el *etree.Element) {
	idx := 0
	for _, ch := range parent.ChildElements() {
		if is(ch, wire.NSAssertion, "Issuer") || is(ch, wire.NSDSig, "Signature") {
			idx = ch.Index() + 1
			continue
		}
		break
	}
	parent.InsertChildAt(idx, el)
}

// insertBefore inserts el immediately before sibling.
func insertBefore(sibling, el *etree.Element) {
	sibling.Parent().InsertChildAt(sibling.Index(), el)
}

// insertAfter inserts el immediately after sibling.
func insertAfter(sibling, el *etree.Element) {
	sibling.Parent().InsertChildAt(sibling.Index()+1, el)
}

// scope returns the namespace bindings in scope at el, including el's own
// declarations ("" is the default namespace).
func scope(el *etree.Element) map[string]string {
	var chain []*etree.Element
	for e := el; e != nil; e = e.Parent() {
		chain = append(chain, e)
	}
	out := map[string]string{}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, a := range chain[i].Attr {
			switch {
			case a.Space == "xmlns":
				out[a.Key] = a.Value
			case a.Space == "" && a.Key == "xmlns":
				out[""] = a.Value
			}
		}
	}
	return out
}

// prefixIn returns a prefix bound to ns in scope at el (preferring Okta's
// name, then the alphabetically first), and whether one was found.
func prefixIn(el *etree.Element, ns string) (string, bool) {
	sc := scope(el)
	if p, ok := preferredPrefix[ns]; ok && sc[p] == ns {
		return p, true
	}
	var found []string
	for p, u := range sc {
		if u == ns {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return "", false
	}
	sort.Strings(found)
	return found[0], true
}

// newElement returns a new element {ns}local meant to be placed under
// parent: it uses a prefix in scope there, or declares Okta's prefix on the
// new element.
func newElement(parent *etree.Element, ns, local string) *etree.Element {
	el := etree.NewElement(local)
	if p, ok := prefixIn(parent, ns); ok {
		el.Space = p
		return el
	}
	p := preferredPrefix[ns]
	if p == "" {
		p = "ns"
	}
	el.Space = p
	el.CreateAttr("xmlns:"+p, ns)
	return el
}

// pinNamespaces declares on dst every namespace binding src inherits from
// its ancestors and dst does not declare itself, so that dst (src or a copy
// of it) keeps its meaning wherever it is placed. Extra declarations do not
// change an exclusive canonical form (unused ones are dropped, and an
// InclusiveNamespaces prefix was in scope before too), so signed content
// moved this way still digests the same. Call it before detaching src.
func pinNamespaces(src, dst *etree.Element) {
	if src.Parent() == nil {
		return
	}
	inherited := scope(src.Parent())
	own := map[string]bool{}
	for _, a := range dst.Attr {
		if a.Space == "xmlns" {
			own[a.Key] = true
		} else if a.Space == "" && a.Key == "xmlns" {
			own[""] = true
		}
	}
	prefixes := make([]string, 0, len(inherited))
	for p := range inherited {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		if own[p] || p == "xml" {
			continue
		}
		if p == "" {
			dst.CreateAttr("xmlns", inherited[p])
		} else {
			dst.CreateAttr("xmlns:"+p, inherited[p])
		}
	}
}

// detachedCopy returns a copy of el that keeps its namespace bindings
// wherever it is placed.
func detachedCopy(el *etree.Element) *etree.Element {
	cp := el.Copy()
	pinNamespaces(el, cp)
	return cp
}

// detach detaches el from its parent (pinning its namespaces first) and
// returns it, ready to be inserted elsewhere.
func detach(el *etree.Element) *etree.Element {
	pinNamespaces(el, el)
	if p := el.Parent(); p != nil {
		p.RemoveChild(el)
	}
	return el
}

// setText replaces all character data, comments and processing
// instructions directly inside el with text, keeping child elements.
func setText(el *etree.Element, text string) {
	kept := el.Child[:0]
	for _, t := range el.Child {
		if _, isEl := t.(*etree.Element); isEl {
			kept = append(kept, t)
		}
	}
	el.Child = kept
	el.ReindexChildren()
	if text != "" {
		el.InsertChildAt(0, etree.NewText(text))
	}
}

// pathStep is one step of an element path: a local name (or "*"), an
// optional namespace (from a known prefix) and a 1-based index.
type pathStep struct {
	ns    string
	anyNS bool
	local string
	index int
}

// parsePath parses "Response/Assertion[2]/saml:Conditions": local names from
// the root, each optionally prefixed with a known prefix (saml, samlp, ds,
// xenc, …) to require that namespace, and optionally indexed ([n], 1-based,
// counting siblings that match the step).
func parsePath(path string) ([]pathStep, error) {
	path = strings.Trim(strings.TrimSpace(path), "/")
	if path == "" {
		return nil, fmt.Errorf("empty element path")
	}
	var steps []pathStep
	for _, raw := range strings.Split(path, "/") {
		st := pathStep{index: 1, anyNS: true}
		name := raw
		if i := strings.IndexByte(name, '['); i >= 0 {
			if !strings.HasSuffix(name, "]") {
				return nil, fmt.Errorf("path step %q: unclosed index", raw)
			}
			n, err := strconv.Atoi(name[i+1 : len(name)-1])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("path step %q: index must be a positive integer (1 is the first)", raw)
			}
			st.index = n
			name = name[:i]
		}
		if p, local, ok := strings.Cut(name, ":"); ok {
			ns, known := knownPrefixes[p]
			if !known {
				return nil, fmt.Errorf("path step %q: unknown prefix %q (known: saml, saml2, samlp, saml2p, ds, xenc)", raw, p)
			}
			st.ns, st.anyNS, name = ns, false, local
		}
		if name == "" {
			return nil, fmt.Errorf("path step %q: empty name", raw)
		}
		st.local = name
		steps = append(steps, st)
	}
	return steps, nil
}

func (st pathStep) matches(el *etree.Element) bool {
	if st.local != "*" && el.Tag != st.local {
		return false
	}
	return st.anyNS || el.NamespaceURI() == st.ns
}

// resolvePath returns the element path addresses in doc (see parsePath).
func resolvePath(doc *etree.Document, path string) (*etree.Element, error) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	if doc == nil || doc.Root() == nil {
		return nil, fmt.Errorf("no document")
	}
	var cur *etree.Element
	for i, st := range steps {
		var candidates []*etree.Element
		if i == 0 {
			candidates = []*etree.Element{doc.Root()}
		} else {
			candidates = cur.ChildElements()
		}
		n := 0
		var next *etree.Element
		for _, el := range candidates {
			if st.matches(el) {
				n++
				if n == st.index {
					next = el
					break
				}
			}
		}
		if next == nil {
			where := "the document root"
			if i > 0 {
				where = cur.GetPath()
			}
			return nil, fmt.Errorf("path %q: no element %s (match %d) under %s (found %d)", path, stepString(st), st.index, where, n)
		}
		cur = next
	}
	return cur, nil
}

func stepString(st pathStep) string {
	if st.anyNS {
		return st.local
	}
	return "{" + st.ns + "}" + st.local
}
