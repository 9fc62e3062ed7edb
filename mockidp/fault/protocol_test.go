package fault

import (
	"testing"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Every protocol fault runs before signing: the delivered Response and
// Assertion signatures verify, and the content shows the change.
func TestProtocolFaults(t *testing.T) {
	t.Parallel()
	saml := func(el *etree.Element, path ...string) *etree.Element {
		for _, p := range path {
			el = child(el, wire.NSAssertion, p)
		}
		return el
	}
	cases := []struct {
		faults []Fault
		check  func(t *testing.T, resp, a *etree.Element)
	}{
		{[]Fault{fault("set-status", "code", "Responder", "subcode", "AuthnFailed", "message", "denied")}, func(t *testing.T, resp, a *etree.Element) {
			code := child(child(resp, wire.NSProtocol, "Status"), wire.NSProtocol, "StatusCode")
			if code.SelectAttrValue("Value", "") != wire.StatusResponder ||
				child(code, wire.NSProtocol, "StatusCode").SelectAttrValue("Value", "") != wire.StatusAuthnFailed ||
				child(child(resp, wire.NSProtocol, "Status"), wire.NSProtocol, "StatusMessage").Text() != "denied" {
				t.Error("status not set")
			}
		}},
		{[]Fault{fault("remove-status")}, func(t *testing.T, resp, a *etree.Element) {
			if child(resp, wire.NSProtocol, "Status") != nil {
				t.Error("Status kept")
			}
		}},
		{[]Fault{fault("set-version", "which", "assertion", "value", "2.1")}, func(t *testing.T, resp, a *etree.Element) {
			if resp.SelectAttrValue("Version", "") != "2.0" || a.SelectAttrValue("Version", "") != "2.1" {
				t.Error("Version")
			}
		}},
		{[]Fault{fault("set-destination", "remove", "true")}, func(t *testing.T, resp, a *etree.Element) {
			if resp.SelectAttr("Destination") != nil {
				t.Error("Destination kept")
			}
		}},
		{[]Fault{fault("set-recipient", "value", "https://evil.example/acs")}, func(t *testing.T, resp, a *etree.Element) {
			if subjectConfirmationData(a)[0].SelectAttrValue("Recipient", "") != "https://evil.example/acs" {
				t.Error("Recipient")
			}
		}},
		{[]Fault{fault("set-audience", "value", "https://other.example")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Conditions", "AudienceRestriction", "Audience").Text() != "https://other.example" {
				t.Error("Audience")
			}
		}},
		{[]Fault{fault("add-audience", "value", "https://other.example")}, func(t *testing.T, resp, a *etree.Element) {
			aus := children(saml(a, "Conditions", "AudienceRestriction"), wire.NSAssertion, "Audience")
			if len(aus) != 2 || aus[0].Text() != "https://other.example" || aus[1].Text() != testAudience {
				t.Error("Audiences")
			}
		}},
		{[]Fault{fault("add-audience-restriction", "value", "https://other.example")}, func(t *testing.T, resp, a *etree.Element) {
			ars := children(saml(a, "Conditions"), wire.NSAssertion, "AudienceRestriction")
			if len(ars) != 2 || saml(ars[1], "Audience").Text() != "https://other.example" {
				t.Error("AudienceRestrictions")
			}
		}},
		{[]Fault{fault("remove-audience-restriction")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Conditions", "AudienceRestriction") != nil {
				t.Error("AudienceRestriction kept")
			}
		}},
		{[]Fault{fault("set-issuer", "which", "response", "value", "http://www.okta.com/exkOTHER", "format", "remove")}, func(t *testing.T, resp, a *etree.Element) {
			iss := saml(resp, "Issuer")
			if iss.Text() != "http://www.okta.com/exkOTHER" || iss.SelectAttr("Format") != nil || saml(a, "Issuer").Text() != testIssuer {
				t.Error("Issuer")
			}
		}},
		{[]Fault{fault("remove-issuer", "which", "both")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(resp, "Issuer") != nil || saml(a, "Issuer") != nil {
				t.Error("Issuer kept")
			}
		}},
		{[]Fault{fault("remove-in-response-to", "where", "response")}, func(t *testing.T, resp, a *etree.Element) {
			if resp.SelectAttr("InResponseTo") != nil || subjectConfirmationData(a)[0].SelectAttr("InResponseTo") == nil {
				t.Error("InResponseTo")
			}
		}},
		{[]Fault{fault("set-in-response-to", "value", "_other")}, func(t *testing.T, resp, a *etree.Element) {
			if resp.SelectAttrValue("InResponseTo", "") != "_other" || subjectConfirmationData(a)[0].SelectAttrValue("InResponseTo", "") != "_other" {
				t.Error("InResponseTo")
			}
		}},
		{[]Fault{fault("set-nameid", "value", "u123", "format", "persistent", "sp-name-qualifier", "https://other.example")}, func(t *testing.T, resp, a *etree.Element) {
			n := nameIDOf(a)
			if n.Text() != "u123" || n.SelectAttrValue("Format", "") != wire.NameIDPersistent || n.SelectAttrValue("SPNameQualifier", "") != "https://other.example" {
				t.Error("NameID")
			}
		}},
		{[]Fault{fault("remove-nameid")}, func(t *testing.T, resp, a *etree.Element) {
			if nameIDOf(a) != nil || saml(a, "Subject", "SubjectConfirmation") == nil {
				t.Error("NameID")
			}
		}},
		{[]Fault{fault("empty-nameid")}, func(t *testing.T, resp, a *etree.Element) {
			if n := nameIDOf(a); n == nil || len(n.Child) != 0 {
				t.Error("NameID not empty")
			}
		}},
		{[]Fault{fault("remove-subject")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Subject") != nil {
				t.Error("Subject kept")
			}
		}},
		{[]Fault{fault("remove-subject-confirmation")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Subject", "SubjectConfirmation") != nil || nameIDOf(a) == nil {
				t.Error("SubjectConfirmation")
			}
		}},
		{[]Fault{fault("remove-subject-confirmation-data")}, func(t *testing.T, resp, a *etree.Element) {
			if len(subjectConfirmationData(a)) != 0 || saml(a, "Subject", "SubjectConfirmation") == nil {
				t.Error("SubjectConfirmationData")
			}
		}},
		{[]Fault{fault("set-subject-confirmation-method", "method", "sender-vouches")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Subject", "SubjectConfirmation").SelectAttrValue("Method", "") != cmSenderVouches {
				t.Error("Method")
			}
		}},
		{[]Fault{fault("add-subject-confirmation", "method", "holder-of-key", "recipient", "https://x.example")}, func(t *testing.T, resp, a *etree.Element) {
			scs := children(saml(a, "Subject"), wire.NSAssertion, "SubjectConfirmation")
			if len(scs) != 2 || scs[0].SelectAttrValue("Method", "") != cmHolderOfKey || scs[1].SelectAttrValue("Method", "") != wire.CMBearer ||
				saml(scs[0], "SubjectConfirmationData").SelectAttrValue("Recipient", "") != "https://x.example" {
				t.Error("SubjectConfirmations")
			}
		}},
		{[]Fault{fault("add-condition")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Conditions", "OneTimeUse") == nil {
				t.Error("OneTimeUse")
			}
		}},
		{[]Fault{fault("add-condition", "kind", "unknown")}, func(t *testing.T, resp, a *etree.Element) {
			c := saml(a, "Conditions", "Condition")
			if c == nil || c.SelectAttrValue("xsi:type", "") != "ext:HarnessCondition" || scope(c)["xsi"] != wire.NSXSI {
				t.Error("unknown Condition")
			}
		}},
		{[]Fault{fault("add-condition", "xml", `<saml2:ProxyRestriction Count="2"><saml2:Audience>x</saml2:Audience></saml2:ProxyRestriction>`)}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Conditions", "ProxyRestriction", "Audience").Text() != "x" {
				t.Error("xml condition")
			}
		}},
		{[]Fault{fault("remove-conditions")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "Conditions") != nil {
				t.Error("Conditions kept")
			}
		}},
		{[]Fault{fault("remove-authn-statement")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "AuthnStatement") != nil {
				t.Error("AuthnStatement kept")
			}
		}},
		{[]Fault{fault("set-authn-context", "class", "unspecified")}, func(t *testing.T, resp, a *etree.Element) {
			if saml(a, "AuthnStatement", "AuthnContext", "AuthnContextClassRef").Text() != acClassPrefix+"unspecified" {
				t.Error("AuthnContextClassRef")
			}
		}},
		{[]Fault{fault("set-ids", "assertion", "{response}")}, func(t *testing.T, resp, a *etree.Element) {
			if a.SelectAttrValue("ID", "") != testResponseID || resp.SelectAttrValue("ID", "") != testResponseID {
				t.Error("IDs")
			}
		}},
		{[]Fault{fault("remove-id", "which", "response")}, func(t *testing.T, resp, a *etree.Element) {
			if resp.SelectAttr("ID") != nil {
				t.Error("ID kept")
			}
			ref := dsChild(dsChild(signatureOf(resp), "SignedInfo"), "Reference")
			if ref.SelectAttrValue("URI", "-") != "" {
				t.Error("the IdP's signature should reference URI=\"\"")
			}
		}},
		{[]Fault{fault("add-attribute", "name", "email", "value", "mallory@acme.test", "name-format", "uri")}, func(t *testing.T, resp, a *etree.Element) {
			attrs := children(saml(a, "AttributeStatement"), wire.NSAssertion, "Attribute")
			if len(attrs) != 2 || attrs[1].SelectAttrValue("NameFormat", "") != wire.AttrNameFormatURI || saml(attrs[1], "AttributeValue").Text() != "mallory@acme.test" {
				t.Error("Attribute")
			}
		}},
		{[]Fault{fault("empty-attribute-statement")}, func(t *testing.T, resp, a *etree.Element) {
			if st := saml(a, "AttributeStatement"); st == nil || len(st.ChildElements()) != 0 {
				t.Error("AttributeStatement not empty")
			}
		}},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.faults[0].String(), func(t *testing.T) {
			t.Parallel()
			c := run(t, tc.faults...)
			resp, a := delivered(t, c)
			tc.check(t, resp, a)
			if err := verify(t, resp); err != nil {
				t.Errorf("Response signature: %v", err)
			}
			if err := verify(t, a); err != nil && a.SelectAttr("ID") != nil {
				t.Errorf("Assertion signature: %v", err)
			}
		})
	}
}

