package fault

import (
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// Generic editors addressed by an element path (see parsePath): local names
// from the root, e.g. "Response/Assertion/Conditions", optionally with a
// known prefix to pin the namespace ("Response/ds:Signature") and a 1-based
// index ("Response/Assertion[2]"). Each has a pre-sign form (the IdP signs
// the result) and an -after-sign twin (the signature no longer matches,
// unless the edit lies outside what is signed).

var pathParam = ParamSpec{Name: "path", Required: true,
	Summary: "element path of local names from the root, e.g. Response/Assertion/Conditions; a step may carry a known prefix (saml, samlp, ds, xenc) to pin its namespace and a 1-based index, e.g. Response/Assertion[2]"}

type editor struct {
	name    string
	summary string
	params  []ParamSpec
	apply   func(c *Context, f Fault) error
}

var editors = []editor{
	{
		name:    "set-attr",
		summary: "set (or add) attribute attr of the element at path to value",
		params: []ParamSpec{pathParam,
			{Name: "attr", Required: true, Summary: "attribute name; a prefix (xsi:type) must be bound at the element"},
			{Name: "value", Required: true, Summary: "new attribute value"}},
		apply: func(c *Context, f Fault) error {
			el, err := resolvePath(c.Doc, f.Param("path", ""))
			if err != nil {
				return err
			}
			el.CreateAttr(f.Param("attr", ""), f.Param("value", ""))
			return nil
		},
	},
	{
		name:    "remove-attr",
		summary: "remove attribute attr from the element at path",
		params: []ParamSpec{pathParam,
			{Name: "attr", Required: true, Summary: "attribute name"}},
		apply: func(c *Context, f Fault) error {
			el, err := resolvePath(c.Doc, f.Param("path", ""))
			if err != nil {
				return err
			}
			if el.RemoveAttr(f.Param("attr", "")) == nil {
				return fmt.Errorf("%s has no attribute %q", el.GetPath(), f.Param("attr", ""))
			}
			return nil
		},
	},
	{
		name:    "set-text",
		summary: "replace the text content of the element at path with value (child elements are kept)",
		params: []ParamSpec{pathParam,
			{Name: "value", Required: true, Summary: "new text (may be empty)"}},
		apply: func(c *Context, f Fault) error {
			el, err := resolvePath(c.Doc, f.Param("path", ""))
			if err != nil {
				return err
			}
			setText(el, f.Param("value", ""))
			return nil
		},
	},
	{
		name:    "remove-element",
		summary: "remove the element at path (not the root)",
		params:  []ParamSpec{pathParam},
		apply: func(c *Context, f Fault) error {
			el, err := resolvePath(c.Doc, f.Param("path", ""))
			if err != nil {
				return err
			}
			if isRoot(el) {
				return fmt.Errorf("cannot remove the root element")
			}
			el.Parent().RemoveChild(el)
			return nil
		},
	},
	{
		name:    "insert-xml",
		summary: "insert an XML snippet (one or more elements) relative to the element at path; the snippet declares its own namespaces, except that the known prefixes saml/saml2, samlp/saml2p, ds, xenc, xs, xsi are declared for it when it uses them undeclared",
		params: []ParamSpec{pathParam,
			{Name: "position", Default: "last", Values: []string{"first", "last", "before", "after"},
				Summary: "first or last child of the element, or its sibling before or after it"},
			{Name: "xml", Required: true, Summary: "the snippet, e.g. <saml2:OneTimeUse xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>"}},
		apply: func(c *Context, f Fault) error {
			el, err := resolvePath(c.Doc, f.Param("path", ""))
			if err != nil {
				return err
			}
			tokens, err := parseSnippet(f.Param("xml", ""))
			if err != nil {
				return err
			}
			return insertTokens(el, f.Param("position", "last"), tokens)
		},
	},
	{
		name:    "duplicate-element",
		summary: "insert a copy of the element at path immediately after it (same ID, same content)",
		params:  []ParamSpec{pathParam},
		apply: func(c *Context, f Fault) error {
			el, err := resolvePath(c.Doc, f.Param("path", ""))
			if err != nil {
				return err
			}
			if isRoot(el) {
				return fmt.Errorf("cannot duplicate the root element (see xsw-signed-error-plus-assertion for a second root)")
			}
			insertAfter(el, el.Copy())
			return nil
		},
	},
	{
		name:    "rename-element",
		summary: "rename the element at path to tag (local name, or prefix:local with a prefix bound at the element or a known prefix, which is then declared)",
		params: []ParamSpec{pathParam,
			{Name: "tag", Required: true, Summary: "new name, e.g. Assertion2 or saml2:Foo"}},
		apply: func(c *Context, f Fault) error {
			el, err := resolvePath(c.Doc, f.Param("path", ""))
			if err != nil {
				return err
			}
			return rename(el, f.Param("tag", ""))
		},
	},
}

// editorNamed returns the editor called name.
func editorNamed(name string) editor {
	for _, e := range editors {
		if e.name == name {
			return e
		}
	}
	panic("fault: no editor " + name)
}

func init() {
	for _, e := range editors {
		registerAll(e.beforeSigning, e.afterSigning)
	}
}

// beforeSigning is the editor's pre-sign fault: the signature covers the
// change.
func (e editor) beforeSigning() Spec {
	return Spec{Name: e.name, Stage: StagePreSign, Resigns: true,
		Summary: e.summary + "; before signing, so the signature covers the change",
		Params:  e.params, Apply: e.apply}
}

// afterSigning is the editor's post-sign twin ("-after-sign").
func (e editor) afterSigning() Spec {
	return Spec{Name: e.name + "-after-sign", Stage: StagePostSign, Resigns: false,
		Summary: e.summary + "; after signing, so a signature over the element no longer verifies",
		Params:  e.params, Apply: e.apply}
}

// rename gives el a new (possibly prefixed) name.
func rename(el *etree.Element, tag string) error {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return fmt.Errorf("empty tag")
	}
	p, local, prefixed := strings.Cut(tag, ":")
	if !prefixed {
		el.Tag = tag
		return nil
	}
	if local == "" || p == "" {
		return fmt.Errorf("tag %q is not prefix:local", tag)
	}
	if _, bound := scope(el)[p]; !bound {
		ns, known := knownPrefixes[p]
		if !known {
			return fmt.Errorf("prefix %q is not bound at %s and is not a known prefix", p, el.GetPath())
		}
		el.CreateAttr("xmlns:"+p, ns)
	}
	el.Space, el.Tag = p, local
	return nil
}

