package fault

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/wire"
)

// The test IdP: fixed clock, IDs and URLs, Okta's Response shape
// (Okta's SAML Response as it sends it) on one line.
var testNow = time.Date(2026, 8, 29, 12, 0, 0, 0, time.UTC)

const (
	testResponseID  = "id336368461455218662129342736"
	testAssertionID = "id33636846145688909913681942"
	testRequestID   = "_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	testIssuer      = "http://www.okta.com/exk1a2b3c4d5e6f7g8h9"
	testACS         = "http://127.0.0.1:8080/__/auth/handler"
	testAudience    = "http://127.0.0.1:8080"
	testNameID      = "alice@acme.test"
	testRelayState  = "r3lay"
)

func ts(d time.Duration) string { return testNow.Add(d).UTC().Format(wire.TimeLayout) }

// oktaResponseXML is an unsigned Okta-shaped Response.
func oktaResponseXML() string {
	s2 := `xmlns:saml2="` + wire.NSAssertion + `"`
	return `<?xml version="1.0" encoding="UTF-8"?>` +
		`<saml2p:Response Destination="` + testACS + `" ID="` + testResponseID + `" InResponseTo="` + testRequestID + `" IssueInstant="` + ts(0) + `" Version="2.0" xmlns:saml2p="` + wire.NSProtocol + `" xmlns:xs="` + wire.NSXS + `">` +
		`<saml2:Issuer Format="` + wire.NameIDEntity + `" ` + s2 + `>` + testIssuer + `</saml2:Issuer>` +
		`<saml2p:Status xmlns:saml2p="` + wire.NSProtocol + `"><saml2p:StatusCode Value="` + wire.StatusSuccess + `"/></saml2p:Status>` +
		`<saml2:Assertion ID="` + testAssertionID + `" IssueInstant="` + ts(0) + `" Version="2.0" ` + s2 + ` xmlns:xs="` + wire.NSXS + `">` +
		`<saml2:Issuer Format="` + wire.NameIDEntity + `" ` + s2 + `>` + testIssuer + `</saml2:Issuer>` +
		`<saml2:Subject ` + s2 + `><saml2:NameID Format="` + wire.NameIDEmailAddress + `">` + testNameID + `</saml2:NameID>` +
		`<saml2:SubjectConfirmation Method="` + wire.CMBearer + `"><saml2:SubjectConfirmationData InResponseTo="` + testRequestID + `" NotOnOrAfter="` + ts(5*time.Minute) + `" Recipient="` + testACS + `"/></saml2:SubjectConfirmation></saml2:Subject>` +
		`<saml2:Conditions NotBefore="` + ts(-5*time.Minute) + `" NotOnOrAfter="` + ts(5*time.Minute) + `" ` + s2 + `><saml2:AudienceRestriction><saml2:Audience>` + testAudience + `</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>` +
		`<saml2:AuthnStatement AuthnInstant="` + ts(-20*time.Minute) + `" SessionIndex="` + testRequestID + `" ` + s2 + `><saml2:AuthnContext><saml2:AuthnContextClassRef>` + wire.ACPasswordProtectedTransport + `</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>` +
		`<saml2:AttributeStatement ` + s2 + `><saml2:Attribute Name="email" NameFormat="` + wire.AttrNameFormatUnspecified + `"><saml2:AttributeValue xmlns:xs="` + wire.NSXS + `" xmlns:xsi="` + wire.NSXSI + `" xsi:type="xs:string">` + testNameID + `</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>` +
		`</saml2:Assertion></saml2p:Response>`
}

// keyPair is a test key with its self-signed certificate.
type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

var (
	keysOnce sync.Once
	testKeys map[string]keyPair
)

