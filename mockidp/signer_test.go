package mockidp

import (
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp/fault"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// verifyElementAt checks el's enveloped signature with goxmldsig alone,
// trusting cert, at time at. el is detached with the namespaces in scope,
// as crewjam/saml does before it calls goxmldsig.
func verifyElementAt(el *etree.Element, cert *x509.Certificate, at time.Time) error {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return err
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	vc.IdAttribute = "ID"
	vc.Clock = dsig.NewFakeClockAt(at)
	_, err = vc.Validate(detached)
	return err
}

func verifyElement(el *etree.Element, cert *x509.Certificate) error {
	return verifyElementAt(el, cert, testNow)
}

func hasSignature(el *etree.Element) bool { return dsigChild(el, "Signature") != nil }

func spEncryptionPEM(t testing.TB) string {
	t.Helper()
	cert, err := MintCertificate(fixtures.Key(fixtures.KeySPEncryption), "sp", testNow.Add(-time.Hour), testNow.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return string(certPEM(cert.Raw))
}

// TestSignatureMatrix checks every signing option combination with two
// independent verifiers: goxmldsig directly, and crewjam/saml's
// ServiceProvider.ParseXMLResponse (a real third-party SP).
func TestSignatureMatrix(t *testing.T) {
	t.Parallel()
	type tc struct {
		name                         string
		edit                         func(*SAMLSettings)
		responseSigned, assertSigned bool
		sigAlg, digestAlg            string
		encrypted                    bool
	}
	enc := func(alg EncryptionAlgorithm) func(*SAMLSettings) {
		return func(s *SAMLSettings) {
			s.AssertionEncryption = Encrypted
			s.EncryptionAlgorithm = alg
			s.EncryptionCertificate = spEncryptionPEM(t)
		}
	}
	tests := []tc{
		{"default both signed", func(*SAMLSettings) {}, true, true, wire.AlgRSASHA256, wire.AlgDigestSHA256, false},
		{"response only", func(s *SAMLSettings) { s.AssertionSignature = Unsigned }, true, false, wire.AlgRSASHA256, wire.AlgDigestSHA256, false},
		{"assertion only", func(s *SAMLSettings) { s.Response = Unsigned }, false, true, wire.AlgRSASHA256, wire.AlgDigestSHA256, false},
		{"rsa-sha1 sha1", func(s *SAMLSettings) { s.SignatureAlgorithm, s.DigestAlgorithm = RSASHA1, SHA1 }, true, true, wire.AlgRSASHA1, wire.AlgDigestSHA1, false},
		{"rsa-sha256 sha1", func(s *SAMLSettings) { s.DigestAlgorithm = SHA1 }, true, true, wire.AlgRSASHA256, wire.AlgDigestSHA1, false},
		{"rsa-sha1 sha256", func(s *SAMLSettings) { s.SignatureAlgorithm = RSASHA1 }, true, true, wire.AlgRSASHA1, wire.AlgDigestSHA256, false},
		{"encrypted aes256-cbc", enc(AES256CBC), true, true, wire.AlgRSASHA256, wire.AlgDigestSHA256, true},
		{"encrypted aes128-cbc", enc(AES128CBC), true, true, wire.AlgRSASHA256, wire.AlgDigestSHA256, true},
		{"encrypted aes256-gcm", enc(AES256GCM), true, true, wire.AlgRSASHA256, wire.AlgDigestSHA256, true},
		{"encrypted gcm assertion only", func(s *SAMLSettings) { enc(AES256GCM)(s); s.Response = Unsigned }, false, true, wire.AlgRSASHA256, wire.AlgDigestSHA256, true},
		{"attributes and groups", func(s *SAMLSettings) {
			s.AttributeStatements = []AttributeStatement{{Name: "email", Value: "user.email"}, {Name: "name", NameFormat: AttrBasic, Value: `user.firstName + " " + user.lastName`}}
			s.GroupAttributeStatements = []GroupAttributeStatement{{Name: "groups", Filter: FilterRegex, FilterValue: ".*"}}
		}, true, true, wire.AlgRSASHA256, wire.AlgDigestSHA256, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := defaultSettings()
			tc.edit(&s)
			idp, app, _ := setup(t, s)
			const reqID = "_7f2b9c0d4e5f60718293a4b5c6d7e8f9"
			resp, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: testLogin, SAMLRequest: redirectRequest(t, authnRequestXML(reqID)), RelayState: "rs-1"})
			if err != nil {
				t.Fatal(err)
			}
			active, _ := idp.ActiveCertificate(app.ID)
			root := parseDoc(t, resp.XML).Root()

			if got := hasSignature(root); got != tc.responseSigned {
				t.Errorf("Response signed = %v, want %v", got, tc.responseSigned)
			}
			if tc.responseSigned {
				if err := verifyElement(root, active.X509); err != nil {
					t.Errorf("goxmldsig rejects the Response signature: %v", err)
				}
				checkSignatureShape(t, root, tc.sigAlg, tc.digestAlg, !tc.encrypted)
			}
			assertion := responseAssertion(root)
			if tc.encrypted {
				if assertion != nil {
					t.Fatalf("the assertion is in clear text")
				}
				ea := root.FindElement("./EncryptedAssertion")
				if ea == nil || ea.FindElement("./EncryptedData") == nil || ea.FindElement("./EncryptedKey/ReferenceList/DataReference") == nil ||
					ea.FindElement("./EncryptedData/KeyInfo/RetrievalMethod") == nil {
					t.Fatalf("EncryptedAssertion is not laid out like Okta's")
				}
				if root.SelectAttr("xmlns:xs") != nil {
					t.Errorf("an encrypted Response declares xmlns:xs (Okta's does not)")
				}
			} else {
				if got := hasSignature(assertion); got != tc.assertSigned {
					t.Errorf("Assertion signed = %v, want %v", got, tc.assertSigned)
				}
				if tc.assertSigned {
					if err := verifyElement(assertion, active.X509); err != nil {
						t.Errorf("goxmldsig rejects the Assertion signature: %v", err)
					}
					checkSignatureShape(t, assertion, tc.sigAlg, tc.digestAlg, true)
				}
			}

			sp := crewjamSP(t, idp, app)
			acs, _ := url.Parse(testACS)
			a, err := sp.ParseXMLResponse(resp.XML, []string{reqID}, *acs)
			if err != nil {
				t.Fatalf("crewjam/saml rejects the response: %+v", err)
			}
			if a.Subject.NameID.Value != testLogin || a.ID != resp.AssertionID {
				t.Errorf("crewjam/saml read NameID %q assertion %q", a.Subject.NameID.Value, a.ID)
			}
			if tc.encrypted && tc.assertSigned && a.Signature == nil {
				t.Errorf("decrypted assertion carries no signature")
			}
		})
	}
}

