package oracle

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// signatureTemplate is an empty enveloped signature over the element with
// the given ID, in the form Okta uses: exclusive c14n, RSA-SHA256, SHA-256
// digest, enveloped + exclusive c14n transforms, and an X509Data that
// xmlsec1 fills with the signing certificate. xmlsec1 --sign computes the
// DigestValue and SignatureValue; nothing here canonicalizes or hashes.
func signatureTemplate(refID string) *etree.Element {
	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", wire.NSDSig)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", wire.AlgExcC14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", wire.AlgRSASHA256)
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("URI", "#"+refID)
	tr := ref.CreateElement("ds:Transforms")
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", wire.AlgEnveloped)
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", wire.AlgExcC14N)
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", wire.AlgDigestSHA256)
	ref.CreateElement("ds:DigestValue")
	sig.CreateElement("ds:SignatureValue")
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data")
	return sig
}

// insertTemplate puts a signature template for el right after its Issuer,
// where Okta puts its signatures.
func insertTemplate(t *testing.T, el *etree.Element) {
	t.Helper()
	id := el.SelectAttrValue("ID", "")
	if id == "" {
		t.Fatalf("%s has no ID", el.Tag)
	}
	at := 0
	for i, c := range el.ChildElements() {
		if c.Tag == "Issuer" && c.NamespaceURI() == wire.NSAssertion {
			at = c.Index() + 1
			break
		} else if i == 0 {
			at = c.Index()
		}
	}
	el.InsertChildAt(at, signatureTemplate(id))
}

// signedWorld is the guide's mock Okta org and workspace, with Okta told to
// sign nothing: the mock IdP only shapes the response (issuer, audience,
// InResponseTo, times from the harness clock); every signature comes from
// xmlsec1.
type signedWorld struct {
	w       *builtin.World
	started *sp.CreateAuthURIResponse
	xml     []byte // the IdP's unsigned response
}

