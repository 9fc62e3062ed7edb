package sp

// testidp_test.go: a small, independent signer for the SP's own tests. It
// builds Okta-shaped responses and signs them with goxmldsig's
// SigningContext directly (the SP never imports mockidp).

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/wire"
)

// testNow is the fixed clock of every test.
var testNow = time.Date(2026, 8, 29, 12, 1, 0, 0, time.UTC)

const (
	testBase      = "http://127.0.0.1:8080"
	testIdPEntity = "http://www.okta.com/exk659aytfMeNI49v0h7"
	testIdPSSO    = "http://127.0.0.2:9090/app/dev-123456_elevenlabs_1/exk659aytfMeNI49v0h7/sso/saml"
	testDomain    = "acme.test"
	testEmail     = "alice@acme.test"
)

// testSigner is a key with a certificate minted at test time.
type testSigner struct {
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	certPEM string
}

var mintedCerts sync.Map // key name + validity → *testSigner

// newSigner returns a signer for a fixture key with a self-signed
// certificate valid from notBefore to notAfter (cached: minting costs an
// RSA signature).
func newSigner(t testing.TB, keyName fixtures.KeyName, notBefore, notAfter time.Time) *testSigner {
	t.Helper()
	cacheKey := fmt.Sprintf("%s|%d|%d", keyName, notBefore.Unix(), notAfter.Unix())
	if v, ok := mintedCerts.Load(cacheKey); ok {
		return v.(*testSigner)
	}
	key := fixtures.Key(keyName)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(notBefore.UnixMilli()),
		Subject:      pkix.Name{Country: []string{"US"}, Organization: []string{"Okta"}, OrganizationalUnit: []string{"SSOProvider"}, CommonName: "dev-123456-" + string(keyName)},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
	}
	tmpl.Issuer = tmpl.Subject
	der, err := x509.CreateCertificate(rand.NewChaCha8([32]byte{1}), tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("mint certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	s := &testSigner{key: key, cert: cert, certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
	v, _ := mintedCerts.LoadOrStore(cacheKey, s)
	return v.(*testSigner)
}

// idpSigner is the IdP's primary key with a certificate valid around testNow.
func idpSigner(t testing.TB) *testSigner {
	return newSigner(t, fixtures.KeyIdPPrimary, testNow.AddDate(-1, 0, 0), testNow.AddDate(9, 0, 0))
}

// respSpec describes a response to build. Zero values take Okta's shape.
type respSpec struct {
	ResponseID, AssertionID string
	Destination             string // "-" omits the attribute
	InResponseTo            string // "-" omits it on both Response and SCD
	Issuer                  string
	NameID                  string
	Audience                string
	Recipient               string
	Status                  string
	IssueInstant            time.Time
	NotBefore, NotOnOrAfter time.Time
	SCDNotOnOrAfter         time.Time
	// Signing: which elements, with which key, which algorithm.
	SignResponse, SignAssertion bool
	Signer                      *testSigner
	// KeyInfoCert replaces the certificate placed in KeyInfo (nil: the signer's).
	KeyInfoCert     *x509.Certificate
	SignatureMethod string // default RSA-SHA256
	// C14NWithComments signs with exclusive c14n #WithComments.
	C14NWithComments bool
	// PreSign edits the unsigned document; PostSign the signed one.
	PreSign  []func(doc *etree.Document)
	PostSign []func(doc *etree.Document)
}

// build renders, signs and base64-encodes the response.
func (sp respSpec) build(t testing.TB) string {
	t.Helper()
	doc := sp.document(t)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatalf("serialise: %v", err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func (sp respSpec) document(t testing.TB) *etree.Document {
	t.Helper()
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	ts := func(v, d time.Time) string {
		if v.IsZero() {
			v = d
		}
		return v.UTC().Format(wire.TimeLayout)
	}
	ii := sp.IssueInstant
	if ii.IsZero() {
		ii = testNow
	}
	dest := ` Destination="` + def(sp.Destination, testBase+PathHandler) + `"`
	if sp.Destination == "-" {
		dest = ""
	}
	irt := def(sp.InResponseTo, "_00000000000000000000000000000000")
	respIRT, scdIRT := ` InResponseTo="`+irt+`"`, ` InResponseTo="`+irt+`"`
	if sp.InResponseTo == "-" {
		respIRT, scdIRT = "", ""
	}
	issuer := def(sp.Issuer, testIdPEntity)
	xml := `<?xml version="1.0" encoding="UTF-8"?>` +
		`<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"` + dest + ` ID="` + def(sp.ResponseID, "id33636846145521866212934273") + `"` + respIRT + ` IssueInstant="` + ts(ii, ii) + `" Version="2.0" xmlns:xs="http://www.w3.org/2001/XMLSchema">` +
		`<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">` + issuer + `</saml2:Issuer>` +
		`<saml2p:Status xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><saml2p:StatusCode Value="` + def(sp.Status, wire.StatusSuccess) + `"/></saml2p:Status>` +
		`<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + def(sp.AssertionID, "id3363684614568890991368194") + `" IssueInstant="` + ts(ii, ii) + `" Version="2.0" xmlns:xs="http://www.w3.org/2001/XMLSchema">` +
		`<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">` + issuer + `</saml2:Issuer>` +
		`<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">` + def(sp.NameID, testEmail) + `</saml2:NameID>` +
		`<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData` + scdIRT + ` NotOnOrAfter="` + ts(sp.SCDNotOnOrAfter, ii.Add(5*time.Minute)) + `" Recipient="` + def(sp.Recipient, testBase+PathHandler) + `"/></saml2:SubjectConfirmation></saml2:Subject>` +
		`<saml2:Conditions NotBefore="` + ts(sp.NotBefore, ii.Add(-5*time.Minute)) + `" NotOnOrAfter="` + ts(sp.NotOnOrAfter, ii.Add(5*time.Minute)) + `"><saml2:AudienceRestriction><saml2:Audience>` + def(sp.Audience, testBase) + `</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>` +
		`<saml2:AuthnStatement AuthnInstant="` + ts(ii, ii) + `" SessionIndex="` + irt + `"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>` +
		`<saml2:AttributeStatement><saml2:Attribute Name="firstName" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"><saml2:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">Alice</saml2:AttributeValue></saml2:Attribute>` +
		`<saml2:Attribute Name="groups" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"><saml2:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">Everyone</saml2:AttributeValue><saml2:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">Engineering</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>` +
		`</saml2:Assertion></saml2p:Response>`
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatalf("template: %v", err)
	}
	for _, f := range sp.PreSign {
		f(doc)
	}
	signer := sp.Signer
	if signer == nil {
		signer = idpSigner(t)
	}
	if sp.SignAssertion {
		if a := doc.Root().SelectElement("saml2:Assertion"); a != nil {
			sp.sign(t, a, signer)
		}
	}
	if sp.SignResponse {
		sp.sign(t, doc.Root(), signer)
	}
	for _, f := range sp.PostSign {
		f(doc)
	}
	return doc
}

// sign puts an enveloped exclusive-c14n signature right after el's Issuer.
func (sp respSpec) sign(t testing.TB, el *etree.Element, s *testSigner) {
	t.Helper()
	certDER := s.cert.Raw
	if sp.KeyInfoCert != nil {
		certDER = sp.KeyInfoCert.Raw
	}
	ctx, err := dsig.NewSigningContext(s.key, [][]byte{certDER})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if sp.C14NWithComments {
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("")
	}
	method := sp.SignatureMethod
	if method == "" {
		method = wire.AlgRSASHA256
	}
	if err := ctx.SetSignatureMethod(method); err != nil {
		t.Fatal(err)
	}
	nsctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		t.Fatal(err)
	}
	detached, err := etreeutils.NSDetatch(nsctx, el)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ctx.ConstructSignature(detached, true)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	at := 0
	if iss := el.SelectElement("saml2:Issuer"); iss != nil {
		at = iss.Index() + 1
	}
	el.InsertChildAt(at, sig)
}

// find returns the element at an etree path or fails.
func find(t testing.TB, doc *etree.Document, path string) *etree.Element {
	el := doc.FindElement(path)
	if el == nil {
		if t == nil {
			panic("no element at " + path)
		}
		t.Helper()
		t.Fatalf("no element at %s", path)
	}
	return el
}

const (
	pResponse  = "/saml2p:Response"
	pAssertion = "/saml2p:Response/saml2:Assertion"
	pSubject   = pAssertion + "/saml2:Subject"
	pNameID    = pSubject + "/saml2:NameID"
	pSCD       = pSubject + "/saml2:SubjectConfirmation/saml2:SubjectConfirmationData"
	pConds     = pAssertion + "/saml2:Conditions"
)

// testEnv is an SP with one workspace configured as the guide says.
type testEnv struct {
	t       testing.TB
	srv     *Server
	ws      Workspace
	signer  *testSigner
	profile Profile
}

type envOption func(*SSOSettings)

func withCertificates(certs ...string) envOption {
	return func(s *SSOSettings) { s.Certificates = certs }
}

func newEnv(t testing.TB, profile Profile, opts ...envOption) *testEnv {
	t.Helper()
	srv, err := New(Config{BaseURL: testBase, Now: func() time.Time { return testNow }, Rand: rand.NewChaCha8([32]byte{42})})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := srv.CreateWorkspace(WorkspaceSpec{ID: "ws1", Name: "Acme", VerifiedDomains: []string{testDomain, "acme-labs.test"}, Profile: profile})
	if err != nil {
		t.Fatal(err)
	}
	signer := idpSigner(t)
	settings := SSOSettings{
		SSOProvider:               "SAML",
		IdentityProviderEntityID:  testIdPEntity,
		IdentityProviderSignInURL: testIdPSSO,
		Certificates:              []string{signer.certPEM},
		Domains:                   []string{testDomain},
		Acknowledge:               true,
	}
	for _, o := range opts {
		o(&settings)
	}
	if _, err := srv.UpdateSSO(ws.ID, settings); err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, srv: srv, ws: ws, signer: signer, profile: profile}
}