// checkSignatureShape checks the Okta specifics of el's signature.
func checkSignatureShape(t *testing.T, el *etree.Element, sigAlg, digestAlg string, inclusiveXS bool) {
	t.Helper()
	sig := dsigChild(el, "Signature")
	children := el.ChildElements()
	if len(children) < 2 || children[0].Tag != "Issuer" || children[1] != sig {
		t.Errorf("<%s>: ds:Signature is not the element right after Issuer", el.Tag)
	}
	if sig.Space != "ds" || sig.SelectAttrValue("xmlns:ds", "") != wire.NSDSig {
		t.Errorf("signature prefix is not ds")
	}
	get := func(path string) string { return sig.FindElement(path).SelectAttrValue("Algorithm", "") }
	if got := get("./SignedInfo/CanonicalizationMethod"); got != wire.AlgExcC14N {
		t.Errorf("CanonicalizationMethod = %s", got)
	}
	if got := get("./SignedInfo/SignatureMethod"); got != sigAlg {
		t.Errorf("SignatureMethod = %s, want %s", got, sigAlg)
	}
	if got := get("./SignedInfo/Reference/DigestMethod"); got != digestAlg {
		t.Errorf("DigestMethod = %s, want %s", got, digestAlg)
	}
	if got := sig.FindElement("./SignedInfo/Reference").SelectAttrValue("URI", ""); got != "#"+el.SelectAttrValue("ID", "") {
		t.Errorf("Reference URI = %s", got)
	}
	tr := sig.FindElements("./SignedInfo/Reference/Transforms/Transform")
	if len(tr) != 2 || tr[0].SelectAttrValue("Algorithm", "") != wire.AlgEnveloped || tr[1].SelectAttrValue("Algorithm", "") != wire.AlgExcC14N {
		t.Fatalf("transforms are not enveloped + exc-c14n")
	}
	inc := tr[1].FindElement("./InclusiveNamespaces")
	if inclusiveXS != (inc != nil) {
		t.Errorf("InclusiveNamespaces present = %v, want %v", inc != nil, inclusiveXS)
	}
	if inc != nil && (inc.Space != "ec" || inc.SelectAttrValue("PrefixList", "") != "xs" || inc.SelectAttrValue("xmlns:ec", "") != wire.NSExcC14N) {
		t.Errorf("InclusiveNamespaces = %v", inc.Attr)
	}
	if v := sig.FindElement("./SignatureValue").Text(); strings.Contains(v, "\n") {
		t.Errorf("SignatureValue is wrapped")
	}
	lines := strings.Split(sig.FindElement("./KeyInfo/X509Data/X509Certificate").Text(), "\n")
	if len(lines) < 2 || len(lines[0]) != 76 {
		t.Errorf("X509Certificate is not wrapped at 76 characters")
	}
}

