package mockidp

import (
	"bytes"
	"compress/flate"
	"crypto/rsa"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/samlharness/samlharness/fixtures"
)

// Shared test setup: a fixed clock, seeded IDs and the fixture keys, so
// every test is deterministic and can run in parallel.

var testNow = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

const (
	testBase     = "http://127.0.0.1:7001"
	testACS      = "http://127.0.0.1:9000/__/auth/handler"
	testAudience = "http://127.0.0.1:9000"
	testLogin    = "ada@example.com"
	testPassword = "correct horse battery staple"
)

func primaryKey() (*rsa.PrivateKey, error) { return fixtures.Key(fixtures.KeyIdPPrimary), nil }

func testConfig(seed uint64) Config {
	return Config{
		Now:         func() time.Time { return testNow },
		IDs:         NewSeededIDs(seed),
		NewKey:      primaryKey,
		AttackerKey: fixtures.Key(fixtures.KeyAttacker),
		RotatedKey:  fixtures.Key(fixtures.KeyIdPRotated),
		WeakKey:     fixtures.Key(fixtures.KeyWeak1024),
		SpareKey:    fixtures.Key(fixtures.KeySpare),
		BaseURL:     testBase,
	}
}

func newTestIdP(t testing.TB) *IdP {
	t.Helper()
	idp, err := New(testConfig(42))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return idp
}

func defaultSettings() SAMLSettings {
	return SAMLSettings{SSOURL: testACS, AudienceURI: testAudience}
}

// setup returns an IdP with one app (settings s) and one assigned user.
func setup(t testing.TB, s SAMLSettings) (*IdP, *App, User) {
	t.Helper()
	idp := newTestIdP(t)
	app, err := idp.CreateApp("ElevenLabs", s)
	if err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	u, err := idp.AddUser(User{Login: testLogin, FirstName: "Ada", LastName: "Lovelace", Password: testPassword, Groups: []string{"Engineering", "okta-admin"}})
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	if err := idp.AssignUser(app.ID, u.ID); err != nil {
		t.Fatalf("AssignUser: %v", err)
	}
	return idp, app, u
}

// crewjamSP is a real third-party SP (crewjam/saml) trusting the app's
// metadata, with the same clock.
func crewjamSP(t testing.TB, idp *IdP, app *App) *saml.ServiceProvider {
	t.Helper()
	md, err := idp.Metadata(app.ID)
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(md, &ed); err != nil {
		t.Fatalf("metadata does not parse: %v", err)
	}
	acs, _ := url.Parse(app.Settings.SSOURL)
	return &saml.ServiceProvider{
		EntityID:          app.Settings.AudienceURI,
		AcsURL:            *acs,
		IDPMetadata:       &ed,
		Clock:             dsig.NewFakeClockAt(testNow),
		Key:               fixtures.Key(fixtures.KeySPEncryption),
		AllowIDPInitiated: true,
	}
}

// redirectRequest encodes an AuthnRequest for the HTTP-Redirect binding.
func redirectRequest(t testing.TB, xmlText string) string {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	_, _ = w.Write([]byte(xmlText))
	_ = w.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func authnRequestXML(id string) string {
	return `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + id +
		`" Version="2.0" IssueInstant="2026-03-14T09:26:50Z" AssertionConsumerServiceURL="` + testACS +
		`" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>` + testAudience + `</saml:Issuer></samlp:AuthnRequest>`
}

func parseDoc(t testing.TB, raw []byte) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatalf("response does not parse: %v\n%s", err, raw)
	}
	return doc
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
