package fault

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/internal/wire"
)

func TestDoctype(t *testing.T) {
	t.Parallel()
	base := len(run(t).Raw)
	cases := []struct {
		params []string
		has    []string
		hasNot []string
		verify bool // the Response signature still verifies (no reference in signed text)
	}{
		{nil, []string{`?><!DOCTYPE saml2p:Response [<!ENTITY harness "samlharness">]><saml2p:Response `}, []string{"&harness;"}, true},
		{[]string{"kind", "external-entity"}, []string{`<!ENTITY xxe SYSTEM "file:///etc/hostname">`, "alice@acme.test&xxe;</saml2:NameID>"}, nil, false},
		{[]string{"kind", "external-entity", "url", "http://127.0.0.1:9/xxe", "ref", "issuer"}, []string{`SYSTEM "http://127.0.0.1:9/xxe"`, "exk1a2b3c4d5e6f7g8h9&xxe;</saml2:Issuer>"}, nil, false},
		{[]string{"kind", "billion-laughs"}, []string{`<!ENTITY lol "lol">`, `<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">`, "&lol9;</saml2:NameID>"}, nil, false},
		{[]string{"kind", "billion-laughs", "ref", "none"}, []string{"lol9"}, []string{"&lol9;<"}, true},
		{[]string{"kind", "parameter-entity"}, []string{`[<!ENTITY % dtd SYSTEM "file:///etc/hostname">%dtd;]>`}, []string{"&"}, true},
	}
	for _, tc := range cases {
		c := run(t, fault("doctype", tc.params...))
		raw := string(c.Raw)
		for _, h := range tc.has {
			wantContains(t, raw, h)
		}
		for _, h := range tc.hasNot {
			if strings.Contains(raw, h) {
				t.Errorf("%v: unexpected %q", tc.params, h)
			}
		}
		if len(raw)-base > 2000 {
			t.Errorf("%v: the DTD made the response %d bytes bigger", tc.params, len(raw)-base)
		}
		if strings.Count(raw, "<!DOCTYPE") != 1 {
			t.Errorf("%v: %d DOCTYPEs", tc.params, strings.Count(raw, "<!DOCTYPE"))
		}
		if tc.verify {
			resp, a := delivered(t, c)
			if err := verify(t, resp); err != nil {
				t.Errorf("%v: Response: %v", tc.params, err)
			}
			if err := verify(t, a); err != nil {
				t.Errorf("%v: Assertion: %v", tc.params, err)
			}
		}
	}
	// Two DTD faults share one DOCTYPE.
	c := run(t, fault("doctype"), fault("entity-in-nameid"))
	wantContains(t, string(c.Raw), `<!DOCTYPE saml2p:Response [<!ENTITY harness "samlharness"><!ENTITY e "acme.test">]>`)
}

func TestProcessingInstruction(t *testing.T) {
	t.Parallel()
	c := run(t, fault("processing-instruction"))
	wantContains(t, string(c.Raw), `?><?xml-stylesheet type="text/xsl" href="http://127.0.0.1:9/samlharness.xsl"?><saml2p:Response `)
	resp, _ := delivered(t, c)
	if err := verify(t, resp); err != nil {
		t.Errorf("prolog PI must not break the signature: %v", err)
	}
	c = run(t, fault("processing-instruction", "where", "nameid", "target", "evil", "data", "x"))
	wantContains(t, string(c.Raw), `alice@<?evil x?>acme.test</saml2:NameID>`)
	_, a := delivered(t, c)
	if err := verify(t, a); err == nil {
		t.Error("a PI in signed text should break the digest")
	}
	c = run(t, fault("processing-instruction", "where", "response"))
	wantContains(t, string(c.Raw), `xmlns:xs="`+wire.NSXS+`"><?xml-stylesheet`)
	if err := stages(t, newContext(t), StagePostSign, fault("processing-instruction", "target", "xml")); err == nil {
		t.Error("PI target xml accepted")
	}
}

func TestDeepNestingAndOversize(t *testing.T) {
	t.Parallel()
	base := len(run(t).Raw)
	start := time.Now()
	c := run(t, fault("deep-nesting"))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("deep-nesting took %v", d)
	}
	raw := string(c.Raw)
	if !strings.Contains(raw, "</ds:Signature><saml2p:Extensions>"+strings.Repeat("<a>", 10000)+"</a>") {
		t.Error("no nesting inside samlp:Extensions after the Response signature")
	}
	if strings.Count(raw, "<a>") != 10000 || strings.Count(raw, "</a>") != 10000 {
		t.Error("depth")
	}
	if len(raw)-base > 10000*7+200 {
		t.Errorf("deep-nesting grew the response by %d bytes", len(raw)-base)
	}
	c = run(t, fault("deep-nesting", "depth", "5", "where", "advice"))
	wantContains(t, string(c.Raw), "<saml2:Advice><a><a><a><a><a></a></a></a></a></a></saml2:Advice>")
	if err := stages(t, newContext(t), StagePostSign, fault("deep-nesting", "depth", "2000000")); err == nil {
		t.Error("unbounded depth accepted")
	}

	const n = 1 << 20
	for _, where := range []string{"extensions", "attribute", "comment"} {
		c := run(t, fault("oversize", "bytes", "1048576", "where", where))
		grown := len(c.Raw) - base
		if grown < n || grown > n+300 {
			t.Errorf("%s: grew by %d bytes, want about %d", where, grown, n)
		}
		raw := c.Raw
		want := map[string]string{
			"extensions": `<pad:Padding xmlns:pad="urn:samlharness:padding">AAAA`,
			"attribute":  ` xmlns:pad="urn:samlharness:padding" pad:padding="AAAA`,
			"comment":    `</saml2p:Response><!--AAAA`,
		}[where]
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("%s: %q missing", where, want)
		}
		if where == "comment" {
			resp, _ := delivered(t, c)
			if err := verify(t, resp); err != nil {
				t.Errorf("padding after the root must not break the signature: %v", err)
			}
		}
	}
	if err := stages(t, newContext(t), StagePostSign, fault("oversize", "bytes", "100000000")); err == nil {
		t.Error("100 MB oversize accepted")
	}
}

func TestRoundTripHazards(t *testing.T) {
	t.Parallel()
	for shape, want := range map[string]string{
		"attr-double-colon":    `xmlns:xs="` + wire.NSXS + `" ::foo="bar">`,
		"attr-empty-name":      ` :="samlharness">`,
		"attr-empty-local":     ` saml2p:="samlharness">`,
		"xmlns-empty-prefix":   ` xmlns:="urn:samlharness:not-saml">`,
		"element-double-colon": `</saml2:Assertion><x::Element></::Element></saml2p:Response>`,
		"directive-comment":    `</saml2:Assertion><! <<!-- -->!-- x --> y></saml2p:Response>`,
	} {
		c := run(t, fault("xml-round-trip-hazard", "shape", shape))
		wantContains(t, string(c.Raw), want)
		if strings.Contains(string(c.Raw), "samlharness-raw-") {
			t.Errorf("%s: placeholder left", shape)
		}
	}
}
