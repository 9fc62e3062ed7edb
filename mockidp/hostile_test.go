package mockidp

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hostile AuthnRequests: each is at most the SSO endpoint's size caps (the
// SAMLRequest parameter maxEncodedRequest, the inflated XML
// maxInflatedRequest) and must be refused or accepted at a cost within a
// small multiple of a valid request.

// redirectParam is the HTTP-Redirect SAMLRequest value for xml.
func redirectParam(xml []byte) string { return base64.StdEncoding.EncodeToString(deflateRaw(xml)) }

// paddedAuthnRequest is a valid AuthnRequest of about size bytes: the
// padding is the text of an Extensions element, which the IdP ignores.
func paddedAuthnRequest(size int) []byte {
	head := `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_pad" Version="2.0" IssueInstant="2026-03-14T09:26:50Z" AssertionConsumerServiceURL="` + testACS + `"><saml:Issuer>` + testAudience + `</saml:Issuer><samlp:Extensions><x xmlns="urn:x">`
	tail := `</x></samlp:Extensions></samlp:AuthnRequest>`
	n := size - len(head) - len(tail)
	if n < 0 {
		n = 0
	}
	// Words, so that the request compresses about as well as the hostile
	// ones and its parameter fits the same cap.
	var pad strings.Builder
	for i := 0; pad.Len() < n; i++ {
		fmt.Fprintf(&pad, "word%d ", i%977)
	}
	return []byte(head + pad.String()[:n] + tail)
}

// hostileRequest is one hostile input: the SAMLRequest parameter value and
// whether it goes on the Redirect binding.
type hostileRequest struct {
	name     string
	param    string
	redirect bool
	// reason is the refusal expected, "" when the request is accepted.
	reason RequestReason
}

// bombXML is a "document" of n bytes that compresses about 1000:1.
func bombXML(n int) []byte {
	return append([]byte("<samlp:AuthnRequest "), bytes.Repeat([]byte{' '}, n)...)
}

// hostileRequests is built once: building it compresses a few megabytes.
var hostileRequests = sync.OnceValue(buildHostileRequests)

func buildHostileRequests() []hostileRequest {
	root := func(attrs string, body string) []byte {
		return []byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_h"` + attrs + `>` + body + `</samlp:AuthnRequest>`)
	}
	var attrs, dupAttrs, elems, nsDecls strings.Builder
	// Distinct names in the order a counter gives them compress worse than
	// repeats: as many as fit the parameter's cap.
	for i := 0; attrs.Len() < maxInflatedRequest-4096; i++ {
		fmt.Fprintf(&attrs, ` a%d="%d"`, i, i)
		if i%512 == 0 && len(redirectParam(root(attrs.String(), ""))) > maxEncodedRequest-12288 {
			break
		}
	}
	for dupAttrs.Len() < maxInflatedRequest-4096 {
		dupAttrs.WriteString(` a="1"`)
	}
	for elems.Len() < maxInflatedRequest-4096 {
		elems.WriteString(`<e/>`)
	}
	for i := 0; nsDecls.Len() < maxInflatedRequest-4096; i++ {
		fmt.Fprintf(&nsDecls, ` xmlns:p%d="urn:%d"`, i, i)
		if i%512 == 0 && len(redirectParam(root(nsDecls.String(), ""))) > maxEncodedRequest-12288 {
			break
		}
	}
	deep := strings.Repeat("<d>", maxRequestDepth-1) + strings.Repeat("</d>", maxRequestDepth-1)
	tooDeep := strings.Repeat("<d>", 100)
	tooManyTags := strings.Repeat("<d>", 20000)
	return []hostileRequest{
		{"deflate-bomb-16MiB", base64.StdEncoding.EncodeToString(deflateRaw(bombXML(16 << 20))), true, ReasonInflatedTooLarge},
		{"deflate-bomb-post", base64.StdEncoding.EncodeToString(deflateRaw(bombXML(16 << 20))), false, ReasonInflatedTooLarge},
		{"inflates-just-over-cap", redirectParam(bombXML(maxInflatedRequest + 1)), true, ReasonInflatedTooLarge},
		{"many-attributes", redirectParam(root(attrs.String(), "")), true, ReasonTooManyAttributes},
		{"duplicate-attributes", redirectParam(root(dupAttrs.String(), "")), true, ReasonTooManyAttributes},
		{"many-namespace-declarations", redirectParam(root(nsDecls.String(), "")), true, ReasonTooManyAttributes},
		{"many-elements", redirectParam(root("", elems.String())), true, ReasonTooManyElements},
		{"deep-at-limit", redirectParam(root("", deep)), true, ""},
		{"too-deep", redirectParam(root("", tooDeep)), true, ReasonTooDeep},
		{"deep-and-many", redirectParam(root("", tooManyTags)), true, ReasonTooManyElements},
		{"many-comments", redirectParam(root("", strings.Repeat("<!---->", 30000))), true, ReasonTooManyElements},
		{"long-attribute-value", redirectParam(root(` x="`+strings.Repeat("v", maxInflatedRequest-512)+`"`, "")), true, ""},
		{"not-base64", strings.Repeat("!", maxEncodedRequest), true, ReasonNotBase64},
		{"not-deflate", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, maxEncodedRequest/2)), true, ReasonNotDeflate},
		{"too-large-param", strings.Repeat("A", maxEncodedRequest+4), true, ReasonTooLarge},
		{"post-xml-at-cap", base64.StdEncoding.EncodeToString(paddedAuthnRequest(maxEncodedRequest / 4 * 3)), false, ""},
	}
}