func mint(t testing.TB, name fixtures.KeyName, cn string, serial int64) keyPair {
	key := fixtures.Key(name)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Okta"}},
		NotBefore:    testNow.Add(-365 * 24 * time.Hour),
		NotAfter:     testNow.Add(10 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("mint %s: %v", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{key, cert}
}

func keys(t testing.TB) map[string]keyPair {
	keysOnce.Do(func() {
		testKeys = map[string]keyPair{
			"idp":        mint(t, fixtures.KeyIdPPrimary, "dev-123456", 1),
			"attacker":   mint(t, fixtures.KeyAttacker, "attacker", 2),
			KeyRotated:   mint(t, fixtures.KeyIdPRotated, "dev-123456", 3),
			KeyWeak1024:  mint(t, fixtures.KeyWeak1024, "weak", 4),
			"spare":      mint(t, fixtures.KeySpare, "spare", 5),
			"encryption": mint(t, fixtures.KeySPEncryption, "sp-encryption", 6),
		}
	})
	return testKeys
}

// testSigner implements Signer with goxmldsig: exclusive C14N, "ds" prefix.
type testSigner struct{ t testing.TB }

func (s testSigner) pair(plan SignPlan) (*rsa.PrivateKey, *x509.Certificate, error) {
	k := keys(s.t)
	switch plan.Key {
	case "", "active":
		return k["idp"].key, k["idp"].cert, nil
	case "attacker":
		return k["attacker"].key, k["attacker"].cert, nil
	case "attacker-with-idp-cert":
		return k["attacker"].key, k["idp"].cert, nil
	case KeyRotated, KeyWeak1024:
		return k[plan.Key].key, k[plan.Key].cert, nil
	}
	return nil, nil, fmt.Errorf("test signer holds no key %q", plan.Key)
}

func (s testSigner) context(plan SignPlan) (*dsig.SigningContext, error) {
	key, cert, err := s.pair(plan)
	if err != nil {
		return nil, err
	}
	ctx, err := dsig.NewSigningContext(key, [][]byte{cert.Raw})
	if err != nil {
		return nil, err
	}
	ctx.Prefix = "ds"
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if plan.Canonicalization == wire.AlgExcC14NComments {
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("")
	}
	if plan.SignatureMethod != "" {
		if err := ctx.SetSignatureMethod(plan.SignatureMethod); err != nil {
			return nil, err
		}
	}
	return ctx, nil
}

func (s testSigner) SignElement(el *etree.Element, plan SignPlan) error {
	if old := signatureOf(el); old != nil {
		el.RemoveChild(old)
	}
	ctx, err := s.context(plan)
	if err != nil {
		return err
	}
	// goxmldsig canonicalizes in place: sign a detached copy.
	sig, err := ctx.ConstructSignature(detachedCopy(el), true)
	if err != nil {
		return err
	}
	if plan.OmitKeyInfo {
		sig.RemoveChild(child(sig, wire.NSDSig, "KeyInfo"))
	}
	if plan.Placement == "last-child" {
		el.AddChild(sig)
	} else {
		insertAfterIssuer(el, sig)
	}
	return nil
}

func (s testSigner) ResignSignedInfo(sig *etree.Element, plan SignPlan) error {
	ctx, err := s.context(plan)
	if err != nil {
		return err
	}
	canonical, err := canonicalSignedInfo(sig)
	if err != nil {
		return err
	}
	value, err := ctx.SignString(string(canonical))
	if err != nil {
		return err
	}
	sv := child(sig, wire.NSDSig, "SignatureValue")
	setText(sv, base64.StdEncoding.EncodeToString(value))
	return nil
}

func (s testSigner) Certificate(plan SignPlan) *x509.Certificate {
	_, cert, err := s.pair(plan)
	if err != nil {
		return nil
	}
	return cert
}

// canonicalSignedInfo returns goxmldsig's exclusive canonical form of
// sig's first SignedInfo, in its namespace context.
func canonicalSignedInfo(sig *etree.Element) ([]byte, error) {
	si := child(sig, wire.NSDSig, "SignedInfo")
	if si == nil {
		return nil, fmt.Errorf("no SignedInfo")
	}
	nsCtx, err := etreeutils.NSBuildParentContext(si)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(nsCtx, si)
	if err != nil {
		return nil, err
	}
	canon := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if m := child(si, wire.NSDSig, "CanonicalizationMethod"); m != nil && m.SelectAttrValue("Algorithm", "") == wire.AlgExcC14NComments {
		canon = dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("")
	}
	return canon.Canonicalize(detached)
}

// signedInfoVerifies reports whether sig's SignatureValue verifies over its
// SignedInfo with cert (RSA-SHA256).
func signedInfoVerifies(t testing.TB, sig *etree.Element, cert *x509.Certificate) bool {
	t.Helper()
	canonical, err := canonicalSignedInfo(sig)
	if err != nil {
		t.Fatalf("canonical SignedInfo: %v", err)
	}
	value, err := base64.StdEncoding.DecodeString(child(sig, wire.NSDSig, "SignatureValue").Text())
	if err != nil {
		return false
	}
	return cert.CheckSignature(x509.SHA256WithRSA, canonical, value) == nil
}

// digestMatches reports whether el, with its enveloped signature removed
// and canonicalized by goxmldsig, digests (SHA-256) to sig's first
// DigestValue: whether el is what sig's Reference was computed over.
func digestMatches(t testing.TB, el, sig *etree.Element) bool {
	t.Helper()
	cp := detachedCopy(el)
	if s := signatureOf(cp); s != nil {
		cp.RemoveChild(s)
	}
	canonical, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(cp)
	if err != nil {
		t.Fatalf("canonicalize: %v", err)
	}
	sum := sha256.Sum256(canonical)
	dv := child(child(child(sig, wire.NSDSig, "SignedInfo"), wire.NSDSig, "Reference"), wire.NSDSig, "DigestValue")
	return dv != nil && dv.Text() == base64.StdEncoding.EncodeToString(sum[:])
}

// verify validates el's enveloped signature with goxmldsig against the
// IdP certificate at testNow.
func verify(t testing.TB, el *etree.Element) error {
	t.Helper()
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{keys(t)["idp"].cert}})
	ctx.Clock = dsig.NewFakeClockAt(testNow)
	_, err := ctx.Validate(detachedCopy(el))
	return err
}

