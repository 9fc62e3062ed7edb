package sp

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/url"
	"testing"
	"time"

	"github.com/beevik/etree"
)

// fuzzBudget bounds the time one input may cost (generous: fuzzing shares
// the machine; BenchmarkHostileInput reports the real ratios).
const fuzzBudget = 2 * time.Second

// checklistReasons is every reason the checklist's signInWithIdp stage
// can refuse with.
func checklistReasons() map[Reason]bool {
	m := map[Reason]bool{}
	for _, s := range Checklist() {
		if s.Stage != ExplainStageSignInWithIdp {
			continue
		}
		for _, r := range s.Reasons {
			m[r] = true
		}
	}
	return m
}

// FuzzSAMLResponse feeds arbitrary XML (base64-encoded by the harness)
// through accounts:signInWithIdp and Explain. Properties beyond "no
// panic":
//   - bounded time per input;
//   - every refusal carries a reason of the reason table that the
//     checklist declares for its signInWithIdp stage;
//   - Explain (collect-all) answers with the same reason and message as
//     the fail-fast sign-in (one rule set), except for replays, which
//     only the long-lived server remembers;
//   - what the parse steps accept round-trips: parse → encode → parse
//     gives the same tree (the same bytes when encoded again).
//
// The seeds live in testdata/fuzz/FuzzSAMLResponse; a valid signed
// response is added in code.
func FuzzSAMLResponse(f *testing.F) {
	e := newEnv(f, ProfileStrict)
	started := e.start()
	spec := e.spec(started)
	doc := spec.document(f)
	valid, err := doc.WriteToString()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	known := checklistReasons()
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		body := url.Values{"SAMLResponse": {b64(s)}}.Encode()
		_, apiErr := e.srv.SignInWithIdp(context.Background(), SignInWithIdpRequest{RequestURI: testBase + PathHandler, PostBody: body, SessionID: started.SessionID})
		if d := time.Since(start); d > fuzzBudget {
			t.Fatalf("input of %d bytes took %s", len(s), d)
		}
		if apiErr != nil {
			if _, ok := LookupReason(apiErr.Reason); !ok || !known[apiErr.Reason] {
				t.Fatalf("refusal with a reason the checklist does not declare: %v", apiErr)
			}
		}
		x := Explain(ExplainInput{
			ServiceProviderEntityID: testBase, RedirectURL: testBase + PathHandler, ProviderID: e.ws.ProviderID,
			Settings: SSOSettings{IdentityProviderEntityID: testIdPEntity, Certificates: []string{e.signer.certPEM}, Domains: []string{testDomain}},
			Profile:  ProfileStrict, SAMLResponse: b64(s), RequestID: started.RequestID, At: testNow,
		})
		if apiErr != nil && apiErr.Reason != ReasonReplay {
			if x.Err == nil || x.Err.Reason != apiErr.Reason || x.Err.Message() != apiErr.Message() || x.Err.ReasonDetail != apiErr.ReasonDetail {
				t.Fatalf("Explain disagrees with the sign-in:\n sign-in %v\n explain %v", apiErr, x.Err)
			}
			if n := firstFindings(x.Findings); n != 1 {
				t.Fatalf("%d findings marked First, want 1", n)
			}
		}
		if apiErr == nil && x.Err != nil && x.Stage == ExplainStageSignInWithIdp {
			t.Fatalf("sign-in accepted, Explain refused: %v", x.Err)
		}
		raw := []byte(s)
		root, pe := parseResponseXML(raw)
		if pe != nil {
			return
		}
		once := encodeTree(t, root)
		root2, pe := parseResponseXML(once)
		if pe != nil {
			t.Fatalf("accepted XML re-encodes to XML that is refused: %v\n%s", pe, once)
		}
		if twice := encodeTree(t, root2); !bytes.Equal(once, twice) {
			t.Fatalf("parse → encode → parse is not stable:\n%s\n%s", once, twice)
		}
	})
}

func firstFindings(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.First {
			n++
		}
	}
	return n
}

func encodeTree(t *testing.T, root *etree.Element) []byte {
	d := etree.NewDocument()
	d.SetRoot(root.Copy())
	b, err := d.WriteToBytes()
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

// FuzzCertificatePEM feeds arbitrary text to the pasted-certificate parser.
// Properties: bounded time; a refusal carries a certificate problem code
// and a shape that does not parse, and sign-in with it is refused with
// CERT_PARSE; an accepted certificate round-trips (its PEM re-parses to
// the same certificate, shape ShapeOK).
func FuzzCertificatePEM(f *testing.F) {
	f.Add(idpSigner(f).certPEM)
	codes := map[string]bool{CertEmpty: true, CertNoPEMArmor: true, CertPEMHeader: true, CertPEMFooter: true, CertIsPrivateKey: true,
		CertIsPublicKey: true, CertIsCSR: true, CertPEMLabel: true, CertBase64Char: true, CertBase64: true, CertDER: true, CertNotPEM: true}
	f.Fuzz(func(t *testing.T, text string) {
		start := time.Now()
		d := DiagnoseCertificate(text)
		if el := time.Since(start); el > fuzzBudget {
			t.Fatalf("%d bytes took %s", len(text), el)
		}
		if !d.OK() {
			if !codes[d.Code] || d.Shape == "" || d.Shape.Parses() {
				t.Fatalf("refusal with code %q shape %q: %s", d.Code, d.Shape, d.Message)
			}
			rt := &ssoRuntime{sso: &ssoState{parsed: []parsedCert{parseCertificateText(text)}}}
			if _, e := rt.certs(); e == nil || e.Reason != ReasonCertParse {
				t.Fatalf("an unparseable certificate gives %v at sign-in, want %s", e, ReasonCertParse)
			}
			return
		}
		if !d.Shape.Parses() {
			t.Fatalf("parsed certificate with shape %q", d.Shape)
		}
		again := DiagnoseCertificate(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.Certificate.Raw})))
		if !again.OK() || !again.Certificate.Equal(d.Certificate) || again.Shape != ShapeOK {
			t.Fatalf("certificate does not round-trip: %+v", again)
		}
	})
}
