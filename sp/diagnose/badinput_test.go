package diagnose

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// Every bad input gets an *Error with a stable code and a message that
// says what was expected; none panics.

func TestParseResponseBadInput(t *testing.T) {
	t.Parallel()
	good := b64(responseXML("alice@acme.test"))
	padded := good
	for pad := ""; !strings.HasSuffix(padded, "="); pad += " " {
		padded = b64(responseXML("alice@acme.test") + pad)
	}
	var deflated bytes.Buffer
	w, _ := flate.NewWriter(&deflated, flate.BestCompression)
	w.Write([]byte(responseXML("alice@acme.test")))
	w.Close()
	cases := []struct {
		name     string
		in       string
		code     string // "" = accepted
		encoding string
		contains []string // in the error message or the notes
	}{
		{name: "base64", in: good, encoding: EncBase64},
		{name: "base64 wrapped in lines", in: good[:60] + "\n" + good[60:], encoding: EncBase64},
		{name: "XML", in: responseXML("alice@acme.test"), encoding: EncXML},
		{name: "URL-encoded", in: url.QueryEscape(good), encoding: EncURLBase64},
		{name: "URL-encoded twice", in: url.QueryEscape(url.QueryEscape(good)), encoding: EncURLBase64, contains: []string{"URL-encoded twice"}},
		{name: "form body", in: "SAMLResponse=" + url.QueryEscape(good) + "&RelayState=xyz", encoding: EncFormBody},
		{name: "doubly base64-encoded", in: b64(good), encoding: EncDoubleBase64, contains: []string{"base64 of base64"}},
		{name: "URL-safe alphabet", in: base64.URLEncoding.EncodeToString([]byte(responseXML("ü@acme.test??>"))), contains: []string{"URL-safe"}},
		{name: "deflated", in: base64.StdEncoding.EncodeToString(deflated.Bytes()), contains: []string{"deflated"}},
		{name: "empty", in: "", code: ErrResponseEmpty, contains: []string{"Expected"}},
		{name: "whitespace", in: " \n\t ", code: ErrResponseEmpty},
		{name: "truncated base64", in: good[:len(good)/2+1], code: ErrResponseTruncated, contains: []string{"truncated", "stops inside", "Expected the complete value"}},
		{name: "truncated at a 4-character boundary", in: good[:len(good)/2/4*4], code: ErrResponseTruncated, contains: []string{"truncated"}},
		{name: "truncated XML", in: responseXML("alice@acme.test")[:300], code: ErrResponseTruncated},
		{name: "not base64", in: good[:40] + "*" + good[41:], code: ErrResponseNotBase64, contains: []string{`character '*' at position 41`, "Expected only"}},
		{name: "ellipsis from a shortened copy", in: good[:40] + "…" + good[len(good)-20:], code: ErrResponseNotBase64, contains: []string{"ellipsis"}},
		{name: "padding in the middle", in: padded + padded, code: ErrResponseNotBase64, contains: []string{"padding"}},
		{name: "JSON", in: `{"SAMLResponse":"x"}`, code: ErrResponseNotSAML, contains: []string{"--har"}},
		{name: "binary", in: "\x00\x01\xff\xfe", code: ErrResponseNotBase64},
		{name: "base64 of text", in: b64("hello, this is not a SAML response at all"), code: ErrResponseNotSAML, contains: []string{"not XML"}},
		{name: "AuthnRequest", in: b64(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>`), code: ErrResponseNotSAML, contains: []string{"SAMLRequest"}},
		{name: "metadata", in: `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`, code: ErrResponseNotSAML, contains: []string{"--okta-metadata"}},
		{name: "HTML page", in: "<html><body>Sign in</body></html>", code: ErrResponseNotSAML, contains: []string{"HTML"}},
		{name: "multi-megabyte file", in: strings.Repeat("A", MaxResponseInputBytes+1), code: ErrInputTooLarge, contains: []string{"MiB", "Expected one SAMLResponse"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := ParseResponse([]byte(tc.in))
			if got := errCode(err); got != tc.code {
				t.Fatalf("code %q, want %q (%v)", got, tc.code, err)
			}
			text := ""
			if err != nil {
				text = err.Error()
			} else {
				text = strings.Join(ev.Notes, " | ")
				if tc.encoding != "" && ev.Encoding != tc.encoding {
					t.Errorf("encoding %q, want %q", ev.Encoding, tc.encoding)
				}
				if !strings.Contains(string(ev.XML), "Response") || ev.SAMLResponse == "" {
					t.Errorf("no response decoded: %+v", ev)
				}
			}
			for _, want := range tc.contains {
				if !strings.Contains(text, want) {
					t.Errorf("%q does not say %q", text, want)
				}
			}
		})
	}
}

func TestParseConfigBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, code string
		contains       []string
	}{
		{"empty file", "", ErrConfigJSON, []string{"the file is empty", "Expected"}},
		{"invalid JSON", "{\n  \"ssoProvider\": \"SAML\",\n  \"certificates\": [\n}", ErrConfigJSON, []string{"line 4, column 1"}},
		{"not an object", `["SAML"]`, ErrConfigJSON, []string{"Expected the workspace's SSO settings"}},
		{"missing fields", `{"ssoProvider":"SAML"}`, ErrConfigMissingField, []string{`"serviceProviderEntityId" is missing`, `"redirectUrl" is missing`, `"identityProviderEntityId" is missing`, `"certificates" is missing`, `"domains" is missing`}},
		{"misspelled field", `{"serviceProviderEntityId":"https://x.example","redirectUrl":"https://x.example/__/auth/handler","identityProviderEntityId":"i","certificate":"-----BEGIN","domains":["a.b"]}`, ErrConfigMissingField, []string{`"certificates" is missing`, "certificate —"}},
		{"certificates as a string", `{"certificates":"-----BEGIN CERTIFICATE-----"}`, ErrConfigInvalidField, []string{`"certificates"`, "an array of strings"}},
		// Unusual values are findings, not refusals (TestUnusualSettingsAreFindings).
		{"entity ID not a URL", `{"serviceProviderEntityId":"elevenlabs.io","redirectUrl":"https://x.example/__/auth/handler","identityProviderEntityId":"i","certificates":["c"],"domains":["a.b"]}`, "", nil},
		{"unknown profile", `{"serviceProviderEntityId":"https://x.example","redirectUrl":"https://x.example/__/auth/handler","identityProviderEntityId":"i","certificates":["c"],"domains":["a.b"],"profile":"lenient"}`, "", nil},
		{"too large", `{"x":"` + strings.Repeat("a", MaxConfigBytes) + `"}`, ErrInputTooLarge, nil},
		{"admin API answer", `{"workspaceId":"w","providerId":"saml.workspace-w","configured":true,"ssoProvider":"SAML","serviceProviderEntityId":"https://x.example","redirectUrl":"https://x.example/__/auth/handler","identityProviderEntityId":"i","identityProviderSignInUrl":"https://o.example/sso/saml","certificates":["c"],"domains":["a.b"],"enabled":true,"profile":"identity-platform","warnings":[],"revision":1,"loggedOutSessions":0}`, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseConfig([]byte(tc.in))
			if got := errCode(err); got != tc.code {
				t.Fatalf("code %q, want %q (%v)", got, tc.code, err)
			}
			for _, want := range tc.contains {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err.Error(), want)
				}
			}
		})
	}
}

func TestParseHARBadInput(t *testing.T) {
	t.Parallel()
	good := b64(responseXML("alice@acme.test"))
	at := "2026-01-15T09:30:00.123Z"
	cases := []struct {
		name     string
		in       []byte
		code     string
		contains []string
	}{
		{"invalid JSON", []byte("{\"log\": {\"entries\": [\n  {,]}}"), ErrHARJSON, []string{"line 2", "HAR 1.2 export"}},
		{"not a HAR", []byte(`{"entries":[]}`), ErrHARNotHAR, []string{"log.entries", "Export HAR"}},
		{"a HAR without SAML", harOf(getEntry(at, "https://workspace.example/app", 200, "<html></html>")), ErrHARNoSAML, []string{"none of its 1 requests", "Preserve log"}},
		{"a HAR that stops at Okta's 403", harOf(getEntry(at, "https://dev.okta.com/app/x/sso/saml", 403, `<title>403 App Not Assigned</title><div data-okta-error="app-not-assigned">`)),
			ErrHARNoSAML, []string{"403 App Not Assigned", "Assignments"}},
		{"a HAR that stops at the sign-in page", harOf(getEntry(at, "https://workspace.example/app/sign-in?use_sso=true&email=a@b.example", 200, `<p data-error-code="SSO_NOT_CONFIGURED">`)),
			ErrHARNoSAML, []string{"SSO is not configured"}},
		{"a truncated SAMLResponse", harOf(postEntry(at, good[:len(good)/3])), ErrResponseTruncated, []string{"sign-in 1 (HAR entry 0)"}},
		{"an empty JSON document", []byte(""), ErrHARJSON, nil},
		{"too large", bytes.Repeat([]byte(" "), MaxHARBytes+1), ErrInputTooLarge, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ParseHAR(tc.in, 0)
			if got := errCode(err); got != tc.code {
				t.Fatalf("code %q, want %q (%v)", got, tc.code, err)
			}
			for _, want := range tc.contains {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err.Error(), want)
				}
			}
		})
	}
}

// A HAR of several sign-ins: the last failed one is picked and the notes
// say which; --login picks another.
func TestParseHARSeveralSignIns(t *testing.T) {
	t.Parallel()
	ok := `{"kind":"identitytoolkit#VerifyAssertionResponse","idToken":"t","providerId":"saml.workspace-w1"}`
	bad := `{"error":{"code":400,"message":"INVALID_IDP_RESPONSE : SAML Response <Issuer> mismatch.","errors":[]}}`
	r1, r2, r3 := b64(responseXML("a1@acme.test")), b64(responseXML("a2@acme.test")), b64(responseXML("a3@acme.test"))
	har := harOf(
		postEntry("2026-01-15T09:00:00.000Z", r1), apiEntry("2026-01-15T09:00:00.100Z", 200, ok),
		postEntry("2026-01-15T09:10:00.000Z", r2), apiEntry("2026-01-15T09:10:00.250Z", 400, bad),
		postEntry("2026-01-15T09:20:00.000Z", r3), apiEntry("2026-01-15T09:20:00.100Z", 200, ok),
	)
	ev, logins, err := ParseHAR(har, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 3 || ev.Login.Number != 2 || !ev.Login.Failed {
		t.Fatalf("picked %+v of %d", ev.Login, len(logins))
	}
	if !strings.Contains(strings.Join(ev.Notes, " "), "3 sign-ins; diagnosing sign-in 2, the last failed one") {
		t.Errorf("notes %q", ev.Notes)
	}
	if ev.Recorded == nil || ev.Recorded.Message != "INVALID_IDP_RESPONSE : SAML Response <Issuer> mismatch." || ev.Recorded.Entry != 3 {
		t.Errorf("recorded %+v", ev.Recorded)
	}
	if got := ev.At.Format("15:04:05.000"); got != "09:10:00.250" {
		t.Errorf("judged at %s, want the signInWithIdp call's timestamp", got)
	}
	if ev.ProviderID != "saml.workspace-w1" {
		t.Errorf("provider ID %q", ev.ProviderID)
	}
	ev, _, err = ParseHAR(har, 3)
	if err != nil || ev.Login.Number != 3 || ev.Login.Failed {
		t.Fatalf("--login 3: %+v, %v", ev.Login, err)
	}
	if _, _, err := ParseHAR(har, 4); errCode(err) != ErrHARLogin {
		t.Fatalf("--login 4: %v", err)
	}
}

func TestParseMetadataAndSettingsBadInput(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ in, code, contains string }{
		"not XML":       {"{}", ErrMetadata, "not XML"},
		"wrong root":    {`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>`, ErrMetadata, "View IdP metadata"},
		"DOCTYPE":       {`<!DOCTYPE x [<!ENTITY a "b">]><x/>`, ErrMetadata, "DOCTYPE"},
		"no entityID":   {`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>`, ErrMetadata, "no entityID"},
		"bad X509 data": {`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>!!</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`, ErrMetadata, "not base64"},
	} {
		if _, err := ParseMetadata([]byte(tc.in)); errCode(err) != tc.code || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("metadata %s: %v", name, err)
		}
	}
	for name, tc := range map[string]struct{ in, contains string }{
		"invalid JSON": {"{", "not valid JSON"},
		"nothing read": {`{"label":"x"}`, "none of the SAML settings"},
	} {
		if _, err := ParseOktaSettings([]byte(tc.in)); errCode(err) != ErrOktaSettings || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("settings %s: %v", name, err)
		}
	}
	s, err := ParseOktaSettings([]byte(`{"id":"0oa1","settings":{"ssoUrl":"u","audienceUri":"a","nameIdFormat":"Unspecified"}}`))
	if err != nil || s.AudienceURI != "a" || s.NameIDFormat != "Unspecified" {
		t.Errorf("app object: %+v %v", s, err)
	}
}

// Diagnose explains whatever it is given without panicking.
func TestDiagnoseNeverPanics(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	inputs := []*Evidence{
		nil,
		{Source: "response", SAMLResponse: "%%%"},
		{Source: "response", SAMLResponse: b64("<x/>"), XML: []byte("<x/>")},
		{Source: "response", SAMLResponse: b64("<saml2p:Response xmlns:saml2p=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"), XML: []byte("<saml2p:Response xmlns:saml2p=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>")},
		{Source: "response", SAMLResponse: b64(strings.Repeat("<a>", 500)), XML: []byte(strings.Repeat("<a>", 500))},
		{Source: "response", SAMLResponse: b64(responseXML("")), XML: []byte(responseXML(""))},
	}
	for i, ev := range inputs {
		for _, c := range []Config{cfg, {}} {
			rep := Diagnose(Input{Config: c, Evidence: ev, At: testAt})
			if rep.Result.Outcome != "reject" || len(rep.Findings) == 0 || rep.Findings[0].Severity != SeverityCause {
				t.Errorf("input %d: %+v / %+v", i, rep.Result, rep.Findings)
			}
			var b bytes.Buffer
			if err := rep.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if err := rep.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Chromium may list the form only in postData.params, with the values as
// sent (percent-encoded) or decoded; both are read.
func TestParseHARFormParams(t *testing.T) {
	t.Parallel()
	resp := b64(responseXML("alice@acme.test"))
	for name, value := range map[string]string{"decoded": resp, "percent-encoded": url.QueryEscape(resp)} {
		e := postEntry("2026-01-15T09:30:00.000Z", resp)
		pd := e["request"].(map[string]any)["postData"].(map[string]any)
		pd["text"] = ""
		pd["params"] = []map[string]string{{"name": "RelayState", "value": "rs"}, {"name": "SAMLResponse", "value": value}}
		ev, _, err := ParseHAR(harOf(e), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ev.SAMLResponse != resp || !strings.Contains(string(ev.XML), "alice@acme.test") {
			t.Errorf("%s: SAMLResponse not read back", name)
		}
		if ev.Recorded != nil {
			t.Errorf("%s: no answer was captured, got %+v", name, ev.Recorded)
		}
	}
}
