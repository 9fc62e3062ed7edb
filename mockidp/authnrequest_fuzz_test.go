package mockidp

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Fuzz targets for the IdP's AuthnRequest parsing, on both bindings and on
// the XML itself. Each checks more than "no panic":
//
//   - every input is decided within maxDecideTime;
//   - a refusal is an *Error with CodeBadSAMLRequest, a known Reason and a
//     short message;
//   - an accepted request survives a round trip: encoded again for its
//     binding (or rebuilt from the fields the IdP uses) it decodes to the
//     same XML and the same fields.
//
// Seed corpora are in testdata/fuzz/<FuzzName>; `go test` runs them, `go
// test -fuzz FuzzName` explores further.

// maxDecideTime bounds one decision. A request at the size caps costs a
// few milliseconds; the bound leaves room for -race and a busy machine.
const maxDecideTime = 2 * time.Second

var knownReasons = map[RequestReason]bool{
	ReasonMissing: true, ReasonTooLarge: true, ReasonNotBase64: true, ReasonNotDeflate: true, ReasonTruncated: true,
	ReasonInflatedTooLarge: true, ReasonDoctype: true, ReasonTooDeep: true, ReasonTooManyElements: true,
	ReasonTooManyAttributes: true, ReasonNotXML: true, ReasonNotAuthnRequest: true, ReasonNoID: true, ReasonBadForm: true,
}

// checkRefusal fails unless err is a well-formed refusal.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !asError(err, &e) || e.Code != CodeBadSAMLRequest || !knownReasons[e.Reason] {
		t.Fatalf("refusal without a stable code and reason: %#v", err)
	}
	if e.Message == "" || len(e.Message) > 600 {
		t.Fatalf("refusal message of %d bytes: %.200q", len(e.Message), e.Message)
	}
}

// decideTimed decodes a SAMLRequest as the SSO endpoint does, failing when
// it takes longer than maxDecideTime.
func decideTimed(t *testing.T, param string, redirect bool) ([]byte, *authnRequest, error) {
	t.Helper()
	start := time.Now()
	raw, err := decodeBinding(param, redirect)
	var ar *authnRequest
	if err == nil {
		ar, err = parseAuthnRequest(raw)
	}
	if d := time.Since(start); d > maxDecideTime {
		t.Fatalf("deciding a %d-byte SAMLRequest took %v", len(param), d)
	}
	return raw, ar, err
}

func fuzzBinding(f *testing.F, redirect bool) {
	for _, s := range []string{
		redirectParam([]byte(authnRequestXML("_seed"))),
		base64.StdEncoding.EncodeToString([]byte(authnRequestXML("_seed"))),
		"", "!!!", "AAAA", base64.StdEncoding.EncodeToString(deflateRaw(bombXML(1 << 20))),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, param string) {
		raw, ar, err := decideTimed(t, param, redirect)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		// Encode the XML again for this binding: it must decode to the
		// same XML and the same request.
		again := base64.StdEncoding.EncodeToString(raw)
		if redirect {
			again = redirectParam(raw)
		}
		raw2, ar2, err := decideTimed(t, again, redirect)
		if err != nil {
			t.Fatalf("accepted, then refused once encoded again: %v", err)
		}
		if !bytes.Equal(raw, raw2) || !reflect.DeepEqual(ar, ar2) {
			t.Fatalf("the round trip changed the request: %+v → %+v", ar, ar2)
		}
	})
}

// FuzzAuthnRequestRedirect: the HTTP-Redirect binding (base64 of raw
// DEFLATE).
func FuzzAuthnRequestRedirect(f *testing.F) { fuzzBinding(f, true) }

// FuzzAuthnRequestPOST: the HTTP-POST binding (base64 of the XML, or of
// DEFLATE data).
func FuzzAuthnRequestPOST(f *testing.F) { fuzzBinding(f, false) }

// encodeAuthnRequest writes the fields the IdP reads as a minimal
// AuthnRequest.
func encodeAuthnRequest(ar *authnRequest) []byte {
	doc := etree.NewDocument()
	root := doc.CreateElement("samlp:AuthnRequest")
	root.CreateAttr("xmlns:samlp", wire.NSProtocol)
	root.CreateAttr("xmlns:saml", wire.NSAssertion)
	root.CreateAttr("ID", ar.ID)
	if ar.ACSURL != "" {
		root.CreateAttr("AssertionConsumerServiceURL", ar.ACSURL)
	}
	if ar.Destination != "" {
		root.CreateAttr("Destination", ar.Destination)
	}
	root.CreateAttr("ForceAuthn", strconv.FormatBool(ar.ForceAuthn))
	root.CreateAttr("IsPassive", strconv.FormatBool(ar.IsPassive))
	if ar.Issuer != "" {
		root.CreateElement("saml:Issuer").SetText(ar.Issuer)
	}
	out, _ := doc.WriteToBytes()
	return out
}

// FuzzAuthnRequestXML: the XML parser and its checks; an accepted request
// rebuilt from its fields parses to the same fields.
func FuzzAuthnRequestXML(f *testing.F) {
	for _, s := range []string{
		authnRequestXML("_seed"),
		`<samlp:AuthnRequest xmlns:samlp="` + wire.NSProtocol + `" ID="_f" ForceAuthn="1" IsPassive="true" Destination="https://idp/sso"><saml:Issuer xmlns:saml="` + wire.NSAssertion + `"> sp </saml:Issuer></samlp:AuthnRequest>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><x/>`, `<a>`, ``, `<samlp:Response xmlns:samlp="` + wire.NSProtocol + `"/>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, xml []byte) {
		start := time.Now()
		ar, err := parseAuthnRequest(xml)
		if d := time.Since(start); d > maxDecideTime {
			t.Fatalf("parsing %d bytes took %v", len(xml), d)
		}
		if err != nil {
			checkRefusal(t, err)
			return
		}
		ar2, err := parseAuthnRequest(encodeAuthnRequest(ar))
		if err != nil {
			t.Fatalf("accepted %+v, refused once rebuilt: %v", ar, err)
		}
		if !reflect.DeepEqual(ar, ar2) {
			t.Fatalf("rebuilt request differs: %+v → %+v", ar, ar2)
		}
	})
}
