package sp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
)

// hostileInput is one class of hostile input and the reason it is refused
// with ("" for an input that must be accepted).
type hostileInput struct {
	name string
	raw  string
	want Reason
}

// manyAttributes is a start tag's attribute list: n attributes, prefixed
// with prefix when it is not empty.
func manyAttributes(n int, prefix string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ` %sa%d=""`, prefix, i)
	}
	return b.String()
}

// rootWithAttributes is a samlp:Response whose root element carries n
// attributes (the 40,000–60,000-attribute shape that cost seconds when
// duplicate detection was quadratic).
func rootWithAttributes(n int, prefix string) string {
	return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:p="urn:x" ID="_r" Version="2.0"` + manyAttributes(n, prefix) + `></samlp:Response>`
}

// elementsWithAttributes is a response of n children with k attributes
// each (under the per-element limit), the last one with a duplicate.
func elementsWithAttributes(n, k int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		extra := ""
		if i == n-1 {
			extra = ` p:a0="dup"`
		}
		b.WriteString(`<p:e` + manyAttributes(k, "p:") + extra + `/>`)
	}
	return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:p="urn:x" ID="_r" Version="2.0">` + b.String() + `</samlp:Response>`
}

// namespaceFanout is a response with a (bogus) signature over the whole
// Response and levels nested elements declaring perLevel prefixes each
// around leaves empty elements: canonicalization copies the prefixes in
// scope for every element (goxmldsig's traversal limit bounds it).
func namespaceFanout(levels, perLevel, leaves int) string {
	var b strings.Builder
	b.WriteString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_r"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`)
	n := 0
	for l := 0; l < levels; l++ {
		b.WriteString("<n")
		for k := 0; k < perLevel; k++ {
			fmt.Fprintf(&b, ` xmlns:p%d="u%d"`, n, n)
			n++
		}
		b.WriteString(">")
	}
	b.WriteString(strings.Repeat("<x/>", leaves))
	b.WriteString(strings.Repeat("</n>", levels))
	b.WriteString(`</samlp:Response>`)
	return b.String()
}

// hostileInputs are the classes of hostile input the SP must refuse in
// time and memory within a small multiple of a valid response's cost.
func hostileInputs() []hostileInput {
	laughs := `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">` // nine levels of tenfold expansion: 10^10 bytes if expanded
	for i := 1; i < 10; i++ {
		laughs += `<!ENTITY ` + string(rune('a'+i)) + ` "` + strings.Repeat("&"+string(rune('a'+i-1))+";", 10) + `">`
	}
	laughs += `]>` + wrapResponse("&j;")
	return []hostileInput{
		{"billion-laughs-1e10", b64(laughs), ReasonXMLForbidden},
		{"nesting-100000-deep", b64(wrapResponse(strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000))), ReasonXMLLimit},
		{"elements-150000", b64(wrapResponse(strings.Repeat("<a/>", 150000))), ReasonXMLLimit},
		{"root-attributes-50000", b64(rootWithAttributes(50000, "")), ReasonXMLLimit},
		{"root-prefixed-attributes-50000", b64(rootWithAttributes(50000, "p:")), ReasonXMLLimit},
		{"attributes-78x255-then-duplicate", b64(elementsWithAttributes(78, 255)), ReasonResponseMalformed},
		{"namespace-fanout-60x250-signed", b64(namespaceFanout(60, 250, 9800)), ReasonXMLLimit},
		{"oversize-8MiB", strings.Repeat("A", 8<<20), ReasonResponseTooLarge},
	}
}

// paddedValid is a valid, signed response carrying pad bytes of attribute
// value text, so its size matches the hostile inputs'.
func paddedValid(e *testEnv, started *CreateAuthURIResponse, b *testing.B, pad int) string {
	spec := e.spec(started)
	spec.PreSign = append(spec.PreSign, func(doc *etree.Document) {
		v := doc.FindElement("//AttributeValue")
		v.SetText(strings.Repeat("x", pad))
	})
	return spec.build(b)
}

// BenchmarkHostileInput measures what hostile input costs the SP against a
// valid response of similar size (about 700 KB encoded) verified in the
// same run: each hostile case reports "x-valid", its time per request as a
// ratio to the valid one's (goal ≤ 10). For the oversized input B/op is
// the test building the 8 MiB post body — the SP refuses it by length
// before decoding.
func BenchmarkHostileInput(b *testing.B) {
	e := newEnv(b, ProfileStrict)
	started := e.start()
	valid := paddedValid(e, started, b, 520<<10)
	var validPerOp time.Duration
	b.Run("valid-both-signed-700KB", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, apiErr := e.submit(started, valid); apiErr != nil && apiErr.Reason != ReasonReplay {
				b.Fatalf("valid response refused: %v", apiErr)
			}
		}
		validPerOp = b.Elapsed() / time.Duration(b.N)
	})
	for _, in := range hostileInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, apiErr := e.submit(started, in.raw)
				if apiErr == nil || apiErr.Reason != in.want {
					b.Fatalf("got %v, want %s", apiErr, in.want)
				}
			}
			if validPerOp > 0 {
				b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(validPerOp), "x-valid")
			}
		})
	}
}

// TestHostileInputBoundedCost runs each hostile input once and holds it to
// a bounded multiple of a valid response of similar size (generous, since
// tests share the machine: the benchmark reports the real ratios).
func TestHostileInputBoundedCost(t *testing.T) {
	e := newEnv(t, ProfileStrict)
	started := e.start()
	spec := e.spec(started)
	spec.PreSign = append(spec.PreSign, func(doc *etree.Document) {
		doc.FindElement("//AttributeValue").SetText(strings.Repeat("x", 520<<10))
	})
	valid := spec.build(t)
	start := time.Now()
	if _, apiErr := e.submit(started, valid); apiErr != nil {
		t.Fatalf("valid response refused: %v", apiErr)
	}
	validCost := time.Since(start)
	for _, in := range hostileInputs() {
		start := time.Now()
		_, apiErr := e.submit(started, in.raw)
		cost := time.Since(start)
		if apiErr == nil || apiErr.Reason != in.want {
			t.Errorf("%s: got %v, want %s", in.name, apiErr, in.want)
		}
		if limit := 10*validCost + 50*time.Millisecond; cost > limit {
			t.Errorf("%s: refused in %s, over %s (valid: %s)", in.name, cost, limit, validCost)
		}
	}
}
