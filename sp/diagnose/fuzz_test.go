package diagnose

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// fuzz_test.go: fuzz targets for the HAR and config readers with properties
// beyond "no panic": each input is accepted or refused within a time bound,
// every refusal is an *Error with a code the reader documents, and reading
// is stable under re-encoding (parse → encode → parse gives the same
// result). Seed corpora: testdata/fuzz/<FuzzName>/. `go test -fuzz
// FuzzParseHAR -fuzztime 30s ./sp/diagnose/` runs one longer.

// fuzzTimeBound is the time any fuzz input may take to read (inputs are
// small; the bound is loose for a loaded machine and the fuzzer's
// instrumentation).
const fuzzTimeBound = 3 * time.Second

// harCodes and configCodes are the refusals each reader documents.
var (
	harCodes    = map[string]bool{ErrInputTooLarge: true, ErrHARJSON: true, ErrHARNotHAR: true, ErrHARNoSAML: true, ErrHARLogin: true, ErrResponseTruncated: true, ErrResponseEmpty: true}
	configCodes = map[string]bool{ErrInputTooLarge: true, ErrConfigJSON: true, ErrConfigMissingField: true, ErrConfigInvalidField: true}
)

// checkRefusal fails unless err is nil or an *Error with a known code.
func checkRefusal(t *testing.T, err error, known map[string]bool) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("refusal is a %T, not a *diagnose.Error: %v", err, err)
	}
	if !known[e.Code] || e.Message == "" {
		t.Fatalf("refusal with unknown code or no message: %v", err)
	}
}

// timed runs f and fails when it takes longer than fuzzTimeBound.
func timed(t *testing.T, what string, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > fuzzTimeBound {
		t.Fatalf("%s took %v (bound %v)", what, d, fuzzTimeBound)
	}
}

// reencodeHAR is the HAR subset the reader models, encoded again.
func reencodeHAR(data []byte) ([]byte, bool) {
	var h harFile
	if json.Unmarshal(data, &h) != nil {
		return nil, false
	}
	b, err := json.Marshal(h)
	return b, err == nil
}

// evidenceKey is what a HAR reading decides.
type evidenceKey struct {
	SAMLResponse, Encoding, RequestID, RequestIDSource, ProviderID string
	At                                                             time.Time
	Recorded                                                       *Recorded
	Login                                                          int
	Logins                                                         int
	XML                                                            []byte
}

func keyOf(ev *Evidence) evidenceKey {
	k := evidenceKey{SAMLResponse: ev.SAMLResponse, Encoding: ev.Encoding, RequestID: ev.RequestID, RequestIDSource: ev.RequestIDSource,
		ProviderID: ev.ProviderID, At: ev.At, Recorded: ev.Recorded, Logins: len(ev.Logins), XML: ev.XML}
	if ev.Login != nil {
		k.Login = ev.Login.Number
	}
	return k
}

func FuzzParseHAR(f *testing.F) {
	f.Add(harOf(postEntry("2026-01-15T09:30:00.000Z", b64(responseXML("ann@acme.test"))),
		apiEntry("2026-01-15T09:30:00.100Z", 400, `{"error":{"code":400,"message":"INVALID_IDP_RESPONSE : x","harness":{"reason":"AUDIENCE_MISMATCH"}}}`)), 0)
	f.Add([]byte(`{"log":{"version":"1.2","entries":[]}}`), 0)
	f.Add([]byte(`{"log":{"entries":[null,{"request":{"method":"POST","url":"https://x/__/auth/handler","postData":{"text":"SAMLResponse=PHI%2B"}}}]}}`), 1)
	f.Fuzz(func(t *testing.T, data []byte, sel int) {
		sel %= 4
		var ev *Evidence
		var err error
		timed(t, "ParseHAR", func() { ev, _, err = ParseHAR(data, HARSelect(sel)) })
		checkRefusal(t, err, harCodes)
		enc1, ok := reencodeHAR(data)
		if !ok {
			if err == nil {
				t.Fatalf("accepted a HAR its own model cannot read")
			}
			return
		}
		ev1, _, err1 := ParseHAR(enc1, HARSelect(sel))
		if (err == nil) != (err1 == nil) || (err != nil && err.(*Error).Code != err1.(*Error).Code) {
			t.Fatalf("re-encoding changes the answer: %v / %v", err, err1)
		}
		if err == nil && (ev.SAMLResponse != ev1.SAMLResponse || !ev.At.Equal(ev1.At) || !reflect.DeepEqual(ev.Recorded, ev1.Recorded) || len(ev.Logins) != len(ev1.Logins)) {
			t.Fatalf("re-encoding changes the evidence:\n%+v\n%+v", keyOf(ev), keyOf(ev1))
		}
		// The encoded form is a fixed point: encoding it again gives the
		// same bytes and exactly the same reading.
		enc2, ok := reencodeHAR(enc1)
		if !ok || !bytes.Equal(enc1, enc2) {
			t.Fatalf("encoding is not stable:\n%s\n%s", enc1, enc2)
		}
		if err1 == nil {
			ev2, _, err2 := ParseHAR(enc2, HARSelect(sel))
			if err2 != nil || !reflect.DeepEqual(keyOf(ev1), keyOf(ev2)) {
				t.Fatalf("reading the stable encoding twice differs: %v", err2)
			}
		}
	})
}

// normalConfig treats an empty and an absent list alike (JSON omits
// empty optional lists).
func normalConfig(c Config) Config {
	if len(c.VerifiedDomains) == 0 {
		c.VerifiedDomains = nil
	}
	return c
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"ssoProvider":"SAML","serviceProviderEntityId":"https://x.example","redirectUrl":"https://x.example/__/auth/handler","identityProviderEntityId":"http://www.okta.com/exk1","certificates":["c"],"domains":["x.example"]}`))
	f.Add([]byte(`{"serviceProviderEntityId":" not a url ","redirectUrl":"r","identityProviderEntityId":"i","certificates":["c"],"domains":["a"],"verifiedDomains":[],"enabled":false,"profile":"lenient"}`))
	f.Add([]byte(`{"certificates":"c"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Config
		var err error
		timed(t, "ParseConfig", func() { c, err = ParseConfig(data) })
		checkRefusal(t, err, configCodes)
		if err != nil {
			return
		}
		enc, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("an accepted config does not encode: %v", err)
		}
		c2, err := ParseConfig(enc)
		if err != nil {
			t.Fatalf("the encoding of an accepted config is refused: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(normalConfig(c), normalConfig(c2)) {
			t.Fatalf("parse → encode → parse differs:\n%+v\n%+v", c, c2)
		}
		// Diagnosing any accepted config terminates in time, whatever its
		// values, with an unsigned response as evidence.
		ev, perr := ParseResponse([]byte(b64(responseXML("ann@acme.test"))))
		if perr != nil {
			t.Fatal(perr)
		}
		timed(t, "Diagnose", func() { Diagnose(Input{Config: c, Evidence: ev, At: testAt}) })
	})
}