func TestSignPlanKeys(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	active, _ := idp.ActiveCertificate(app.ID)
	in, err := idp.snapshot(app.ID, testLogin)
	if err != nil {
		t.Fatal(err)
	}
	att, err := idp.attackerCert()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key          string
		verifiesWith *x509.Certificate
		keyInfo      *x509.Certificate
	}{
		{"", active.X509, active.X509},
		{"active", active.X509, active.X509},
		{"attacker", att.cert, att.cert},
		{"attacker-with-idp-cert", att.cert, active.X509},
		{fault.KeyRotated, nil, nil},
		{fault.KeyWeak1024, nil, nil},
		{active.KID, active.X509, active.X509},
	}
	for _, tc := range tests {
		t.Run("key="+tc.key, func(t *testing.T) {
			t.Parallel()
			doc := etree.NewDocument()
			el := doc.CreateElement("saml2:Assertion")
			el.CreateAttr("xmlns:saml2", wire.NSAssertion)
			el.CreateAttr("ID", "id1")
			el.CreateElement("saml2:Issuer").SetText("x")
			plan := fault.SignPlan{Key: tc.key}
			if err := in.signer.SignElement(el, plan); err != nil {
				t.Fatal(err)
			}
			cert := in.signer.Certificate(plan)
			if cert == nil {
				t.Fatal("Certificate(plan) = nil")
			}
			if tc.verifiesWith != nil && !cert.Equal(tc.verifiesWith) {
				t.Errorf("Certificate(plan) is not the signing key's")
			}
			// What verifies: the plan key's certificate with KeyInfo removed
			// (goxmldsig then uses its only trusted root).
			bare := el.Copy()
			ki := dsigChild(dsigChild(bare, "Signature"), "KeyInfo")
			kiCert := ki.FindElement("./X509Data/X509Certificate").Text()
			dsigChild(bare, "Signature").RemoveChild(ki)
			if err := verifyElementAt(bare, cert, cert.NotBefore.Add(time.Hour)); err != nil {
				t.Errorf("signature does not verify with the plan key: %v", err)
			}
			if tc.keyInfo != nil && kiCert != wrap76(b64(tc.keyInfo.Raw)) {
				t.Errorf("KeyInfo carries the wrong certificate")
			}
			if tc.key != "" && tc.key != "active" && tc.key != active.KID {
				if err := verifyElement(el, active.X509); err == nil {
					t.Errorf("a %s signature verifies with the IdP certificate", tc.key)
				}
			}
		})
	}
	noID := etree.NewDocument().CreateElement("x")
	if err := in.signer.SignElement(noID, fault.SignPlan{}); err != nil {
		t.Errorf("signing an element without ID: %v", err)
	} else if uri := noID.FindElement("./Signature/SignedInfo/Reference").SelectAttrValue("URI", "-"); uri != "" {
		t.Errorf("Reference URI = %q, want \"\" for an element without ID", uri)
	} else if err := verifyElement(noID, active.X509); err != nil {
		t.Errorf("URI=\"\" signature does not verify: %v", err)
	}
	el := etree.NewElement("x")
	el.CreateAttr("ID", "a")
	if err := in.signer.SignElement(el, fault.SignPlan{Key: "nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestSignPlanVariants(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	active, _ := idp.ActiveCertificate(app.ID)
	in, _ := idp.snapshot(app.ID, testLogin)
	tests := []struct {
		name  string
		plan  fault.SignPlan
		check func(t *testing.T, el, sig *etree.Element)
	}{
		{"last child", fault.SignPlan{Placement: "last-child"}, func(t *testing.T, el, sig *etree.Element) {
			if ch := el.ChildElements(); ch[len(ch)-1] != sig {
				t.Errorf("signature is not the last child")
			}
		}},
		{"omit keyinfo", fault.SignPlan{OmitKeyInfo: true}, func(t *testing.T, el, sig *etree.Element) {
			if dsigChild(sig, "KeyInfo") != nil {
				t.Errorf("KeyInfo present")
			}
		}},
		{"with comments", fault.SignPlan{Canonicalization: wire.AlgExcC14NComments}, func(t *testing.T, el, sig *etree.Element) {
			if sig.FindElement("./SignedInfo/CanonicalizationMethod").SelectAttrValue("Algorithm", "") != wire.AlgExcC14NComments {
				t.Errorf("not WithComments")
			}
		}},
		{"rsa-sha512", fault.SignPlan{SignatureMethod: wire.AlgRSASHA512, DigestMethod: wire.AlgDigestSHA512}, func(*testing.T, *etree.Element, *etree.Element) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := etree.NewDocument()
			el := doc.CreateElement("saml2:Assertion")
			el.CreateAttr("xmlns:saml2", wire.NSAssertion)
			el.CreateAttr("xmlns:xs", wire.NSXS)
			el.CreateAttr("ID", "id1")
			el.CreateElement("saml2:Issuer").SetText("x")
			el.CreateComment(" a comment ")
			el.CreateElement("saml2:Subject").SetText("y")
			if err := in.signer.SignElement(el, tc.plan); err != nil {
				t.Fatal(err)
			}
			// Signing twice replaces the signature.
			if err := in.signer.SignElement(el, tc.plan); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, c := range el.ChildElements() {
				if c.Tag == "Signature" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d signatures after re-signing, want 1", n)
			}
			tc.check(t, el, dsigChild(el, "Signature"))
			if err := verifyElement(el, active.X509); err != nil {
				t.Errorf("does not verify: %v", err)
			}
		})
	}
}