// start begins a sign-in and returns the createAuthUri answer.
func (e *testEnv) start() *CreateAuthURIResponse {
	e.t.Helper()
	resp, apiErr := e.srv.CreateAuthURI(context.Background(), CreateAuthURIRequest{ProviderID: e.ws.ProviderID, ContinueURI: testBase + PathHandler})
	if apiErr != nil {
		e.t.Fatalf("createAuthUri: %v", apiErr)
	}
	return resp
}

// spec is the default, both-signed response for a started sign-in.
func (e *testEnv) spec(started *CreateAuthURIResponse) respSpec {
	return respSpec{InResponseTo: started.RequestID, SignResponse: true, SignAssertion: true, Signer: e.signer}
}

// submit posts an encoded SAMLResponse for a started sign-in.
func (e *testEnv) submit(started *CreateAuthURIResponse, samlResponse string) (*SignInWithIdpResponse, *APIError) {
	e.t.Helper()
	body := url.Values{"SAMLResponse": {samlResponse}, "RelayState": {started.RelayState}}.Encode()
	return e.srv.SignInWithIdp(context.Background(), SignInWithIdpRequest{
		RequestURI: testBase + PathHandler, PostBody: body, SessionID: started.SessionID, ReturnSecureToken: true,
	})
}

// signIn builds the spec (after edit) and submits it.
func (e *testEnv) signIn(edit func(*respSpec)) (*SignInWithIdpResponse, *APIError) {
	e.t.Helper()
	started := e.start()
	spec := e.spec(started)
	if edit != nil {
		edit(&spec)
	}
	return e.submit(started, spec.build(e.t))
}

// preSign and postSign wrap document edits.
func preSign(f func(doc *etree.Document)) func(*respSpec) {
	return func(s *respSpec) { s.PreSign = append(s.PreSign, f) }
}

func postSign(f func(doc *etree.Document)) func(*respSpec) {
	return func(s *respSpec) { s.PostSign = append(s.PostSign, f) }
}

// setAttr sets an attribute at a path.
func setAttr(t testing.TB, path, key, value string) func(doc *etree.Document) {
	return func(doc *etree.Document) { find(t, doc, path).CreateAttr(key, value) }
}

// parseXML parses a fragment into an element.
func parseXML(t testing.TB, s string) *etree.Element {
	d := etree.NewDocument()
	if err := d.ReadFromString(s); err != nil {
		if t == nil {
			panic(err)
		}
		t.Helper()
		t.Fatal(err)
	}
	return d.Root()
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
