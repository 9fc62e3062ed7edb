package sp

import (
	"strings"

	"github.com/beevik/etree"
)

// isElem reports whether el is the element {ns}local, matching the
// namespace URI (never the prefix).
func isElem(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// childElems returns the direct children {ns}local of el, in order.
func childElems(el *etree.Element, ns, local string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if isElem(c, ns, local) {
			out = append(out, c)
		}
	}
	return out
}

// childElem returns the first direct child {ns}local of el, or nil.
func childElem(el *etree.Element, ns, local string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if isElem(c, ns, local) {
			return c
		}
	}
	return nil
}

// textContent concatenates the character data directly inside el (all of
// it, not only the first run, so a comment or CDATA split cannot truncate a
// value).
func textContent(el *etree.Element) string {
	if el == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// attrValue returns an unprefixed attribute's value and whether it is present.
func attrValue(el *etree.Element, key string) (string, bool) {
	if el == nil {
		return "", false
	}
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// walkElements visits el and its descendants in document order.
func walkElements(el *etree.Element, visit func(*etree.Element)) {
	visit(el)
	for _, c := range el.ChildElements() {
		walkElements(c, visit)
	}
}

// hasAncestor reports whether some proper ancestor of el (up to, excluding,
// stop) satisfies pred.
func hasAncestor(el, stop *etree.Element, pred func(*etree.Element) bool) bool {
	for p := el.Parent(); p != nil && p != stop; p = p.Parent() {
		if pred(p) {
			return true
		}
	}
	return false
}
