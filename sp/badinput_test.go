package sp

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"
)

const minimalResponse = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0">%s</samlp:Response>`

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func wrapResponse(inner string) string { return strings.Replace(minimalResponse, "%s", inner, 1) }

// TestBadInput feeds hostile or broken SAMLResponses: each is refused
// quickly with its reason, never a panic or a hang.
func TestBadInput(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	cases := []struct {
		name string
		raw  string // the SAMLResponse parameter value
		want Reason
	}{
		{"empty", "", ReasonResponseMalformed},
		{"whitespace only", " \r\n\t", ReasonResponseMalformed},
		{"not base64", "this is not base64!", ReasonResponseMalformed},
		{"URL-safe alphabet", "PD94bWwg-_8=", ReasonResponseMalformed},
		{"truncated base64", b64(wrapResponse(""))[:17], ReasonResponseMalformed},
		{"not XML", b64("hello, world"), ReasonResponseMalformed},
		{"binary", b64("\x00\x01\x02\xff"), ReasonResponseMalformed},
		{"wrong root", b64("<hello/>"), ReasonStructure},
		{"Response in the wrong namespace", b64(`<Response ID="_r" Version="2.0"/>`), ReasonStructure},
		{"truncated XML", b64(wrapResponse("<samlp:Status>")[:60]), ReasonResponseMalformed},
		{"5 MB", strings.Repeat("A", 5<<20), ReasonResponseTooLarge},
		{"DOCTYPE with billion laughs", b64(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` + wrapResponse("&lol3;")), ReasonXMLForbidden},
		{"external entity (XXE)", b64(`<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + wrapResponse("&xxe;")), ReasonXMLForbidden},
		{"parameter entity", b64(`<!DOCTYPE r [<!ENTITY % dtd SYSTEM "http://127.0.0.1:1/x.dtd"> %dtd;]>` + wrapResponse("")), ReasonXMLForbidden},
		{"entity reference without DOCTYPE", b64(wrapResponse("&lol;")), ReasonXMLForbidden},
		{"entity reference in an attribute", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="&e;" Version="2.0"/>`), ReasonXMLForbidden},
		{"processing instruction", b64(wrapResponse(`<?xml-stylesheet href="x"?>`)), ReasonXMLForbidden},
		{"10,000-deep nesting", b64(wrapResponse(deep)), ReasonXMLLimit},
		{"20,000 elements", b64(wrapResponse(strings.Repeat("<a/>", 20000))), ReasonXMLLimit},
		{"UTF-16 declaration", b64(`<?xml version="1.0" encoding="UTF-16"?>` + wrapResponse("")), ReasonResponseMalformed},
		{"XML declaration not first", b64(" " + `<?xml version="1.0"?>` + wrapResponse("")), ReasonResponseMalformed},
		{"duplicate attribute", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" ID="_s" Version="2.0"/>`), ReasonResponseMalformed},
		{"attribute with an empty local name", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" samlp:="x" ID="_r" Version="2.0"/>`), ReasonResponseMalformed},
		{"xmlns with an empty prefix", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:="urn:x" ID="_r" Version="2.0"/>`), ReasonResponseMalformed},
		{"undeclared element prefix", b64(wrapResponse(`<saml2:Assertion/>`)), ReasonResponseMalformed},
		{"undeclared attribute prefix", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" x:ID="_x" ID="_r" Version="2.0"/>`), ReasonResponseMalformed},
		{"text before the root", b64("junk" + wrapResponse("")), ReasonResponseMalformed},
		{"second root", b64(wrapResponse("") + wrapResponse("")), ReasonStructure},
		{"no ID", b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Version="2.0"/>`), ReasonStructure},
		{"unsigned minimal Response", b64(wrapResponse("")), ReasonSignatureMissing},
	}
	for _, profile := range AllProfiles() {
		e := newEnv(t, profile)
		started := e.start()
		for _, tc := range cases {
			t.Run(profile.String()+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				begin := time.Now()
				_, apiErr := e.submit(started, tc.raw)
				if elapsed := time.Since(begin); elapsed > 2*time.Second {
					t.Errorf("took %s", elapsed)
				}
				if apiErr == nil || apiErr.Reason != tc.want {
					t.Fatalf("got %v, want %s", apiErr, tc.want)
				}
				if ri := tc.want.Info(); apiErr.Message() != ri.Message(nil) {
					t.Fatalf("message %q, want %q", apiErr.Message(), ri.Message(nil))
				}
			})
		}
	}
}

// TestPostBodyProblems covers the binding around the SAMLResponse.
func TestPostBodyProblems(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ProfileIdentityPlatform)
	started := e.start()
	valid := e.spec(started).build(t)
	cases := []struct {
		name       string
		requestURI string
		postBody   string
		want       Reason
	}{
		{"no SAMLResponse", callback, "RelayState=x", ReasonResponseMalformed},
		{"two SAMLResponse parameters", callback, "SAMLResponse=" + url.QueryEscape(valid) + "&SAMLResponse=" + url.QueryEscape(valid), ReasonResponseMalformed},
		{"semicolon separators", callback, "SAMLResponse=a;b", ReasonResponseMalformed},
		{"multipart body", callback, "--boundary\r\nContent-Disposition: form-data; name=\"SAMLResponse\"\r\n\r\n" + valid + "\r\n--boundary--", ReasonResponseMalformed},
		{"Response on the HTTP-Redirect binding", callback + "?SAMLResponse=" + url.QueryEscape(valid), "", ReasonBindingUnsupported},
		{"postBody over the limit", callback, strings.Repeat("A", 4<<20), ReasonResponseTooLarge},
		{"requestUri of another page", testBase + "/other", "SAMLResponse=" + url.QueryEscape(valid), ReasonRequestURIMismatch},
		{"requestUri missing", "", "SAMLResponse=" + url.QueryEscape(valid), ReasonRequestURIMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, apiErr := e.srv.SignInWithIdp(context.Background(), SignInWithIdpRequest{RequestURI: tc.requestURI, PostBody: tc.postBody, SessionID: started.SessionID, ReturnSecureToken: true})
			if apiErr == nil || apiErr.Reason != tc.want {
				t.Fatalf("got %v, want %s", apiErr, tc.want)
			}
		})
	}
	t.Run("requestUri mismatch message", func(t *testing.T) {
		t.Parallel()
		_, apiErr := e.srv.SignInWithIdp(context.Background(), SignInWithIdpRequest{RequestURI: testBase + "/other", PostBody: "", SessionID: started.SessionID})
		want := "INVALID_IDP_RESPONSE : requestUri " + testBase + "/other does not match RP callback URL " + callback + "."
		if apiErr == nil || apiErr.Message() != want {
			t.Fatalf("got %v, want %q", apiErr, want)
		}
	})
}

// TestTruncationsNeverPanic cuts a valid response at many offsets.
func TestTruncationsNeverPanic(t *testing.T) {
	t.Parallel()
	for _, profile := range AllProfiles() {
		e := newEnv(t, profile)
		started := e.start()
		doc := e.spec(started).document(t)
		xml, err := doc.WriteToString()
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut < len(xml); cut += 37 {
			if _, apiErr := e.submit(started, b64(xml[:cut])); apiErr == nil {
				t.Fatalf("%s: truncated at %d accepted", profile, cut)
			}
		}
	}
}

// FuzzSignInWithIdp feeds arbitrary XML through the whole pipeline. (A full
// signed response as a seed makes Go's fuzzing engine itself stall, so the
// seeds are small.)
func FuzzSignInWithIdp(f *testing.F) {
	e := newEnv(f, ProfileStrict)
	started := e.start()
	f.Add(wrapResponse(""))
	f.Add(wrapResponse(`<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#_a"/></ds:SignedInfo><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature></saml2:Assertion>`))
	f.Add(`<!DOCTYPE x>` + wrapResponse(""))
	f.Add(wrapResponse(strings.Repeat("<a>", 100)))
	known := checklistReasons()
	f.Fuzz(func(t *testing.T, s string) {
		// Properties: bounded time; no fuzzed body (the fuzzer holds no IdP
		// key) ever signs anyone in; every refusal names a reason the
		// checklist declares for accounts:signInWithIdp.
		body := url.Values{"SAMLResponse": {b64(s)}}.Encode()
		start := time.Now()
		resp, apiErr := e.srv.SignInWithIdp(context.Background(), SignInWithIdpRequest{RequestURI: callback, PostBody: body, SessionID: started.SessionID})
		if d := time.Since(start); d > fuzzBudget {
			t.Fatalf("an input of %d bytes took %s (budget %s)", len(s), d, fuzzBudget)
		}
		if apiErr == nil {
			t.Fatalf("a fuzzed, unsigned response signed in %+v", resp)
		}
		if !known[apiErr.Reason] {
			t.Fatalf("refused with reason %q, which the checklist does not declare: %s", apiErr.Reason, apiErr.Message())
		}
	})
}