// decodeRequest runs what the SSO endpoint runs on a SAMLRequest.
func decodeRequest(param string, redirect bool) (*authnRequest, error) {
	raw, err := decodeBinding(param, redirect)
	if err != nil {
		return nil, err
	}
	return parseAuthnRequest(raw)
}

// costOf is the fastest of n timings of fn (the least disturbed by other
// work on a shared machine).
func costOf(n int, fn func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for i := 0; i < n; i++ {
		start := time.Now()
		fn()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	return best
}

// validCosts times a normal AuthnRequest and a valid one as large as the
// inflated cap allows, on the Redirect binding.
func validCosts() (normal, sameSize time.Duration) {
	valid := redirectParam([]byte(authnRequestXML("_v")))
	big := redirectParam(paddedAuthnRequest(maxInflatedRequest - 64))
	if _, err := decodeRequest(big, true); err != nil || len(big) > maxEncodedRequest {
		panic(fmt.Sprintf("the same-size valid request is not valid: %d bytes, %v", len(big), err))
	}
	return costOf(50, func() { _, _ = decodeRequest(valid, true) }), costOf(5, func() { _, _ = decodeRequest(big, true) })
}

// Every hostile request within the caps is accepted or refused with its
// stable reason, at a cost within 10× a valid request of the largest size
// accepted (measured: each is below 1×; see BenchmarkHostileAuthnRequest).
func TestHostileAuthnRequests(t *testing.T) {
	t.Parallel()
	_, sameSize := validCosts()
	for _, h := range hostileRequests() {
		t.Run(h.name, func(t *testing.T) {
			if len(h.param) > maxEncodedRequest && h.reason != ReasonTooLarge {
				t.Fatalf("the input is %d bytes, over the parameter cap: it tests nothing", len(h.param))
			}
			_, err := decodeRequest(h.param, h.redirect)
			var e *Error
			switch {
			case h.reason == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case h.reason != "" && (!asError(err, &e) || e.Code != CodeBadSAMLRequest || e.Reason != h.reason):
				t.Fatalf("got %v (reason %q), want %s %s", err, reasonOf(err), CodeBadSAMLRequest, h.reason)
			}
			if e != nil && len(e.Message) > 400 {
				t.Errorf("the refusal is %d bytes long", len(e.Message))
			}
			cost := costOf(3, func() { _, _ = decodeRequest(h.param, h.redirect) })
			if cost > 10*sameSize && cost > 5*time.Millisecond {
				t.Errorf("costs %v, more than 10× a valid request of the largest size (%v)", cost, sameSize)
			}
		})
	}
}

func reasonOf(err error) RequestReason {
	var e *Error
	if asError(err, &e) {
		return e.Reason
	}
	return ""
}

// A deflate bomb is inflated, and inflation stops at the cap: a request of
// about 33 KiB that would inflate to 32 MiB is refused as
// inflated-too-large, in well under 100 ms and a few MiB of allocation, on
// both bindings and through the SSO endpoint.
func TestDeflateBombIsInflatedAndBounded(t *testing.T) {
	const bombSize = 32 << 20
	param := base64.StdEncoding.EncodeToString(deflateRaw(bombXML(bombSize)))
	if len(param) > maxEncodedRequest {
		t.Fatalf("the bomb's parameter is %d bytes, over the %d-byte cap", len(param), maxEncodedRequest)
	}
	for _, redirect := range []bool{true, false} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := decodeRequest(param, redirect)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if reasonOf(err) != ReasonInflatedTooLarge {
			t.Fatalf("redirect=%v: %v, want %s", redirect, err, ReasonInflatedTooLarge)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("redirect=%v: refusing the bomb allocated %d bytes", redirect, alloc)
		}
		if elapsed > 300*time.Millisecond {
			t.Errorf("redirect=%v: refusing the bomb took %v", redirect, elapsed)
		}
		t.Logf("redirect=%v: %d-byte parameter (ratio %d:1) refused in %v", redirect, len(param), bombSize/len(param), elapsed)
	}

	idp, app, _ := setup(t, defaultSettings())
	b := newBrowser(t, idp)
	app, _ = idp.App(app.ID)
	p := b.get(app.SignOnURL + "?" + url.Values{"SAMLRequest": {param}}.Encode())
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `data-okta-error="bad-saml-request"`) ||
		!strings.Contains(p.body, `data-reason="`+string(ReasonInflatedTooLarge)+`"`) {
		t.Errorf("the SSO endpoint answered %d: %.300s", p.status, p.body)
	}
}