// TestResignSignedInfo edits SignedInfo (as a fault would) and re-signs it.
func TestResignSignedInfo(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	active, _ := idp.ActiveCertificate(app.ID)
	in, _ := idp.snapshot(app.ID, testLogin)
	doc := etree.NewDocument()
	el := doc.CreateElement("saml2:Assertion")
	el.CreateAttr("xmlns:saml2", wire.NSAssertion)
	el.CreateAttr("ID", "id1")
	el.CreateElement("saml2:Issuer").SetText("x")
	if err := in.signer.SignElement(el, fault.SignPlan{}); err != nil {
		t.Fatal(err)
	}
	sig := dsigChild(el, "Signature")
	before := sig.FindElement("./SignatureValue").Text()
	// A second Reference: SignedInfo changed, so the old value no longer verifies.
	ref := sig.FindElement("./SignedInfo/Reference").Copy()
	ref.SelectAttr("URI").Value = "#other"
	sig.FindElement("./SignedInfo").AddChild(ref)
	if err := verifyElement(el, active.X509); err == nil {
		t.Fatalf("edited SignedInfo still verifies before re-signing")
	}
	if err := in.signer.ResignSignedInfo(sig, fault.SignPlan{}); err != nil {
		t.Fatal(err)
	}
	if sig.FindElement("./SignatureValue").Text() == before {
		t.Errorf("SignatureValue unchanged")
	}
	if err := verifyElement(el, active.X509); err != nil {
		t.Errorf("re-signed SignedInfo does not verify: %v", err)
	}
	if err := in.signer.ResignSignedInfo(etree.NewElement("ds:Signature"), fault.SignPlan{}); err == nil {
		t.Errorf("re-signing a signature without SignedInfo succeeded")
	}
}
