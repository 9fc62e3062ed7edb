package fault

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// delivered returns the reparsed delivered Response and its first Assertion.
func delivered(t *testing.T, c *Context) (*etree.Element, *etree.Element) {
	t.Helper()
	doc := reparse(t, c.Raw)
	resp, err := response(ctxFor(doc))
	if err != nil {
		t.Fatal(err)
	}
	return resp, child(resp, wire.NSAssertion, "Assertion")
}

func TestEditorsPreSignAreSignedPostSignBreak(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		params []string
		check  func(t *testing.T, resp, a *etree.Element)
	}{
		{"set-attr", []string{"path", "Response/Assertion/Conditions", "attr", "NotOnOrAfter", "value", "2000-01-01T00:00:00.000Z"},
			func(t *testing.T, resp, a *etree.Element) {
				if v := child(a, wire.NSAssertion, "Conditions").SelectAttrValue("NotOnOrAfter", ""); v != "2000-01-01T00:00:00.000Z" {
					t.Errorf("NotOnOrAfter %q", v)
				}
			}},
		{"remove-attr", []string{"path", "Response", "attr", "Destination"},
			func(t *testing.T, resp, a *etree.Element) {
				if resp.SelectAttr("Destination") != nil {
					t.Error("Destination still there")
				}
			}},
		{"set-text", []string{"path", "Response/Assertion/Subject/NameID", "value", "bob@acme.test"},
			func(t *testing.T, resp, a *etree.Element) {
				if v := nameIDOf(a).Text(); v != "bob@acme.test" {
					t.Errorf("NameID %q", v)
				}
			}},
		{"remove-element", []string{"path", "Response/Assertion/AuthnStatement"},
			func(t *testing.T, resp, a *etree.Element) {
				if child(a, wire.NSAssertion, "AuthnStatement") != nil {
					t.Error("AuthnStatement still there")
				}
			}},
		{"insert-xml", []string{"path", "Response/Assertion/Conditions/AudienceRestriction", "position", "after", "xml", `<saml2:OneTimeUse/><!-- c --><saml2:ProxyRestriction Count="1"/>`},
			func(t *testing.T, resp, a *etree.Element) {
				cond := child(a, wire.NSAssertion, "Conditions")
				kids := cond.ChildElements()
				if len(kids) != 3 || !is(kids[1], wire.NSAssertion, "OneTimeUse") || !is(kids[2], wire.NSAssertion, "ProxyRestriction") {
					t.Errorf("Conditions children %v", tags(kids))
				}
			}},
		{"duplicate-element", []string{"path", "Response/Assertion/Conditions/AudienceRestriction"},
			func(t *testing.T, resp, a *etree.Element) {
				if n := len(children(child(a, wire.NSAssertion, "Conditions"), wire.NSAssertion, "AudienceRestriction")); n != 2 {
					t.Errorf("%d AudienceRestrictions", n)
				}
			}},
		{"rename-element", []string{"path", "Response/Assertion/Conditions", "tag", "saml2:Kondition"},
			func(t *testing.T, resp, a *etree.Element) {
				if child(a, wire.NSAssertion, "Kondition") == nil || child(a, wire.NSAssertion, "Conditions") != nil {
					t.Error("Conditions not renamed")
				}
			}},
	}
	for _, tc := range cases {
		tc := tc
		for _, after := range []bool{false, true} {
			name := tc.name
			if after {
				name += "-after-sign"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c := run(t, fault(name, tc.params...))
				resp, a := delivered(t, c)
				tc.check(t, resp, a)
				err := verify(t, resp)
				if after && err == nil {
					t.Error("the Response signature still verifies after a post-sign edit")
				}
				if !after && err != nil {
					t.Errorf("the Response signature does not verify after a pre-sign edit: %v", err)
				}
			})
		}
	}
}

func tags(els []*etree.Element) []string {
	var out []string
	for _, e := range els {
		out = append(out, e.FullTag())
	}
	return out
}

func TestPaths(t *testing.T) {
	t.Parallel()
	c := runTo(t, StagePostSign, fault("xsw7"))
	doc := c.Doc
	// Un-prefixed steps match any namespace; a known prefix pins it.
	if el := mustFind(t, doc, "Response/Extensions"); el.NamespaceURI() != "" {
		t.Errorf("XSW7 Extensions namespace %q", el.NamespaceURI())
	}
	if _, err := resolvePath(doc, "Response/samlp:Extensions"); err == nil {
		t.Error("samlp:Extensions matched the un-namespaced Extensions")
	}
	if el := mustFind(t, doc, "/Response/saml:Assertion[1]/ds:Signature/SignedInfo"); !is(el, wire.NSDSig, "SignedInfo") {
		t.Error("prefixed path")
	}
	if id := mustFind(t, doc, "Response/Extensions/Assertion").SelectAttrValue("ID", ""); id != testAssertionID {
		t.Errorf("XSW7 copy ID %q", id)
	}
	if _, err := resolvePath(doc, "Response/Assertion[2]"); err == nil || !strings.Contains(err.Error(), "found 1") {
		t.Errorf("index past the end: %v", err)
	}
	for _, bad := range []string{"", "Response/Assertion[0]", "Response/Assertion[x]", "Response/zz:Assertion", "Response/Assertion[1"} {
		if _, err := resolvePath(doc, bad); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
	if _, err := resolvePath(doc, "Assertion"); err == nil {
		t.Error("the first step must match the root")
	}
	if el := mustFind(t, doc, "*/*[3]"); !is(el, wire.NSProtocol, "Status") {
		t.Errorf("wildcards: %s", el.FullTag())
	}
}

func TestInsertXMLSnippets(t *testing.T) {
	t.Parallel()
	// A known prefix used undeclared is declared for the snippet.
	c := runTo(t, StagePreSign, fault("insert-xml", "path", "Response", "position", "first", "xml", `<samlp:Extensions><x:Y xmlns:x="urn:x"/></samlp:Extensions>`))
	resp, _ := response(c)
	first := resp.ChildElements()[0]
	if !is(first, wire.NSProtocol, "Extensions") || first.SelectAttrValue("xmlns:samlp", "") != wire.NSProtocol {
		t.Errorf("first child %s %v", first.FullTag(), first.Attr)
	}
	for _, bad := range []string{`<unknown:X/>`, `<a>`, ``, `  `} {
		c := newContext(t)
		if err := Apply(StagePreSign, c, []Fault{fault("insert-xml", "path", "Response", "xml", bad)}); err == nil {
			t.Errorf("snippet %q accepted", bad)
		}
	}
	c = newContext(t)
	if err := Apply(StagePreSign, c, []Fault{fault("insert-xml", "path", "Response", "position", "before", "xml", "<a/>")}); err == nil {
		t.Error("inserted before the root")
	}
	if err := Apply(StagePreSign, c, []Fault{fault("remove-element", "path", "Response")}); err == nil {
		t.Error("removed the root")
	}
	if err := Apply(StagePreSign, c, []Fault{fault("rename-element", "path", "Response", "tag", "zz:R")}); err == nil {
		t.Error("renamed with an unbound unknown prefix")
	}
}
