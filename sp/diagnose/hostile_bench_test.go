package diagnose

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// hostile_bench_test.go: what hostile input costs diagnose's own readers
// (response decoding and reading, HAR, config, metadata, Okta settings),
// each against a valid input of about the same size. The SP's verdict
// (sp.Explain) is measured by the SP's BenchmarkHostileInput; the
// "diagnose" class here measures the whole diagnosis, SP included.

// readerCase is one class of input: a valid input and a hostile one of
// about the same size, and the reader both go through.
type readerCase struct {
	name           string
	valid, hostile []byte
	read           func([]byte) error
}

// groupsResponse is a valid Okta-shaped response padded to about n bytes
// with group values (a large Group Attribute Statement).
func groupsResponse(n int) string {
	var g strings.Builder
	g.WriteString(`<saml2:AttributeStatement><saml2:Attribute Name="groups">`)
	for i := 0; g.Len() < n; i++ {
		fmt.Fprintf(&g, `<saml2:AttributeValue>Group-%06d</saml2:AttributeValue>`, i)
	}
	g.WriteString(`</saml2:Attribute></saml2:AttributeStatement>`)
	return strings.Replace(responseXML("ann@acme.test"), "</saml2:Assertion>", g.String()+"</saml2:Assertion>", 1)
}

// manyAttributes is a root element with n attributes.
func manyAttributes(n int) string {
	var b strings.Builder
	b.WriteString(`<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ` a%d="x"`, i)
	}
	b.WriteString(`/>`)
	return b.String()
}

func deflate(s string) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return buf.Bytes()
}

// readResponseInput is the --response path: decode, then read the XML.
func readResponseInput(b []byte) error {
	ev, err := ParseResponse(b)
	if err != nil {
		return err
	}
	readResponse(ev.XML)
	return nil
}

// diagnoseInput is the whole --response path: decode, then diagnose
// against a guide-configured workspace.
func diagnoseInput(b []byte) error {
	ev, err := ParseResponse(b)
	if err != nil {
		return err
	}
	Diagnose(Input{Config: testConfig(nil), Evidence: ev, At: testAt})
	return nil
}

// harOfSize is a HAR whose entries are GETs with bodies, about n bytes,
// ending with a failed sign-in.
func harOfSize(n int, entry func(i int) map[string]any) []byte {
	var entries []map[string]any
	size := 0
	for i := 0; size < n; i++ {
		e := entry(i)
		b, _ := json.Marshal(e)
		size += len(b)
		entries = append(entries, e)
	}
	entries = append(entries, postEntry("2026-01-15T09:30:00.000Z", b64(responseXML("ann@acme.test"))),
		apiEntry("2026-01-15T09:30:00.100Z", 400, `{"error":{"code":400,"message":"INVALID_IDP_RESPONSE : x"}}`))
	return harOf(entries...)
}

// hostileReaderCases builds the classes of issue 12 for diagnose's readers.
func hostileReaderCases() []readerCase {
	// Response: a root element with 50,000 attributes (the 669 KB
	// file took 35 s), against a response of the same size.
	attrs := manyAttributes(50000)
	// Response: a deflate bomb (8 MiB of XML from a few KB).
	bomb := base64.StdEncoding.EncodeToString(deflate(`<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol">` + strings.Repeat(" ", 8<<20) + `</saml2p:Response>`))
	// HAR: many requests carrying a deflated SAMLRequest that inflates to
	// 1 MiB each.
	reqBomb := base64.StdEncoding.EncodeToString(deflate(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_b"` + strings.Repeat(" ", 1<<20) + `/>`))
	harSize := 4 << 20
	validHAR := harOfSize(harSize, func(i int) map[string]any {
		return getEntry("2026-01-15T09:29:00.000Z", fmt.Sprintf("https://acme.test/page/%d", i), 200, strings.Repeat("x", 1500))
	})
	bombHAR := harOfSize(harSize, func(i int) map[string]any {
		return getEntry("2026-01-15T09:29:00.000Z", "https://acme.okta.test/app/x/sso/saml?SAMLRequest="+url.QueryEscape(reqBomb), 200, "")
	})
	// Config: a megabyte of certificates, against one of real ones.
	_, p := testOktaCert(nil)
	many := func(v string, n int) []byte {
		list := make([]string, n)
		for i := range list {
			list[i] = v
		}
		b, _ := json.Marshal(map[string]any{"serviceProviderEntityId": testSP, "redirectUrl": testRedirect, "identityProviderEntityId": testIssuer, "certificates": list, "domains": []string{"acme.test"}})
		return b
	}
	validConfig := many(p, 40)
	junkConfig := many("c", len(validConfig)/4)
	nested := []byte(`{"certificates":` + strings.Repeat("[", len(validConfig)/2) + strings.Repeat("]", len(validConfig)/2) + `}`)
	// Metadata: 20,000 SingleSignOnService locations, against metadata
	// padded to the same size.
	md := func(inner string) []byte {
		return []byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + testIssuer + `"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + inner + `</md:IDPSSODescriptor></md:EntityDescriptor>`)
	}
	var locs strings.Builder
	for i := 0; locs.Len() < 900<<10; i++ {
		fmt.Fprintf(&locs, `<md:SingleSignOnService Binding="b" Location="https://acme.okta.test/app/%d/sso/saml"/>`, i)
	}
	validMD := md(`<md:SingleSignOnService Binding="b" Location="https://acme.okta.test/app/1/sso/saml"/><!--` + strings.Repeat("x", locs.Len()) + `-->`)
	settings := func(v string) []byte {
		b, _ := json.Marshal(map[string]string{"ssoUrl": testRedirect, "audienceUri": v})
		return b
	}

	return []readerCase{
		{"response-attributes-50000", []byte(b64(groupsResponse(len(attrs)))), []byte(b64(attrs)), readResponseInput},
		{"response-deflate-bomb", []byte(b64(groupsResponse(len(bomb) * 3 / 4))), []byte(bomb), readResponseInput},
		{"har-samlrequest-deflate-bombs", validHAR, bombHAR, func(b []byte) error { _, _, err := ParseHAR(b, 0); return err }},
		{"config-certificates-junk", validConfig, junkConfig, func(b []byte) error { _, err := ParseConfig(b); return err }},
		{"config-nested-arrays", validConfig, nested, func(b []byte) error { _, err := ParseConfig(b); return err }},
		{"metadata-sso-locations-20000", validMD, md(locs.String()), func(b []byte) error { _, err := ParseMetadata(b); return err }},
		{"metadata-attributes-50000", validMD, []byte(strings.Replace(string(md("")), "<md:EntityDescriptor ", "<md:EntityDescriptor"+manyAttributes(50000)[len(`<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"`):len(manyAttributes(50000))-2]+" ", 1)), func(b []byte) error { _, err := ParseMetadata(b); return err }},
		// The whole diagnosis (both profiles' SP verdicts included) of the
		// issue's file shape: 35 s before the attribute checks were linear.
		{"diagnose-attributes-50000", []byte(b64(groupsResponse(len(attrs)))), []byte(b64(attrs)), diagnoseInput},
		{"okta-settings-large-value", settings(strings.Repeat("a", 900<<10)), settings(strings.Repeat(`\u0000`, 140<<10)), func(b []byte) error { _, err := ParseOktaSettings(b); return err }},
	}
}

// perOp is the fastest of rounds timings of read(in).
func perOp(read func([]byte) error, in []byte, rounds int) time.Duration {
	best := time.Duration(1<<63 - 1)
	for i := 0; i < rounds; i++ {
		start := time.Now()
		_ = read(in)
		best = min(best, time.Since(start))
	}
	return best
}

// BenchmarkDiagnoseHostileInput reports each hostile class's time per read
// and its ratio to the valid input of the same size (x-valid; goal ≤ 10).
func BenchmarkDiagnoseHostileInput(b *testing.B) {
	for _, c := range hostileReaderCases() {
		b.Run(c.name, func(b *testing.B) {
			valid := perOp(c.read, c.valid, 3)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = c.read(c.hostile)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(valid), "x-valid")
			b.ReportMetric(float64(len(c.hostile)), "bytes")
		})
	}
}

// Every reader accepts or refuses hostile input in time within a small
// multiple of a valid input of the same size (the benchmark's figures; the
// bound here is looser, for a loaded machine).
func TestReadersBounded(t *testing.T) {
	for _, c := range hostileReaderCases() {
		valid, hostile := perOp(c.read, c.valid, 3), perOp(c.read, c.hostile, 3)
		ratio := float64(hostile) / float64(max(valid, time.Millisecond))
		t.Logf("%-32s valid %8.2f ms (%7d B)  hostile %8.2f ms (%7d B)  %.1f×", c.name, ms(valid), len(c.valid), ms(hostile), len(c.hostile), ratio)
		if ratio > 20 {
			t.Errorf("%s: hostile input costs %.1f× a valid input of its size (%v vs %v)", c.name, ratio, hostile, valid)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