// Error pages repeat at most a short prefix of what they were sent.
func TestErrorPagesEchoAShortPrefix(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	b := newBrowser(t, idp)
	app, _ = idp.App(app.ID)
	long := strings.Repeat("Q", 40<<10)
	tag := `<` + long + ` xmlns="urn:x"/>`
	for name, path := range map[string]string{
		"root element name": app.SignOnURL + "?" + url.Values{"SAMLRequest": {redirectParam([]byte(tag))}}.Encode(),
		"XML error":         app.SignOnURL + "?" + url.Values{"SAMLRequest": {redirectParam([]byte("<a " + long))}}.Encode(),
	} {
		p := b.get(path)
		if p.status != http.StatusBadRequest || strings.Count(p.body, "Q") > 2*maxEcho {
			t.Errorf("%s: %d, the page repeats %d bytes of the input", name, p.status, strings.Count(p.body, "Q"))
		}
	}
}

// BenchmarkHostileAuthnRequest decodes each hostile request and reports its
// cost as a ratio to a normal AuthnRequest (x-valid) and to a valid one of
// the largest size accepted (x-same-size).
func BenchmarkHostileAuthnRequest(b *testing.B) {
	normal, sameSize := validCosts()
	for _, h := range hostileRequests() {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(h.param)))
			for b.Loop() {
				_, _ = decodeRequest(h.param, h.redirect)
			}
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(per/float64(normal.Nanoseconds()), "x-valid")
			b.ReportMetric(per/float64(sameSize.Nanoseconds()), "x-same-size")
		})
	}
}

// Through the SSO endpoint, on the binding each input is meant for: a
// refused request is a 400 page naming its reason, an accepted one goes on
// to sign-in; each within 10× a valid request of the largest size.
func TestSSOEndpointHostile(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	app, _ = idp.App(app.ID)
	ssoPath := strings.TrimPrefix(app.SignOnURL, testBase)
	send := func(h hostileRequest) *httptest.ResponseRecorder {
		var req *http.Request
		if h.redirect {
			req = httptest.NewRequest("GET", testBase+ssoPath+"?"+url.Values{"SAMLRequest": {h.param}}.Encode(), nil)
		} else {
			req = httptest.NewRequest("POST", testBase+ssoPath, strings.NewReader(url.Values{"SAMLRequest": {h.param}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		idp.ServeHTTP(rec, req)
		return rec
	}
	big := hostileRequest{name: "valid", param: redirectParam(paddedAuthnRequest(maxInflatedRequest - 64)), redirect: true}
	sameSize := costOf(5, func() { send(big) })
	for _, h := range hostileRequests() {
		rec := send(h)
		switch {
		case h.reason == "" && rec.Code != http.StatusFound:
			t.Errorf("%s: %d, want a redirect to sign in", h.name, rec.Code)
		case h.reason != "" && (rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `data-reason="`+string(h.reason)+`"`)):
			t.Errorf("%s: %d, want 400 with reason %s: %.300s", h.name, rec.Code, h.reason, rec.Body.String())
		}
		if rec.Body.Len() > 8<<10 && h.reason != "" {
			t.Errorf("%s: a %d-byte error page", h.name, rec.Body.Len())
		}
		if cost := costOf(3, func() { send(h) }); cost > 10*sameSize && cost > 5*time.Millisecond {
			t.Errorf("%s: %v, more than 10× a valid request of the largest size (%v)", h.name, cost, sameSize)
		}
	}
}
