package diagnose

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
)

// testAt is the fixed clock of these tests.
var testAt = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

const (
	testSP       = "https://workspace.example"
	testRedirect = testSP + "/__/auth/handler"
	testIssuer   = "http://www.okta.com/exk0123456789abcdefg"
)

var (
	oktaCertOnce sync.Once
	oktaCert     *x509.Certificate
	oktaPEM      string
)

// testOktaCert is an Okta-shaped certificate of the primary fixture key
// (minted with the standard library: these tests never use the mock IdP).
func testOktaCert(t *testing.T) (*x509.Certificate, string) {
	if t != nil {
		t.Helper()
	}
	oktaCertOnce.Do(func() {
		key := fixtures.Key(fixtures.KeyIdPPrimary)
		nb := testAt.AddDate(-1, 0, 0)
		name := pkix.Name{Country: []string{"US"}, Province: []string{"California"}, Locality: []string{"San Francisco"},
			Organization: []string{"Okta"}, OrganizationalUnit: []string{"SSOProvider"}, CommonName: "dev-000000"}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(nb.Add(time.Minute).UnixMilli()), Subject: name, Issuer: name,
			NotBefore: nb, NotAfter: nb.AddDate(10, 0, 0).Add(time.Minute)}
		der, err := x509.CreateCertificate(rand.NewChaCha8([32]byte{3}), tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		oktaCert, _ = x509.ParseCertificate(der)
		oktaPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	})
	return oktaCert, oktaPEM
}

// responseXML is an unsigned, Okta-shaped response (enough for the reader;
// the SP refuses it for its missing signature).
func responseXML(nameID string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><saml2p:Response Destination="` + testRedirect + `" ID="id1" InResponseTo="_abc" IssueInstant="2026-01-15T09:30:00.000Z" Version="2.0" xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">` + testIssuer + `</saml2:Issuer>` +
		`<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>` +
		`<saml2:Assertion ID="id2" IssueInstant="2026-01-15T09:30:00.000Z" Version="2.0" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">` +
		`<saml2:Issuer>` + testIssuer + `</saml2:Issuer>` +
		`<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">` + nameID + `</saml2:NameID>` +
		`<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData InResponseTo="_abc" NotOnOrAfter="2026-01-15T09:35:00.000Z" Recipient="` + testRedirect + `"/></saml2:SubjectConfirmation></saml2:Subject>` +
		`<saml2:Conditions NotBefore="2026-01-15T09:25:00.000Z" NotOnOrAfter="2026-01-15T09:35:00.000Z"><saml2:AudienceRestriction><saml2:Audience>` + testSP + `</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>` +
		`</saml2:Assertion></saml2p:Response>`
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// testConfig is a guide-configured workspace.
func testConfig(t *testing.T) Config { // t may be nil (benchmarks)
	_, p := testOktaCert(t)
	return Config{SSOProvider: "SAML", ServiceProviderEntityID: testSP, RedirectURL: testRedirect,
		IdentityProviderEntityID: testIssuer, IdentityProviderSignInURL: "https://dev-000000.okta.com/app/dev-000000_x_1/exk0123456789abcdefg/sso/saml",
		Certificates: []string{p}, Domains: []string{"acme.test"}}
}

// harOf builds a minimal Chromium-shaped HAR from entries given as maps.
func harOf(entries ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]string{"name": "WebInspector"}, "entries": entries}})
	return b
}

// postEntry is the POST of a SAMLResponse to the Redirect URL.
func postEntry(at, samlResponse string) map[string]any {
	form := "SAMLResponse=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(samlResponse) + "&RelayState=rs"
	return map[string]any{"startedDateTime": at, "request": map[string]any{"method": "POST", "url": testRedirect,
		"postData": map[string]any{"mimeType": "application/x-www-form-urlencoded", "text": form,
			"params": []map[string]string{{"name": "SAMLResponse", "value": strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(samlResponse)}}}},
		"response": map[string]any{"status": 200, "content": map[string]any{"mimeType": "text/html", "text": "<html></html>"}}}
}

// apiEntry is an accounts:signInWithIdp call and its answer.
func apiEntry(at string, status int, body string) map[string]any {
	return map[string]any{"startedDateTime": at, "request": map[string]any{"method": "POST", "url": "https://identitytoolkit.googleapis.com/v1/accounts:signInWithIdp?key=k",
		"postData": map[string]any{"mimeType": "application/json", "text": `{"requestUri":"` + testRedirect + `","postBody":"","sessionId":"s"}`}},
		"response": map[string]any{"status": status, "content": map[string]any{"mimeType": "application/json", "text": body}}}
}

func getEntry(at, url string, status int, body string) map[string]any {
	return map[string]any{"startedDateTime": at, "request": map[string]any{"method": "GET", "url": url},
		"response": map[string]any{"status": status, "content": map[string]any{"mimeType": "text/html", "text": body}}}
}

// errCode returns an error's diagnose code.
func errCode(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "?" + err.Error()
}