// newContext returns the IdP's context for a fresh unsigned response:
// both signed with RSA-SHA256 (Okta's defaults).
func newContext(t testing.TB) *Context {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(oktaResponseXML()); err != nil {
		t.Fatal(err)
	}
	return &Context{
		Doc: doc,
		Plan: &SignPlan{SignResponse: true, SignAssertion: true, SignatureMethod: wire.AlgRSASHA256,
			DigestMethod: wire.AlgDigestSHA256, Canonicalization: wire.AlgExcC14N, Placement: "after-issuer"},
		Signer:     testSigner{t},
		Now:        testNow,
		ACS:        testACS,
		Binding:    wire.BindingHTTPPost,
		Encryption: &EncryptPlan{},
	}
}

// stages runs the IdP pipeline like the mock IdP: pre-sign, sign (plan
// edits, then the Assertion and the Response), post-sign, serialize, bind.
// It stops after stop.
func stages(t testing.TB, c *Context, stop Stage, faults ...Fault) error {
	t.Helper()
	if err := Validate(faults); err != nil {
		return err
	}
	if err := Apply(StagePreSign, c, faults); err != nil {
		return err
	}
	if stop == StagePreSign {
		return nil
	}
	if err := Apply(StageSign, c, faults); err != nil {
		return err
	}
	if resp, err := response(c); err == nil {
		if a := child(resp, wire.NSAssertion, "Assertion"); a != nil && c.Plan.SignAssertion {
			if err := c.Signer.SignElement(a, *c.Plan); err != nil {
				return err
			}
		}
		if a := child(resp, wire.NSAssertion, "Assertion"); a != nil && c.Encryption != nil && c.Encryption.Enabled {
			if err := encryptAssertion(t, a, c.Encryption); err != nil {
				return err
			}
		}
		if c.Plan.SignResponse {
			if err := c.Signer.SignElement(resp, *c.Plan); err != nil {
				return err
			}
		}
	}
	if stop == StageSign {
		return nil
	}
	if err := Apply(StagePostSign, c, faults); err != nil {
		return err
	}
	if stop == StagePostSign {
		return nil
	}
	raw, err := c.Doc.WriteToBytes()
	if err != nil {
		return err
	}
	c.Raw = raw
	c.Form = url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(raw)}, "RelayState": {testRelayState}}
	return Apply(StageBind, c, faults)
}

// encryptAssertion replaces a by a saml2:EncryptedAssertion made with
// crewjam/saml/xmlenc, as the mock IdP does (RSA-OAEP, AES-256-CBC unless
// the plan says AES-256-GCM).
func encryptAssertion(t testing.TB, a *etree.Element, plan *EncryptPlan) error {
	recipient := keys(t)["encryption"].cert
	if plan.Key == "wrong" {
		recipient = keys(t)["spare"].cert
	}
	enc := xmlenc.OAEP()
	if plan.DataEncryption == wire.AlgAES256GCM {
		enc.BlockCipher = xmlenc.AES256GCM
	}
	plaintext, err := serializeElement(detachedCopy(a))
	if err != nil {
		return err
	}
	ed, err := enc.Encrypt(recipient, plaintext, nil)
	if err != nil {
		return err
	}
	ed.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	ea := newElement(a.Parent(), wire.NSAssertion, "EncryptedAssertion")
	ea.AddChild(ed)
	insertBefore(a, ea)
	a.Parent().RemoveChild(a)
	return nil
}

// run runs the whole pipeline and fails the test on error.
func run(t testing.TB, faults ...Fault) *Context {
	t.Helper()
	c := newContext(t)
	if err := stages(t, c, StageBind, faults...); err != nil {
		t.Fatalf("pipeline with %v: %v", faults, err)
	}
	return c
}

// runTo runs the pipeline up to and including stop.
func runTo(t testing.TB, stop Stage, faults ...Fault) *Context {
	t.Helper()
	c := newContext(t)
	if err := stages(t, c, stop, faults...); err != nil {
		t.Fatalf("pipeline with %v: %v", faults, err)
	}
	return c
}

// fault builds a Fault from name and k, v pairs.
func fault(name string, kv ...string) Fault {
	f := Fault{Name: name, Params: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Params[kv[i]] = kv[i+1]
	}
	return f
}

// reparse parses the delivered bytes.
func reparse(t testing.TB, raw []byte) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatalf("reparse: %v\n%s", err, abbreviate(raw))
	}
	return doc
}

func abbreviate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// mustFind resolves a path or fails.
func mustFind(t testing.TB, doc *etree.Document, path string) *etree.Element {
	t.Helper()
	el, err := resolvePath(doc, path)
	if err != nil {
		t.Fatal(err)
	}
	return el
}

// ctxFor wraps a document for the locate helpers.
func ctxFor(doc *etree.Document) *Context { return &Context{Doc: doc} }

// wantContains fails unless s contains sub.
func wantContains(t testing.TB, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("want %q in\n%s", sub, abbreviate([]byte(s)))
	}
}