func newSignedWorld(t *testing.T, profile sp.Profile) *signedWorld {
	t.Helper()
	w, err := builtin.NewWorld(builtin.WorldConfig{Now: func() time.Time { return at }, Seed: 7, Profile: profile, Configure: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	s := w.GuideSettings()
	s.Response, s.AssertionSignature = mockidp.Unsigned, mockidp.Unsigned
	if _, err := w.IdP.UpdateApp(w.App.ID, s); err != nil {
		t.Fatal(err)
	}
	started, apiErr := w.SP.CreateAuthURI(context.Background(), sp.CreateAuthURIRequest{ProviderID: w.Workspace.ProviderID, ContinueURI: w.RedirectURL()})
	if apiErr != nil {
		t.Fatalf("createAuthUri: %v", apiErr)
	}
	authURI, err := url.Parse(started.AuthURI)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := w.IdP.Respond(mockidp.ResponseRequest{AppID: w.App.ID, Login: w.Users["alice"].Login,
		SAMLRequest: authURI.Query().Get("SAMLRequest"), RelayState: started.RelayState})
	if err != nil {
		t.Fatalf("mock IdP: %v", err)
	}
	if resp.RequestID != started.RequestID {
		t.Fatalf("the IdP answered request %q, the SP sent %q", resp.RequestID, started.RequestID)
	}
	sigs, err := Signatures(resp.XML)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 0 {
		t.Fatalf("the mock IdP signed the response (%d signature(s)) although told not to: the test would not isolate xmlsec1", len(sigs))
	}
	return &signedWorld{w: w, started: started, xml: resp.XML}
}

// signWithXMLSec1 adds templates for the elements named ("Assertion",
// "Response") and has xmlsec1 sign them with Okta's key and certificate,
// the Assertion first (the Response's signature covers it).
func (sw *signedWorld) signWithXMLSec1(t *testing.T, x XMLSec1, what ...string) []byte {
	t.Helper()
	return sw.signAs(t, x, keyPEM(t, fixtures.KeyIdPPrimary), []byte(sw.w.ActiveCertificatePEM()), nil, what...)
}

// signAs is signWithXMLSec1 with another key and certificate; keyInfo, when
// set, edits each template's KeyInfo before signing.
func (sw *signedWorld) signAs(t *testing.T, x XMLSec1, key, cert []byte, keyInfo func(*etree.Element), what ...string) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(sw.xml); err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	assertion := root.SelectElement("Assertion")
	if assertion == nil {
		t.Fatal("the mock IdP's response has no Assertion")
	}
	for _, w := range what {
		switch w {
		case "Response":
			insertTemplate(t, root)
		case "Assertion":
			insertTemplate(t, assertion)
		default:
			t.Fatalf("cannot sign %q", w)
		}
	}
	if keyInfo != nil {
		for _, ki := range doc.FindElements("//ds:KeyInfo") {
			keyInfo(ki)
		}
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := Signatures(out)
	if err != nil {
		t.Fatal(err)
	}
	// Inner signatures first: the Assertion's template follows the
	// Response's in document order, so sign from the last one back.
	for i := len(sigs); i >= 1; i-- {
		if out, err = x.Sign(context.Background(), out, key, cert, i); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// submit posts the response for the started sign-in, as the Redirect URL
// page does (accounts:signInWithIdp).
func (sw *signedWorld) submit(doc []byte) (*sp.SignInWithIdpResponse, *sp.APIError) {
	body := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(doc)}, "RelayState": {sw.started.RelayState}}.Encode()
	return sw.w.SP.SignInWithIdp(context.Background(), sp.SignInWithIdpRequest{
		RequestURI: sw.w.RedirectURL(), PostBody: body, SessionID: sw.started.SessionID, ReturnSecureToken: true,
	})
}

// replaceOnce replaces the one match of re in doc, failing when there is not
// exactly one.
func replaceOnce(t *testing.T, doc []byte, re *regexp.Regexp, repl string) []byte {
	t.Helper()
	if n := len(re.FindAllIndex(doc, -1)); n != 1 {
		t.Fatalf("tamper: %d matches of %s, want 1", n, re)
	}
	return re.ReplaceAll(doc, []byte(repl))
}

var (
	nameIDText = regexp.MustCompile(`>alice@acme\.test</saml2:NameID>`)
	// firstDigest is the first DigestValue in document order: the
	// Response's when it is signed, else the Assertion's.
	firstDigest = regexp.MustCompile(`<ds:DigestValue>[^<]+</ds:DigestValue>`)
)

// alterFirstDigest flips one character of the first DigestValue (base64
// stays valid: 'A' ↔ 'B').
func alterFirstDigest(t *testing.T, doc []byte) []byte {
	t.Helper()
	loc := firstDigest.FindIndex(doc)
	if loc == nil {
		t.Fatal("tamper: no DigestValue")
	}
	out := bytes.Clone(doc)
	i := loc[0] + len("<ds:DigestValue>")
	if out[i] == 'A' {
		out[i] = 'B'
	} else {
		out[i] = 'A'
	}
	return out
}

// TestXMLSec1SignedResponses has xmlsec1 sign responses the mock IdP shaped
// but did not sign — the Response, the Assertion, or both — and checks that
// the built-in SP (goxmldsig) accepts each for the genuine user under both
// profiles, and refuses each with SIGNATURE_INVALID once tampered after
// signing (NameID changed, a DigestValue altered).
func TestXMLSec1SignedResponses(t *testing.T) {
	x := needXMLSec1(t)
	signings := [][]string{{"Response"}, {"Assertion"}, {"Response", "Assertion"}}
	tampers := []struct {
		name string
		edit func(*testing.T, []byte) []byte
	}{
		{"untouched", nil},
		{"nameid-changed", func(t *testing.T, doc []byte) []byte {
			return replaceOnce(t, doc, nameIDText, ">admin@acme.test</saml2:NameID>")
		}},
		{"digest-altered", alterFirstDigest},
	}
	var accepted, refused atomic.Int32
	t.Run("cases", func(t *testing.T) { // returns once every parallel case is done
		for _, profile := range sp.AllProfiles() {
			for _, what := range signings {
				for _, tamper := range tampers {
					name := fmt.Sprintf("%s/%v/%s", profile, what, tamper.name)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						sw := newSignedWorld(t, profile)
						doc := sw.signWithXMLSec1(t, x, what...)
						// xmlsec1 must agree with itself before the SP judges.
						sigs, err := x.Verify(context.Background(), doc, []byte(sw.w.ActiveCertificatePEM()))
						if err != nil || len(sigs) != len(what) {
							t.Fatalf("xmlsec1 re-verification: %v, %d signature(s), want %d", err, len(sigs), len(what))
						}
						for _, s := range sigs {
							if !s.OK {
								t.Fatalf("xmlsec1 does not verify its own signature #%d (%s): %s", s.Index, s.Parent, s.Detail)
							}
						}
						if tamper.edit != nil {
							doc = tamper.edit(t, doc)
						}
						got, apiErr := sw.submit(doc)
						if tamper.edit == nil {
							if apiErr != nil {
								t.Fatalf("the SP refused a response xmlsec1 signed: %v\n%s", apiErr, doc)
							}
							if want := sw.w.Users["alice"].Email; got.Email != want || got.NameID != want {
								t.Fatalf("signed in as email %q NameID %q, want %q", got.Email, got.NameID, want)
							}
							accepted.Add(1)
							return
						}
						if apiErr == nil {
							t.Fatalf("the SP accepted a response tampered after xmlsec1 signed it (%s): session for %q", tamper.name, got.Email)
						}
						if !errors.Is(apiErr, sp.ReasonSignatureInvalid) {
							t.Fatalf("refused with %s, want %s: %v", apiErr.Reason, sp.ReasonSignatureInvalid, apiErr)
						}
						refused.Add(1)
					})
				}
			}
		}
	})
	t.Logf("xmlsec1-signed responses: %d accepted by the SP, %d tampered ones refused with SIGNATURE_INVALID",
		accepted.Load(), refused.Load())
}

