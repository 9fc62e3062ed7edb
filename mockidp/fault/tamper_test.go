package fault

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

func TestTamperingBreaksSignatures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		faults []Fault
		check  func(t *testing.T, resp, a *etree.Element)
		// which signatures must fail (the others must still verify)
		respFails, assertionFails bool
	}{
		{[]Fault{fault("tamper-nameid")}, func(t *testing.T, resp, a *etree.Element) {
			if nameIDOf(a).Text() != "admin@acme.test" {
				t.Error("NameID not tampered")
			}
		}, true, true},
		{[]Fault{fault("tamper-attr", "path", "Response/Assertion/Conditions", "attr", "NotOnOrAfter", "value", ts(time.Hour))}, func(t *testing.T, resp, a *etree.Element) {
			if child(a, wire.NSAssertion, "Conditions").SelectAttrValue("NotOnOrAfter", "") != ts(time.Hour) {
				t.Error("NotOnOrAfter not tampered")
			}
		}, true, true},
		{[]Fault{fault("tamper-digest-value", "which", "assertion")}, func(t *testing.T, resp, a *etree.Element) {
			if digestMatches(t, a, signatureOf(a)) {
				t.Error("digest still matches")
			}
		}, true, true},
		{[]Fault{fault("tamper-signature-value", "which", "response")}, func(t *testing.T, resp, a *etree.Element) {
			if signedInfoVerifies(t, signatureOf(resp), keys(t)["idp"].cert) || !digestMatches(t, resp, signatureOf(resp)) {
				t.Error("only the SignatureValue should be broken")
			}
		}, true, false},
		{[]Fault{fault("tamper-signature-value", "mode", "whitespace")}, func(t *testing.T, resp, a *etree.Element) {
			if strings.TrimSpace(dsChild(signatureOf(a), "SignatureValue").Text()) != "" {
				t.Error("SignatureValue not blank")
			}
		}, true, true},
		{[]Fault{fault("strip-signature", "which", "assertion")}, func(t *testing.T, resp, a *etree.Element) {
			if signatureOf(a) != nil || signatureOf(resp) == nil {
				t.Error("strip")
			}
		}, true, true},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.faults[0].String(), func(t *testing.T) {
			t.Parallel()
			resp, a := delivered(t, run(t, tc.faults...))
			if tc.check != nil {
				tc.check(t, resp, a)
			}
			if err := verify(t, resp); (err != nil) != tc.respFails {
				t.Errorf("Response verification: %v (want failure: %v)", err, tc.respFails)
			}
			if err := verify(t, a); (err != nil) != tc.assertionFails {
				t.Errorf("Assertion verification: %v (want failure: %v)", err, tc.assertionFails)
			}
		})
	}
}

func TestSignatureRelocationAndKeyInfo(t *testing.T) {
	t.Parallel()
	// move-signature: the Assertion's signature, unchanged, at Response level.
	resp, a := delivered(t, run(t, fault("sign-only", "what", "assertion"), fault("move-signature")))
	sig := signatureOf(resp)
	if signatureOf(a) != nil || sig == nil {
		t.Fatal("signature not moved")
	}
	if kids := tags(resp.ChildElements()); kids[1] != "ds:Signature" {
		t.Errorf("not after Issuer: %v", kids)
	}
	if uri := dsChild(dsChild(sig, "SignedInfo"), "Reference").SelectAttrValue("URI", ""); uri != "#"+testAssertionID {
		t.Errorf("Reference %q", uri)
	}
	if !digestMatches(t, a, sig) || !signedInfoVerifies(t, sig, keys(t)["idp"].cert) {
		t.Error("the moved signature no longer verifies for the Assertion")
	}
	if err := verify(t, a); err == nil {
		t.Error("goxmldsig found a signature inside the Assertion")
	}

	// The Response's signature into the Assertion, as last child.
	resp, a = delivered(t, run(t, fault("sign-only", "what", "response"), fault("move-signature", "from", "response", "position", "last-child")))
	kids := a.ChildElements()
	if signatureOf(resp) != nil || !is(kids[len(kids)-1], wire.NSDSig, "Signature") {
		t.Error("Response signature not moved into the Assertion")
	}

	// swap-keyinfo-cert: KeyInfo names the attacker; the signature is the IdP's.
	resp, _ = delivered(t, run(t, fault("swap-keyinfo-cert", "which", "response")))
	sig = signatureOf(resp)
	x := dsChild(dsChild(dsChild(sig, "KeyInfo"), "X509Data"), "X509Certificate")
	if x.Text() != base64.StdEncoding.EncodeToString(keys(t)["attacker"].cert.Raw) {
		t.Error("KeyInfo does not carry the attacker certificate")
	}
	if err := verify(t, resp); err == nil || !strings.Contains(err.Error(), "Could not verify certificate") {
		t.Errorf("goxmldsig: %v", err)
	}
	sig.RemoveChild(dsChild(sig, "KeyInfo"))
	if err := verify(t, resp); err != nil {
		t.Errorf("without KeyInfo the pinned certificate verifies: %v", err)
	}
	_, a = delivered(t, run(t, fault("omit-keyinfo"), fault("swap-keyinfo-cert", "which", "assertion", "cert", KeyRotated)))
	x = dsChild(dsChild(dsChild(signatureOf(a), "KeyInfo"), "X509Data"), "X509Certificate")
	if x == nil || x.Text() != base64.StdEncoding.EncodeToString(keys(t)[KeyRotated].cert.Raw) {
		t.Error("KeyInfo (created) does not carry the rotated certificate")
	}
}