// parseSnippet parses one or more XML elements (with comments or text
// between them) and returns them as detached tokens. Known prefixes the
// snippet uses without declaring are declared on each top-level element;
// any other undeclared prefix is an error.
func parseSnippet(snippet string) ([]etree.Token, error) {
	if strings.TrimSpace(snippet) == "" {
		return nil, fmt.Errorf("empty XML snippet")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString("<samlharness-snippet>" + snippet + "</samlharness-snippet>"); err != nil {
		return nil, fmt.Errorf("XML snippet does not parse: %v", err)
	}
	wrapper := doc.Root()
	var out []etree.Token
	for _, t := range wrapper.Child {
		if el, ok := t.(*etree.Element); ok {
			if err := declareKnownPrefixes(el); err != nil {
				return nil, err
			}
		}
		out = append(out, t)
	}
	for _, t := range out {
		wrapper.RemoveChild(t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("XML snippet holds nothing")
	}
	return out, nil
}

// declareKnownPrefixes declares on top the known prefixes its subtree uses
// without a declaration in scope, and fails on unknown undeclared prefixes.
func declareKnownPrefixes(top *etree.Element) error {
	missing := map[string]bool{}
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		sc := scope(e)
		check := func(p string) {
			if p == "" || p == "xmlns" || p == "xml" {
				return
			}
			if _, ok := sc[p]; !ok {
				missing[p] = true
			}
		}
		check(e.Space)
		for _, a := range e.Attr {
			check(a.Space)
		}
		for _, ch := range e.ChildElements() {
			walk(ch)
		}
	}
	walk(top)
	prefixes := make([]string, 0, len(missing))
	for p := range missing {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		ns, known := knownPrefixes[p]
		if !known {
			return fmt.Errorf("XML snippet uses prefix %q without declaring it", p)
		}
		top.CreateAttr("xmlns:"+p, ns)
	}
	return nil
}

// insertTokens inserts tokens relative to el.
func insertTokens(el *etree.Element, position string, tokens []etree.Token) error {
	switch position {
	case "first":
		for i, t := range tokens {
			el.InsertChildAt(i, t)
		}
	case "last", "":
		for _, t := range tokens {
			el.AddChild(t)
		}
	case "before", "after":
		if isRoot(el) {
			return fmt.Errorf("cannot insert %s the root element", position)
		}
		parent := el.Parent()
		idx := el.Index()
		if position == "after" {
			idx++
		}
		for i, t := range tokens {
			parent.InsertChildAt(idx+i, t)
		}
	default:
		return fmt.Errorf("position %q is not first, last, before or after", position)
	}
	return nil
}