// TestXMLSec1SignedByAttacker: xmlsec1 signs with the attacker's key and
// certificate (a well-formed, cryptographically valid signature under a key
// nobody configured). The SP must refuse it as untrusted, and the oracle's
// verification, which trusts only the Okta certificate, must refuse it too —
// even when the signature's KeyInfo carries the attacker's public key as an
// RSAKeyValue, which xmlsec1 would use if the oracle let it read KeyInfo.
func TestXMLSec1SignedByAttacker(t *testing.T) {
	x := needXMLSec1(t)
	for _, profile := range sp.AllProfiles() {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			sw := newSignedWorld(t, profile)
			attackerKey, attackerCert := keyPEM(t, fixtures.KeyAttacker), oktaCertPEM(t, fixtures.KeyAttacker)
			doc := sw.signAs(t, x, attackerKey, attackerCert, nil, "Response", "Assertion")
			if _, apiErr := sw.submit(doc); apiErr == nil || !errors.Is(apiErr, sp.ReasonSignatureUntrustedKey) {
				t.Fatalf("the SP answered %v to a response signed with the attacker's key, want %s", apiErr, sp.ReasonSignatureUntrustedKey)
			}
			okta := []byte(sw.w.ActiveCertificatePEM())
			withKeyValue := sw.signAs(t, x, attackerKey, attackerCert, func(ki *etree.Element) {
				ki.CreateElement("ds:KeyValue") // xmlsec1 fills in the attacker's RSAKeyValue
			}, "Response", "Assertion")
			if !bytes.Contains(withKeyValue, []byte("RSAKeyValue")) {
				t.Fatalf("xmlsec1 did not write the attacker's RSAKeyValue into KeyInfo:\n%s", withKeyValue)
			}
			for name, d := range map[string][]byte{"X509Data": doc, "RSAKeyValue": withKeyValue} {
				sigs, err := x.Verify(context.Background(), d, okta)
				if err != nil || len(sigs) != 2 {
					t.Fatalf("%s: verify: %v, %d signature(s)", name, err, len(sigs))
				}
				for _, s := range sigs {
					if s.OK {
						t.Errorf("%s: the oracle verified signature #%d (%s), made with the attacker's key, against the Okta certificate", name, s.Index, s.Parent)
					}
				}
				sigs, err = x.Verify(context.Background(), d, attackerCert)
				if err != nil || len(sigs) != 2 || !sigs[0].OK || !sigs[1].OK {
					t.Errorf("%s: the attacker's own certificate must verify the signatures (the signatures are sound): %v %+v", name, err, sigs)
				}
			}
		})
	}
}
