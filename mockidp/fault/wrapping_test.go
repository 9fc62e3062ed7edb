package fault

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

const forgedName = "admin@acme.test"

// genuine asserts that el is the untouched signed element for sig: its
// digest matches and sig's SignatureValue verifies with the IdP key.
func genuine(t *testing.T, what string, el, sig *etree.Element) {
	t.Helper()
	if el == nil || sig == nil {
		t.Fatalf("%s: element or signature missing", what)
	}
	if !digestMatches(t, el, sig) {
		t.Errorf("%s: not what the signature's Reference was computed over", what)
	}
	if !signedInfoVerifies(t, sig, keys(t)["idp"].cert) {
		t.Errorf("%s: SignatureValue does not verify", what)
	}
	if nid := nameIDOf(el); nid == nil && is(el, wire.NSAssertion, "Assertion") || nid != nil && nid.Text() != testNameID {
		t.Errorf("%s: the genuine element's NameID changed", what)
	}
}

func forgedNameID(t *testing.T, what string, a *etree.Element) {
	t.Helper()
	n := nameIDOf(a)
	if n == nil || n.Text() != forgedName {
		t.Errorf("%s: NameID is not the forged identity", what)
	}
	if signatureOf(a) != nil && idOf(a) != testAssertionID {
		t.Logf("%s keeps a (dangling) signature", what)
	}
}

