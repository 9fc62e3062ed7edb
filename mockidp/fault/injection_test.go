package fault

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

func TestSplitAt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, at, before string
	}{
		{"admin@acme.test.evil.test", "", "admin@acme.test"},
		{"admin@acme.test.evil.test", "domain-label-2", "admin@acme.test"},
		{"alice@acme.test", "", "alice@"},
		{"alice@acme.test", "@", "alice@"},
		{"alice@acme.test", "after:acme", "alice@acme"},
		{"alice@acme.test", "3", "ali"},
		{"ünï@x.y", "2", "ün"},
	} {
		i, err := splitAt(tc.text, tc.at)
		if err != nil || tc.text[:i] != tc.before {
			t.Errorf("splitAt(%q, %q) = %q, %v; want %q", tc.text, tc.at, tc.text[:i], err, tc.before)
		}
	}
	for _, tc := range []struct{ text, at string }{{"nobody", ""}, {"a@b", "after:zz"}, {"a@b", "99"}, {"a@b", "-1"}, {"a@b", "after:"}} {
		if _, err := splitAt(tc.text, tc.at); err == nil {
			t.Errorf("splitAt(%q, %q) accepted", tc.text, tc.at)
		}
	}
}

// Post-sign comment, CDATA and reference injection keep both signatures
// valid: exclusive C14N ignores comments and reads CDATA and references as
// text.
func TestInjectionKeepsSignatures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		faults  []Fault
		rawHas  string
		settle  func(*etree.Document) // reparse settings
		firstTx string                // what a first-text-node reader sees in the NameID
	}{
		{[]Fault{fault("set-nameid", "value", "admin@acme.test.evil.test"), fault("comment-in-nameid")},
			"admin@acme.test<!---->.evil.test", nil, "admin@acme.test"},
		{[]Fault{fault("comment-in-nameid", "at", "after:alice", "comment", " attack! ")},
			"alice<!-- attack! -->@acme.test", nil, "alice"},
		{[]Fault{fault("cdata-in-nameid", "at", "@")}, "alice@<![CDATA[]]>acme.test", nil, "alice@"},
		{[]Fault{fault("cdata-in-nameid", "mode", "wrap")}, "<![CDATA[alice@acme.test]]>", nil, "alice@acme.test"},
		{[]Fault{fault("entity-in-nameid", "form", "char-ref", "at", "@")}, "alice@&#x61;cme.test", nil, "alice@acme.test"},
		{[]Fault{fault("entity-in-nameid")}, "alice@&e;", func(d *etree.Document) { d.ReadSettings.Entity = map[string]string{"e": "acme.test"} }, "alice@acme.test"},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.faults[len(tc.faults)-1].String(), func(t *testing.T) {
			t.Parallel()
			c := run(t, tc.faults...)
			wantContains(t, string(c.Raw), tc.rawHas)
			doc := etree.NewDocument()
			if tc.settle != nil {
				tc.settle(doc)
			}
			if err := doc.ReadFromBytes(c.Raw); err != nil {
				t.Fatal(err)
			}
			resp, err := response(ctxFor(doc))
			if err != nil {
				t.Fatal(err)
			}
			a := child(resp, wire.NSAssertion, "Assertion")
			if got := firstTextNode(nameIDOf(a)); got != tc.firstTx {
				t.Errorf("first text node %q, want %q", got, tc.firstTx)
			}
			if err := verify(t, a); err != nil {
				t.Errorf("Assertion: %v", err)
			}
			if err := verify(t, resp); err != nil {
				t.Errorf("Response: %v", err)
			}
		})
	}
	// The internal entity comes with a DOCTYPE declaring it.
	c := run(t, fault("entity-in-nameid"))
	wantContains(t, string(c.Raw), `<!DOCTYPE saml2p:Response [<!ENTITY e "acme.test">]><saml2p:Response`)
	// comment-in-text on an AttributeValue.
	c = run(t, fault("comment-in-text", "path", "Response/Assertion/AttributeStatement/Attribute/AttributeValue", "at", "@"))
	wantContains(t, string(c.Raw), `xsi:type="xs:string">alice@<!---->acme.test</saml2:AttributeValue>`)
	resp, _ := delivered(t, c)
	if err := verify(t, resp); err != nil {
		t.Error(err)
	}
	// Comments may not hold "--".
	if err := stages(t, newContext(t), StagePostSign, fault("comment-in-nameid", "comment", "a--b")); err == nil {
		t.Error("-- accepted in a comment")
	}
}

// firstTextNode is what a naive reader takes as the element's value.
func firstTextNode(el *etree.Element) string {
	if len(el.Child) == 0 {
		return ""
	}
	if cd, ok := el.Child[0].(*etree.CharData); ok {
		return cd.Data
	}
	return ""
}

func TestNormalisationFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		f    Fault
		want string
	}{
		{fault("whitespace-in-nameid"), "  alice@acme.test\n"},
		{fault("whitespace-in-nameid", "form", "nbsp"), "\u00a0alice@acme.test\u00a0"},
		{fault("case-in-nameid"), "Alice@Acme.Test"},
		{fault("case-in-nameid", "form", "upper-domain"), "alice@ACME.TEST"},
		{fault("unicode-in-nameid"), "ªlice@acme.test"},
		{fault("unicode-in-nameid", "form", "fullwidth"), "ａｌｉｃｅ＠ａｃｍｅ．ｔｅｓｔ"},
		{fault("unicode-in-nameid", "form", "homoglyph"), "\u0430lice@acme.test"},
		{fault("unicode-in-nameid", "form", "zero-width"), "a\u200blice@acme.test"},
	}
	for _, tc := range cases {
		for _, before := range []bool{false, true} {
			f := tc.f
			if before {
				f = Fault{Name: f.Name + "-before-sign", Params: f.Params}
			}
			_, a := delivered(t, run(t, f))
			if got := nameIDOf(a).Text(); got != tc.want {
				t.Errorf("%s: NameID %q, want %q", f, got, tc.want)
			}
			err := verify(t, a)
			if before && err != nil {
				t.Errorf("%s: the IdP should have signed it: %v", f, err)
			}
			if !before && err == nil {
				t.Errorf("%s: post-sign change still verifies", f)
			}
		}
	}
	// The comment and CDATA twins: the IdP signs the split text.
	_, a := delivered(t, run(t, fault("comment-in-nameid-before-sign", "at", "@"), fault("c14n-with-comments")))
	if err := verify(t, a); err != nil || firstTextNode(nameIDOf(a)) != "alice@" {
		t.Errorf("signed comment: %v", err)
	}
	_, a = delivered(t, run(t, fault("set-nameid", "name-qualifier", "https://idp.example")))
	if nameIDOf(a).SelectAttrValue("NameQualifier", "") != "https://idp.example" {
		t.Error("NameQualifier")
	}
	if err := stages(t, newContext(t), StagePostSign, fault("set-nameid", "value", "xyz@qq"), fault("unicode-in-nameid", "form", "homoglyph")); err == nil || !strings.Contains(err.Error(), "no character") {
		t.Errorf("homoglyph without candidates: %v", err)
	}
}