func TestExtraAssertions(t *testing.T) {
	t.Parallel()
	// duplicate-assertion: a forged second assertion, signed with the IdP's key.
	c := run(t, fault("duplicate-assertion"))
	resp, _ := delivered(t, c)
	as := children(resp, wire.NSAssertion, "Assertion")
	if len(as) != 2 || nameIDOf(as[0]).Text() != testNameID || nameIDOf(as[1]).Text() != "admin@acme.test" {
		t.Fatalf("assertions %d", len(as))
	}
	if as[1].SelectAttrValue("ID", "") != testAssertionID+"2" {
		t.Errorf("copy ID %q", as[1].SelectAttrValue("ID", ""))
	}
	for i, a := range as {
		if err := verify(t, a); err != nil {
			t.Errorf("assertion %d: %v", i, err)
		}
	}
	if err := verify(t, resp); err != nil {
		t.Errorf("Response: %v", err)
	}
	// Identical, unsigned, same ID, before the original.
	c = run(t, fault("duplicate-assertion", "forge", "false", "signed", "false", "id", "same", "position", "before"))
	resp, _ = delivered(t, c)
	as = children(resp, wire.NSAssertion, "Assertion")
	// (The IdP signs the first Assertion: here, the copy.)
	if len(as) != 2 || idOf(as[0]) != idOf(as[1]) || nameIDOf(as[0]).Text() != nameIDOf(as[1]).Text() {
		t.Error("identical copy before the original")
	}
	// With the Response unsigned and assertions signed: each verifies alone.
	c = run(t, fault("duplicate-assertion", "nameid", "bob@acme.test"), fault("sign-only", "what", "assertion"))
	resp, _ = delivered(t, c)
	as = children(resp, wire.NSAssertion, "Assertion")
	if signatureOf(resp) != nil || verify(t, as[1]) != nil || nameIDOf(as[1]).Text() != "bob@acme.test" {
		t.Error("second signed assertion")
	}

	// add-advice-assertion: the outer signature covers the Advice.
	c = run(t, fault("add-advice-assertion", "signed", "true"))
	_, a := delivered(t, c)
	inner := child(child(a, wire.NSAssertion, "Advice"), wire.NSAssertion, "Assertion")
	if inner == nil || nameIDOf(inner).Text() != "admin@acme.test" || idOf(inner) != testAssertionID+"3" {
		t.Fatal("no forged Assertion in Advice")
	}
	kids := tags(a.ChildElements())
	if kids[3] != "saml2:Conditions" || kids[4] != "saml2:Advice" {
		t.Errorf("Advice not after Conditions: %v", kids)
	}
	if err := verify(t, a); err != nil {
		t.Errorf("outer: %v", err)
	}
	if err := verify(t, inner); err != nil {
		t.Errorf("inner: %v", err)
	}

	// remove-assertion keeps it for the post-sign XSW.
	c = runTo(t, StagePreSign, fault("remove-assertion"))
	if _, err := firstAssertion(c); err == nil || len(c.removedAssertions) != 1 {
		t.Error("remove-assertion")
	}
	if scope(c.removedAssertions[0])["saml2"] != wire.NSAssertion {
		t.Error("the removed Assertion lost its namespace")
	}
}

func TestProtocolFaultErrors(t *testing.T) {
	t.Parallel()
	for _, bad := range [][]Fault{
		{fault("set-destination")},
		{fault("set-issuer")},
		{fault("set-nameid")},
		{fault("set-ids")},
		{fault("remove-conditions"), fault("add-condition")},
		{fault("remove-assertion"), fault("set-audience", "value", "x")},
		{fault("set-nameid", "format", "bogus")},
	} {
		if err := stages(t, newContext(t), StagePreSign, bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	c := newContext(t)
	c.Signer = nil
	if err := stages(t, c, StagePreSign, fault("duplicate-assertion", "signed", "true")); err == nil {
		t.Error("signed duplicate without a Signer")
	}
}