func TestXSW1to8(t *testing.T) {
	t.Parallel()
	cases := map[string]func(t *testing.T, resp *etree.Element, originalSig *etree.Element){
		"xsw1": func(t *testing.T, resp, _ *etree.Element) {
			if idOf(resp) != evilResponseID {
				t.Error("outer ID")
			}
			forgedNameID(t, "outer", child(resp, wire.NSAssertion, "Assertion"))
			sig := signatureOf(resp)
			kids := sig.ChildElements()
			clone := kids[len(kids)-1]
			if !is(clone, wire.NSProtocol, "Response") || idOf(clone) != testResponseID || signatureOf(clone) != nil {
				t.Fatal("clean clone is not the Signature's last child")
			}
			genuine(t, "clone in Signature", clone, sig)
		},
		"xsw2": func(t *testing.T, resp, _ *etree.Element) {
			sig := signatureOf(resp)
			clone := resp.ChildElements()[1]
			if idOf(resp) != evilResponseID || !is(clone, wire.NSProtocol, "Response") || clone.Index()+1 != sig.Index() {
				t.Fatal("clean clone is not right before the Signature")
			}
			forgedNameID(t, "outer", child(resp, wire.NSAssertion, "Assertion"))
			genuine(t, "clone before Signature", clone, sig)
		},
		"xsw3": func(t *testing.T, resp, _ *etree.Element) {
			as := children(resp, wire.NSAssertion, "Assertion")
			if len(as) != 2 || idOf(as[0]) != evilAssertionID || signatureOf(as[0]) != nil {
				t.Fatal("forged copy is not first")
			}
			forgedNameID(t, "first", as[0])
			genuine(t, "second", as[1], signatureOf(as[1]))
		},
		"xsw4": func(t *testing.T, resp, _ *etree.Element) {
			as := children(resp, wire.NSAssertion, "Assertion")
			if len(as) != 1 || idOf(as[0]) != evilAssertionID {
				t.Fatal("one forged Assertion expected at Response level")
			}
			forgedNameID(t, "outer", as[0])
			kids := as[0].ChildElements()
			inner := kids[len(kids)-1]
			if !is(inner, wire.NSAssertion, "Assertion") {
				t.Fatal("original not nested as last child")
			}
			genuine(t, "nested", inner, signatureOf(inner))
		},
		"xsw5": func(t *testing.T, resp, _ *etree.Element) {
			as := children(resp, wire.NSAssertion, "Assertion")
			if len(as) != 2 || idOf(as[0]) != evilAssertionID || signatureOf(as[0]) == nil || signatureOf(as[1]) != nil || idOf(as[1]) != testAssertionID {
				t.Fatal("shape")
			}
			forgedNameID(t, "first", as[0])
			genuine(t, "appended clean copy", as[1], signatureOf(as[0]))
		},
		"xsw6": func(t *testing.T, resp, _ *etree.Element) {
			as := children(resp, wire.NSAssertion, "Assertion")
			if len(as) != 1 || idOf(as[0]) != evilAssertionID {
				t.Fatal("shape")
			}
			forgedNameID(t, "forged", as[0])
			sig := signatureOf(as[0])
			kids := sig.ChildElements()
			genuine(t, "clean copy in Signature", kids[len(kids)-1], sig)
		},
		"xsw7": func(t *testing.T, resp, _ *etree.Element) {
			as := children(resp, wire.NSAssertion, "Assertion")
			ext := resp.ChildElements()[as[0].Index()-1]
			if ext.Tag != "Extensions" || ext.NamespaceURI() != "" {
				t.Fatal("no un-namespaced Extensions before the Assertion")
			}
			copyA := child(ext, wire.NSAssertion, "Assertion")
			if copyA == nil || idOf(copyA) != testAssertionID || signatureOf(copyA) != nil {
				t.Fatal("no forged same-ID copy in Extensions")
			}
			forgedNameID(t, "in Extensions", copyA)
			genuine(t, "original", as[0], signatureOf(as[0]))
		},
		"xsw8": func(t *testing.T, resp, _ *etree.Element) {
			as := children(resp, wire.NSAssertion, "Assertion")
			if len(as) != 1 || idOf(as[0]) != testAssertionID {
				t.Fatal("shape")
			}
			forgedNameID(t, "forged in place", as[0])
			sig := signatureOf(as[0])
			kids := sig.ChildElements()
			obj := kids[len(kids)-1]
			if obj.Tag != "Object" || obj.NamespaceURI() != "" {
				t.Fatal("no un-namespaced Object in the Signature")
			}
			genuine(t, "clean copy in Object", child(obj, wire.NSAssertion, "Assertion"), sig)
			if err := verify(t, as[0]); err == nil {
				t.Error("goxmldsig accepted the forged Assertion")
			}
		},
	}
	for name, check := range cases {
		name, check := name, check
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp, _ := delivered(t, run(t, fault(name)))
			check(t, resp, nil)
			if !strings.Contains(name, "1") && !strings.Contains(name, "2") {
				if err := verify(t, resp); err == nil {
					t.Error("the Response signature survived wrapping inside it")
				}
			}
		})
	}
	// Preconditions.
	for _, tc := range []struct{ xsw, unsigned string }{{"xsw1", "response"}, {"xsw2", "response"}, {"xsw3", "assertion"}, {"xsw8", "assertion"}} {
		err := stages(t, newContext(t), StagePostSign, fault("unsigned", "what", tc.unsigned), fault(tc.xsw))
		if err == nil || !strings.Contains(err.Error(), "needs a signed") {
			t.Errorf("%s without a signed %s: %v", tc.xsw, tc.unsigned, err)
		}
	}
	// A chosen identity.
	resp, _ := delivered(t, run(t, fault("xsw3", "nameid", "root@victim.test")))
	if nameIDOf(children(resp, wire.NSAssertion, "Assertion")[0]).Text() != "root@victim.test" {
		t.Error("nameid parameter ignored")
	}
	// No domain in the original NameID.
	resp, _ = delivered(t, run(t, fault("set-nameid", "value", "u12345"), fault("xsw3")))
	if nameIDOf(children(resp, wire.NSAssertion, "Assertion")[0]).Text() != "admin@forged.invalid" {
		t.Error("default forged identity without a domain")
	}
}