// Reference-shape faults re-sign SignedInfo: the SignatureValue verifies and
// goxmldsig's (lax) reference handling decides the rest.
func TestReferenceShapeFaults(t *testing.T) {
	t.Parallel()
	idp := keys(t)["idp"].cert
	cases := []struct {
		faults      []Fault
		goxmldsigOK bool
		errHas      string
		check       func(t *testing.T, resp, a, sig *etree.Element)
	}{
		{[]Fault{fault("reference-uri")}, true, "", func(t *testing.T, resp, a, sig *etree.Element) {
			if ref := dsChild(dsChild(sig, "SignedInfo"), "Reference"); ref.SelectAttrValue("URI", "-") != "" {
				t.Error("URI not empty")
			}
		}},
		{[]Fault{fault("reference-uri", "value", "x{ID}")}, true, "", func(t *testing.T, resp, a, sig *etree.Element) {
			if ref := dsChild(dsChild(sig, "SignedInfo"), "Reference"); ref.SelectAttrValue("URI", "") != "x"+testAssertionID {
				t.Error("URI")
			}
		}},
		{[]Fault{fault("reference-uri", "value", "#{OTHER}")}, false, "Missing signature", func(t *testing.T, resp, a, sig *etree.Element) {
			if ref := dsChild(dsChild(sig, "SignedInfo"), "Reference"); ref.SelectAttrValue("URI", "") != "#"+testResponseID {
				t.Error("URI")
			}
		}},
		{[]Fault{fault("extra-reference")}, true, "", func(t *testing.T, resp, a, sig *etree.Element) {
			refs := children(dsChild(sig, "SignedInfo"), wire.NSDSig, "Reference")
			if len(refs) != 2 || refs[1].SelectAttrValue("URI", "") != "#"+testResponseID {
				t.Errorf("%d References", len(refs))
			}
		}},
		{[]Fault{fault("extra-reference", "position", "first", "uri", "#evil")}, true, "", func(t *testing.T, resp, a, sig *etree.Element) {
			refs := children(dsChild(sig, "SignedInfo"), wire.NSDSig, "Reference")
			if len(refs) != 2 || refs[0].SelectAttrValue("URI", "") != "#evil" {
				t.Error("References")
			}
		}},
		{[]Fault{fault("extra-signedinfo")}, false, "Invalid Signature", func(t *testing.T, resp, a, sig *etree.Element) {
			sis := children(sig, wire.NSDSig, "SignedInfo")
			if len(sis) != 2 || dsChild(sis[1], "Reference").SelectAttrValue("URI", "") != "#"+evilAssertionID {
				t.Error("SignedInfos")
			}
		}},
		{[]Fault{fault("extra-transform")}, false, "Unknown Transform Algorithm: " + algXPath, func(t *testing.T, resp, a, sig *etree.Element) {
			trs := children(dsChild(dsChild(dsChild(sig, "SignedInfo"), "Reference"), "Transforms"), wire.NSDSig, "Transform")
			if len(trs) != 3 || trs[1].SelectAttrValue("Algorithm", "") != algXPath || dsChild(trs[1], "XPath") == nil {
				t.Errorf("Transforms %v", tags(trs))
			}
		}},
		{[]Fault{fault("extra-transform", "alg", "xslt", "url", "http://127.0.0.1:9/probe", "position", "last")}, false, "Unknown Transform Algorithm", func(t *testing.T, resp, a, sig *etree.Element) {
			trs := children(dsChild(dsChild(dsChild(sig, "SignedInfo"), "Reference"), "Transforms"), wire.NSDSig, "Transform")
			ss := trs[2].ChildElements()
			if trs[2].SelectAttrValue("Algorithm", "") != algXSLT || len(ss) != 1 || ss[0].NamespaceURI() != "http://www.w3.org/1999/XSL/Transform" {
				t.Error("XSLT transform")
			}
			if v := trs[2].FindElement(".//value-of"); v == nil || v.SelectAttrValue("select", "") != "document('http://127.0.0.1:9/probe')" {
				t.Error("the stylesheet does not dereference the probe URL")
			}
		}},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.faults[0].String(), func(t *testing.T) {
			t.Parallel()
			resp, a := delivered(t, run(t, append([]Fault{fault("sign-only", "what", "assertion")}, tc.faults...)...))
			sig := signatureOf(a)
			tc.check(t, resp, a, sig)
			if !signedInfoVerifies(t, sig, idp) {
				t.Error("SignedInfo was not re-signed")
			}
			if !digestMatches(t, a, sig) {
				t.Error("the digest no longer matches the Assertion")
			}
			err := verify(t, a)
			if tc.goxmldsigOK && err != nil {
				t.Errorf("goxmldsig rejects: %v", err)
			}
			if !tc.goxmldsigOK && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("goxmldsig: %v, want %q", err, tc.errHas)
			}
		})
	}
}

func TestDecoySignature(t *testing.T) {
	t.Parallel()
	resp, a := delivered(t, run(t, fault("extra-signature")))
	sigs := children(resp, wire.NSDSig, "Signature")
	if len(sigs) != 2 {
		t.Fatalf("%d Response signatures", len(sigs))
	}
	sv := func(s *etree.Element) string { return dsChild(s, "SignatureValue").Text() }
	if sv(sigs[0]) != sv(sigs[1]) {
		t.Error("decoy SignatureValue differs")
	}
	forged := child(dsChild(sigs[1], "Object"), wire.NSAssertion, "Assertion")
	if forged == nil || nameIDOf(forged).Text() != "admin@acme.test" || signatureOf(forged) != nil || idOf(forged) != evilAssertionID {
		t.Fatal("no forged Assertion in the decoy's Object")
	}
	if nameIDOf(a).Text() != testNameID {
		t.Error("the real Assertion changed")
	}
	if !signedInfoVerifies(t, sigs[1], keys(t)["idp"].cert) {
		t.Error("the decoy's SignatureValue does not verify over its SignedInfo")
	}
}