func TestXSWShapes(t *testing.T) {
	t.Parallel()
	t.Run("signed-error-plus-assertion", func(t *testing.T) {
		t.Parallel()
		pre := []Fault{fault("set-status", "code", "Requester"), fault("remove-assertion")}
		for _, as := range []string{"second-root", "in-signature", "child"} {
			c := run(t, append(pre, fault("xsw-signed-error-plus-assertion", "as", as))...)
			doc := reparse(t, c.Raw)
			resp := doc.Root()
			var forged *etree.Element
			switch as {
			case "second-root":
				roots := doc.ChildElements()
				if len(roots) != 2 {
					t.Fatalf("%d top-level elements", len(roots))
				}
				forged = roots[1]
			case "in-signature":
				forged = child(signatureOf(resp), wire.NSAssertion, "Assertion")
			default:
				forged = child(resp, wire.NSAssertion, "Assertion")
			}
			if forged == nil || nameIDOf(forged).Text() != forgedName || signatureOf(forged) != nil {
				t.Fatalf("%s: forged Assertion missing", as)
			}
			if code := child(child(resp, wire.NSProtocol, "Status"), wire.NSProtocol, "StatusCode"); code.SelectAttrValue("Value", "") != wire.StatusRequester {
				t.Error("not an error Response")
			}
			err := verify(t, resp)
			if as != "child" && err != nil {
				t.Errorf("%s: the error Response signature should still verify: %v", as, err)
			}
			if as == "child" && err == nil {
				t.Error("child: the Response signature should break")
			}
		}
		if err := stages(t, newContext(t), StagePostSign, fault("xsw-signed-error-plus-assertion")); err == nil || !strings.Contains(err.Error(), "remove-assertion") {
			t.Errorf("without remove-assertion: %v", err)
		}
	})
	t.Run("prolog-element", func(t *testing.T) {
		t.Parallel()
		for _, what := range []string{"nameid", "assertion"} {
			c := run(t, fault("xsw-prolog-element", "what", what))
			if !strings.Contains(string(c.Raw), "?>\n<saml2:") && !strings.Contains(string(c.Raw), "?><saml2:") {
				t.Errorf("%s: nothing before the root:\n%s", what, abbreviate(c.Raw))
			}
			doc := reparse(t, c.Raw)
			els := doc.ChildElements()
			if len(els) != 2 || !is(els[1], wire.NSProtocol, "Response") {
				t.Fatalf("%s: top-level elements %v", what, tags(els))
			}
			first := els[0]
			if what == "nameid" && (!is(first, wire.NSAssertion, "NameID") || first.Text() != forgedName) {
				t.Error("prolog NameID")
			}
			if what == "assertion" && nameIDOf(first).Text() != forgedName {
				t.Error("prolog Assertion")
			}
			if err := verify(t, els[1]); err != nil {
				t.Errorf("the Response itself is untouched: %v", err)
			}
		}
	})
	t.Run("assertion-in-extensions", func(t *testing.T) {
		t.Parallel()
		resp, a := delivered(t, run(t, fault("xsw-assertion-in-extensions")))
		ext := child(resp, wire.NSProtocol, "Extensions")
		if ext == nil || ext.Index() != 2 {
			t.Fatal("samlp:Extensions not after Issuer and Signature")
		}
		hidden := child(ext, wire.NSAssertion, "Assertion")
		genuine(t, "hidden", hidden, signatureOf(hidden))
		forgedNameID(t, "visible", a)
		if idOf(a) != testAssertionID || signatureOf(a) != nil {
			t.Error("visible copy: same ID, no signature")
		}
		resp, a = delivered(t, run(t, fault("xsw-assertion-in-extensions", "variant", "forged-hidden")))
		forgedNameID(t, "in Extensions", child(child(resp, wire.NSProtocol, "Extensions"), wire.NSAssertion, "Assertion"))
		genuine(t, "original", a, signatureOf(a))
	})
	t.Run("concealed-signed-assertion", func(t *testing.T) {
		t.Parallel()
		for _, hide := range []string{"subject-confirmation-data", "advice"} {
			_, a := delivered(t, run(t, fault("xsw-concealed-signed-assertion", "hide-in", hide)))
			if idOf(a) != evilAssertionID || signatureOf(a) == nil {
				t.Fatal("visible forged Assertion with the genuine signature copy expected")
			}
			forgedNameID(t, "visible", a)
			var hidden *etree.Element
			if hide == "advice" {
				hidden = child(child(a, wire.NSAssertion, "Advice"), wire.NSAssertion, "Assertion")
			} else {
				hidden = child(subjectConfirmationData(a)[0], wire.NSAssertion, "Assertion")
			}
			genuine(t, "concealed in "+hide, hidden, signatureOf(a))
		}
	})
	t.Run("wrapped-response-in-response", func(t *testing.T) {
		t.Parallel()
		resp, a := delivered(t, run(t, fault("xsw-wrapped-response-in-response")))
		if idOf(resp) != evilResponseID || signatureOf(resp) != nil || signatureOf(a) != nil {
			t.Fatal("outer Response shape")
		}
		forgedNameID(t, "outer", a)
		inner := resp.ChildElements()[1]
		if !is(inner, wire.NSProtocol, "Response") {
			t.Fatal("original Response not right after the outer Issuer")
		}
		if err := verify(t, inner); err != nil {
			t.Errorf("inner Response: %v", err)
		}
	})
	t.Run("advice-assertion", func(t *testing.T) {
		t.Parallel()
		_, a := delivered(t, run(t, fault("xsw-advice-assertion")))
		if idOf(a) != evilAssertionID || signatureOf(a) != nil {
			t.Fatal("outer forged Assertion")
		}
		forgedNameID(t, "outer", a)
		inner := child(child(a, wire.NSAssertion, "Advice"), wire.NSAssertion, "Assertion")
		genuine(t, "in Advice", inner, signatureOf(inner))
	})
	t.Run("unsigned-sibling", func(t *testing.T) {
		t.Parallel()
		resp, a := delivered(t, run(t, fault("sign-only", "what", "response"), fault("xsw-unsigned-sibling")))
		as := children(resp, wire.NSAssertion, "Assertion")
		if len(as) != 2 || idOf(as[1]) != testAssertionID+"_attack" || signatureOf(as[1]) != nil {
			t.Fatal("shape")
		}
		forgedNameID(t, "sibling", as[1])
		if nameIDOf(a).Text() != testNameID {
			t.Error("original changed")
		}
		if err := stages(t, newContext(t), StagePostSign, fault("unsigned"), fault("xsw-unsigned-sibling")); err == nil {
			t.Error("needs a signature")
		}
	})
	t.Run("duplicate-id", func(t *testing.T) {
		t.Parallel()
		resp, _ := delivered(t, run(t, fault("xsw-duplicate-id")))
		as := children(resp, wire.NSAssertion, "Assertion")
		if len(as) != 2 || idOf(as[0]) != idOf(as[1]) || signatureOf(as[0]) != nil {
			t.Fatal("shape")
		}
		forgedNameID(t, "first", as[0])
		genuine(t, "second", as[1], signatureOf(as[1]))
	})
	t.Run("nameid-in-status-detail", func(t *testing.T) {
		t.Parallel()
		for _, what := range []string{"nameid", "assertion", "signature"} {
			resp, a := delivered(t, run(t, fault("sign-only", "what", "assertion"), fault("xsw-nameid-in-status-detail", "what", what)))
			detail := child(child(resp, wire.NSProtocol, "Status"), wire.NSProtocol, "StatusDetail")
			if detail == nil || len(detail.ChildElements()) != 1 {
				t.Fatal("no StatusDetail")
			}
			got := detail.ChildElements()[0]
			switch what {
			case "nameid":
				if !is(got, wire.NSAssertion, "NameID") || got.Text() != forgedName {
					t.Error("forged NameID")
				}
			case "assertion":
				forgedNameID(t, "in StatusDetail", got)
			case "signature":
				if !is(got, wire.NSDSig, "Signature") {
					t.Error("signature copy")
				}
			}
			genuine(t, "real Assertion", a, signatureOf(a))
		}
	})
	t.Run("namespace-confusion", func(t *testing.T) {
		t.Parallel()
		for _, v := range []string{"rebound-prefix", "default-namespace"} {
			resp, a := delivered(t, run(t, fault("sign-only", "what", "assertion"), fault("namespace-confusion", "variant", v)))
			fake := resp.ChildElements()[a.Index()-1]
			if fake.Tag != "Assertion" || fake.NamespaceURI() != foreignNS || idOf(fake) != evilAssertionID {
				t.Fatalf("%s: fake Assertion %s in %q", v, fake.FullTag(), fake.NamespaceURI())
			}
			if v == "rebound-prefix" && fake.Space != a.Space {
				t.Error("prefix not reused")
			}
			if v == "default-namespace" && fake.Space != "" {
				t.Error("not in the default namespace")
			}
			if len(children(resp, wire.NSAssertion, "Assertion")) != 1 {
				t.Error("the fake must not be a SAML Assertion")
			}
			genuine(t, "real", a, signatureOf(a))
		}
	})
}
