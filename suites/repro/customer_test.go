package repro_test

// customer_test.go: synthetic customers. Each situation is a customer's
// broken setup built with the mock IdP and a real SP, with customer-like
// names (org "globex", users on globex.example, a workspace "Globex
// Corporation") — never the demo world's — so that emitting a case really
// has to anonymise. The evidence (a HAR recorded by the test browser, or a
// bare SAMLResponse) and the workspace's settings JSON go through the same
// path as `samlharness diagnose --emit-case`, and the case must equal the
// committed file in fixtures/cases (-update rewrites them).

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/sp/diagnose"
	"github.com/samlharness/samlharness/suites/repro"
	"github.com/samlharness/samlharness/suites/scenario"
)

var update = flag.Bool("update", false, "rewrite fixtures/cases from the synthetic customer evidence")

// customerAt is when the customers' sign-ins failed.
var customerAt = time.Date(2026, 3, 4, 14, 7, 31, 0, time.UTC)

const customerPassword = "Globex-Pa55word!"

// customerUsers are the customer's Okta users.
var customerUsers = map[string]mockidp.User{
	"jane": {Login: "jane.doe@globex.example", Email: "jane.doe@globex.example", FirstName: "Jane", LastName: "Doe"},
	"jdoe": {Login: "jdoe", Email: "john.doe@globex.example", FirstName: "John", LastName: "Doe"},
	"raj":  {Login: "raj.patel@globex-research.example", Email: "raj.patel@globex-research.example", FirstName: "Raj", LastName: "Patel"},
}

// clock is a settable clock; the IdP may run skewed from it.
type clock struct {
	mu   sync.Mutex
	t    time.Time
	skew time.Duration
}

func (c *clock) now() time.Time    { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) idpNow() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t.Add(c.skew) }
func (c *clock) set(t time.Time)   { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// customerWorld is a customer's Okta org and their workspace.
type customerWorld struct {
	idp     *mockidp.IdP
	sp      *sp.Server
	idpURL  string
	spURL   string
	app     mockidp.App
	ws      sp.Workspace
	clock   *clock
	servers []*httptest.Server
	// transport serves a world at fixed URLs in process (nil: loopback).
	transport http.RoundTripper
}

func (cw *customerWorld) close() {
	for _, s := range cw.servers {
		s.Close()
	}
}

func (cw *customerWorld) redirectURL() string { return cw.spURL + sp.PathHandler }

func (cw *customerWorld) refresh(t *testing.T) {
	t.Helper()
	app, err := cw.idp.App(cw.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	cw.app = *app
}

func (cw *customerWorld) activePEM(t *testing.T) string {
	t.Helper()
	c, err := cw.idp.ActiveCertificate(cw.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return string(c.PEM())
}

// newCustomerWorld builds the org two years before the failure (so its
// signing certificate is two years old) and the workspace.
func newCustomerWorld(t *testing.T, seed uint64) *customerWorld {
	t.Helper()
	return newCustomerWorldAt(t, seed, "", "")
}

// newCustomerWorldAt is a customer world at fixed URLs served in process
// (see inProcess), or on loopback test servers when the URLs are empty.
func newCustomerWorldAt(t *testing.T, seed uint64, idpURL, spURL string) *customerWorld {
	t.Helper()
	c := &clock{t: customerAt.AddDate(-2, 0, 0)}
	keys := []fixtures.KeyName{fixtures.KeyIdPPrimary, fixtures.KeyIdPRotated, fixtures.KeySpare}
	var mu sync.Mutex
	next := 0
	idp, err := mockidp.New(mockidp.Config{Org: "globex", Now: c.idpNow, IDs: mockidp.NewSeededIDs(seed),
		AttackerKey: fixtures.Key(fixtures.KeyAttacker), RotatedKey: fixtures.Key(fixtures.KeyIdPRotated),
		WeakKey: fixtures.Key(fixtures.KeyWeak1024), SpareKey: fixtures.Key(fixtures.KeySpare),
		NewKey: func() (*rsa.PrivateKey, error) {
			mu.Lock()
			defer mu.Unlock()
			k := fixtures.Key(keys[next%len(keys)])
			next++
			return k, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := sp.New(sp.Config{Now: c.now, Rand: rand.NewChaCha8([32]byte{byte(seed)})})
	if err != nil {
		t.Fatal(err)
	}
	cw := &customerWorld{idp: idp, sp: svc, clock: c}
	if idpURL != "" {
		cw.idpURL, cw.spURL = idpURL, spURL
		iu, _ := url.Parse(idpURL)
		su, _ := url.Parse(spURL)
		cw.transport = inProcess{iu.Host: idp, su.Host: svc}
	} else {
		is := httptest.NewServer(idp)
		ss := httptest.NewServer(svc)
		cw.servers = []*httptest.Server{is, ss}
		cw.idpURL, cw.spURL = is.URL, ss.URL
	}
	idp.SetBaseURL(cw.idpURL)
	svc.SetBaseURL(cw.spURL)
	g, err := idp.AddGroup("Globex Staff")
	if err != nil {
		t.Fatal(err)
	}
	app, err := idp.CreateApp("ElevenLabs", mockidp.SAMLSettings{SSOURL: cw.redirectURL(), AudienceURI: cw.spURL,
		NameIDFormat: mockidp.NameIDEmailAddress, ApplicationUsername: mockidp.UsernameEmail})
	if err != nil {
		t.Fatal(err)
	}
	cw.app = *app
	if err := idp.AssignGroup(app.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"jane", "jdoe", "raj"} {
		u := customerUsers[key]
		u.Password = customerPassword
		created, err := idp.AddUser(u)
		if err != nil {
			t.Fatal(err)
		}
		if err := idp.AddUserToGroup(created.ID, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	cw.refresh(t)
	ws, err := svc.CreateWorkspace(sp.WorkspaceSpec{Name: "Globex Corporation", VerifiedDomains: []string{"globex.example", "globex-research.example"}})
	if err != nil {
		t.Fatal(err)
	}
	cw.ws = ws
	return cw
}

// guideSSO is the workspace's form as the guide fills it.
func (cw *customerWorld) guideSSO(t *testing.T) sp.SSOSettings {
	return sp.SSOSettings{SSOProvider: "SAML", IdentityProviderEntityID: cw.app.EntityID, IdentityProviderSignInURL: cw.app.SignOnURL,
		Certificates: []string{cw.activePEM(t)}, Domains: []string{"globex.example"}, Acknowledge: true}
}

// configJSON is the workspace's settings as the admin API shows them, plus
// its verified domains: what the support engineer gets.
func (cw *customerWorld) configJSON(t *testing.T) []byte {
	t.Helper()
	cfg, err := cw.sp.SSO(cw.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cfg)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["verifiedDomains"] = cw.ws.VerifiedDomains
	out, _ := json.MarshalIndent(m, "", "  ")
	return out
}

// tlsCertificatePEM is the customer's Okta TLS certificate: not a SAML
// signing certificate, issued by a public CA.
func tlsCertificatePEM(t *testing.T) string {
	t.Helper()
	key := fixtures.Key(fixtures.KeySpare)
	ca := &x509.Certificate{Subject: pkix.Name{Country: []string{"US"}, Organization: []string{"Let's Encrypt"}, CommonName: "R11"}}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x3fa1c0de),
		Subject:      pkix.Name{CommonName: "globex.okta.com"},
		DNSNames:     []string{"globex.okta.com"},
		NotBefore:    customerAt.AddDate(0, -2, 0),
		NotAfter:     customerAt.AddDate(0, 1, 0),
	}
	der, err := x509.CreateCertificate(rand.NewChaCha8([32]byte{7}), tmpl, ca, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// situation is one customer's broken setup.
type situation struct {
	name  string // the case file's name
	cause string // the first finding diagnose must report
	user  string // customer user key (default jane)
	email string // what they type at the workspace (default their email)
	// evidence is "har" (default) or "response" (a bare SAMLResponse
	// judged with --at).
	evidence string
	metadata bool // also give Okta's metadata
	settings bool // also give the Okta app's SAML settings
	tile     bool // the user clicks the Okta tile
	// idpURL and spURL place the world at fixed URLs, served in process
	// (default: loopback servers on ephemeral ports).
	idpURL, spURL string
	skew          time.Duration
	// okta changes the Okta app's settings; sso the workspace's form;
	// later runs after the workspace is configured.
	okta  func(s *mockidp.SAMLSettings, cw *customerWorld)
	sso   func(t *testing.T, s *sp.SSOSettings, cw *customerWorld)
	later func(t *testing.T, cw *customerWorld)
}

func pasted(variant pastedcert.Shape) func(t *testing.T, s *sp.SSOSettings, cw *customerWorld) {
	return func(t *testing.T, s *sp.SSOSettings, cw *customerWorld) {
		v, err := fixtures.PEMVariant(variant, cw.activePEM(t))
		if err != nil {
			t.Fatal(err)
		}
		s.Certificates = []string{v}
	}
}

// situations are the shipped cases: the setup guide's troubleshooting
// section and the common failures of the reference notes.
var situations = []situation{
	{name: "cert-llm-reformatted", cause: "CERT_UNPARSEABLE", sso: pasted(pastedcert.LLMRewrapped)},
	{name: "cert-copied-from-metadata-without-armor", cause: "CERT_UNPARSEABLE", evidence: "response", metadata: true, sso: pasted(pastedcert.NoArmorOneLine)},
	{name: "cert-stale-after-okta-rotation", cause: "CERT_ROTATED", metadata: true,
		later: func(t *testing.T, cw *customerWorld) {
			cw.clock.set(customerAt.AddDate(0, 0, -3))
			c, err := cw.idp.GenerateCertificate(cw.app.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cw.idp.ActivateCertificate(cw.app.ID, c.KID); err != nil {
				t.Fatal(err)
			}
		}},
	{name: "cert-tls-certificate-pasted", cause: "CERT_WRONG",
		sso: func(t *testing.T, s *sp.SSOSettings, cw *customerWorld) {
			s.Certificates = []string{tlsCertificatePEM(t)}
		}},
	{name: "idp-entity-id-is-sign-in-url", cause: "RESPONSE_ISSUER_MISMATCH", metadata: true,
		sso: func(t *testing.T, s *sp.SSOSettings, cw *customerWorld) {
			s.IdentityProviderEntityID = cw.app.SignOnURL
		}},
	{name: "audience-uri-is-redirect-url", cause: "AUDIENCE_MISMATCH", settings: true,
		okta: func(s *mockidp.SAMLSettings, cw *customerWorld) { s.AudienceURI = cw.redirectURL() }},
	{name: "nameid-okta-username-not-email", cause: "NAMEID_NOT_EMAIL", user: "jdoe", email: "john.doe@globex.example", settings: true,
		okta: func(s *mockidp.SAMLSettings, cw *customerWorld) {
			s.NameIDFormat, s.ApplicationUsername = mockidp.NameIDUnspecified, mockidp.UsernameOkta
		}},
	{name: "email-domain-verified-not-allowed", cause: "DOMAIN_NOT_ALLOWED", user: "raj", email: "raj.patel@globex.example"},
	{name: "destination-url-not-redirect-url", cause: "DESTINATION_MISMATCH", settings: true,
		okta: func(s *mockidp.SAMLSettings, cw *customerWorld) {
			s.SeparateRecipientAndDestination, s.RecipientURL, s.DestinationURL = true, cw.redirectURL(), cw.spURL+"/saml/acs"
		}},
	{name: "idp-clock-behind-response-expired", cause: "EXPIRED", skew: -12*time.Minute - 250*time.Millisecond},
	{name: "response-and-assertion-unsigned", cause: "SIGNATURE_MISSING", evidence: "response", settings: true,
		okta: func(s *mockidp.SAMLSettings, cw *customerWorld) {
			s.Response, s.AssertionSignature = mockidp.Unsigned, mockidp.Unsigned
		}},
	{name: "sign-in-from-okta-tile", cause: "MISSING_INITIAL_STATE", tile: true},
}

// evidence is what the support engineer receives.
type evidence struct {
	config, har, response, metadata, settings []byte
	result                                    signInResult
}

// reproduce builds a customer's world, breaks it as the situation says and
// records the failed sign-in.
func reproduce(t *testing.T, s situation, seed uint64) evidence {
	t.Helper()
	cw := newCustomerWorldAt(t, seed, s.idpURL, s.spURL)
	defer cw.close()
	cw.clock.set(customerAt.AddDate(0, -1, 0)) // configured a month before
	settings := cw.app.Settings
	if s.okta != nil {
		s.okta(&settings, cw)
		if _, err := cw.idp.UpdateApp(cw.app.ID, settings); err != nil {
			t.Fatal(err)
		}
		cw.refresh(t)
	}
	sso := cw.guideSSO(t)
	if s.sso != nil {
		s.sso(t, &sso, cw)
	}
	if _, err := cw.sp.UpdateSSO(cw.ws.ID, sso); err != nil {
		t.Fatal(err)
	}
	if s.later != nil {
		s.later(t, cw)
	}
	cw.refresh(t)
	cw.clock.set(customerAt)
	cw.clock.skew = s.skew
	userKey := s.user
	if userKey == "" {
		userKey = "jane"
	}
	u := customerUsers[userKey]
	email := s.email
	if email == "" {
		email = u.Email
	}
	br := newBrowserVia(cw.clock.now, cw.transport)
	res, err := br.signIn(cw.spURL, cw.idpURL+"/home/"+cw.app.Name+"/"+cw.app.ID, u.Login, customerPassword, email, s.tile)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	ev := evidence{config: cw.configJSON(t), har: br.HAR(), response: []byte(res.samlResponse), result: res}
	if s.metadata {
		md, err := cw.idp.Metadata(cw.app.ID)
		if err != nil {
			t.Fatal(err)
		}
		ev.metadata = md
	}
	if s.settings {
		ev.settings, _ = json.Marshal(cw.app.Settings)
	}
	return ev
}

// diagnoseEvidence runs the diagnosis as the CLI does.
func diagnoseEvidence(t *testing.T, ev evidence, useResponse bool, at time.Time) *diagnose.Report {
	t.Helper()
	cfg, err := diagnose.ParseConfig(ev.config)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	in := diagnose.Input{Config: cfg}
	if useResponse {
		if in.Evidence, err = diagnose.ParseResponse(ev.response); err != nil {
			t.Fatalf("response: %v", err)
		}
		in.At = at
	} else if in.Evidence, _, err = diagnose.ParseHAR(ev.har, 0); err != nil {
		t.Fatalf("HAR: %v", err)
	}
	if ev.metadata != nil {
		md, err := diagnose.ParseMetadata(ev.metadata)
		if err != nil {
			t.Fatalf("metadata: %v", err)
		}
		in.Metadata = &md
	}
	if ev.settings != nil {
		s, err := diagnose.ParseOktaSettings(ev.settings)
		if err != nil {
			t.Fatalf("Okta settings: %v", err)
		}
		in.Okta = &s
	}
	return diagnose.Diagnose(in)
}

// TestShippedCasesAreGenerated rebuilds every shipped case from its
// synthetic customer evidence: diagnose must name the expected cause first,
// agree with the answer the SP recorded, and emit exactly the committed
// case file.
func TestShippedCasesAreGenerated(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i, s := range situations {
		seen[s.name] = true
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ev := reproduce(t, s, uint64(100+i))
			rep := diagnoseEvidence(t, ev, s.evidence == "response", customerAt)
			dumpReport("customer", s.name, rep)
			if os.Getenv("REPRO_SHOW") != "" { // REPRO_SHOW=1 go test -v: print each diagnosis
				var b bytes.Buffer
				_ = rep.WriteText(&b)
				t.Log("\n" + b.String())
			}
			if len(rep.Findings) == 0 || rep.Findings[0].Code != s.cause || rep.Findings[0].Severity != diagnose.SeverityCause {
				var b bytes.Buffer
				_ = rep.WriteText(&b)
				t.Fatalf("first finding is not %s:\n%s", s.cause, b.String())
			}
			if rep.Recorded != nil && !rep.Recorded.Matches {
				t.Errorf("the SP recorded %q but diagnose says %q", rep.Recorded.Message, rep.Result.Message)
			}
			if s.evidence != "response" {
				wantMsg := ev.result.apiError
				if ev.result.pageError != "" {
					wantMsg = ev.result.pageError
				}
				if got := rep.Result.Message; rep.Result.Stage != "handler" && got != wantMsg {
					t.Errorf("result %q, the browser saw %q", got, wantMsg)
				}
			}
			c, err := repro.CaseFromReport(rep, s.name)
			if err != nil {
				t.Fatalf("emit case: %v", err)
			}
			got, err := scenario.MarshalCase(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{"globex", "Globex", "jane", "john", "raj", "127.0.0.1"} {
				if bytes.Contains(got, []byte(leak)) {
					t.Errorf("the case leaks %q:\n%s", leak, got)
				}
			}
			path := filepath.Join("..", "..", "fixtures", "cases", s.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("emitted case differs from %s (run with -update after review):\n%s", path, got)
			}
		})
	}
	if len(seen) < 8 {
		t.Errorf("only %d shipped cases; the issue asks for at least eight", len(seen))
	}
}

// A multi-megabyte response: the SP refuses it before decoding, and the
// diagnosis says so first, with the sizes.
func TestDiagnoseOversizeResponse(t *testing.T) {
	t.Parallel()
	s := situation{name: "oversize", evidence: "response",
		later: func(t *testing.T, cw *customerWorld) {
			if err := cw.idp.SetFaults(cw.app.ID, fault.Fault{Name: "oversize", Params: map[string]string{"bytes": "1500000"}}); err != nil {
				t.Fatal(err)
			}
		}}
	ev := reproduce(t, s, 7)
	if len(ev.response) < 3<<19 {
		t.Fatalf("the response is only %d bytes", len(ev.response))
	}
	rep := diagnoseEvidence(t, ev, true, customerAt)
	if rep.Result.Reason != "RESPONSE_TOO_LARGE" || rep.Findings[0].Code != "RESPONSE_TOO_LARGE" {
		t.Fatalf("result %+v, first finding %+v", rep.Result, rep.Findings[0])
	}
	if !strings.Contains(rep.Findings[0].Found, "MiB") || !strings.Contains(rep.Findings[0].Expected, "5–15 KB") {
		t.Errorf("finding %+v", rep.Findings[0])
	}
}

// A HAR of three sign-ins in one browser — fine, broken by an Okta change,
// fixed again — is diagnosed on the failed one, and says so.
func TestDiagnoseHARWithSeveralSignIns(t *testing.T) {
	t.Parallel()
	cw := newCustomerWorld(t, 9)
	defer cw.close()
	if _, err := cw.sp.UpdateSSO(cw.ws.ID, cw.guideSSO(t)); err != nil {
		t.Fatal(err)
	}
	cw.clock.set(customerAt)
	br := newBrowser(cw.clock.now)
	u := customerUsers["jane"]
	signIn := func() signInResult {
		res, err := br.signIn(cw.spURL, "", u.Login, customerPassword, u.Email, false)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := signIn(); res.email != u.Email {
		t.Fatalf("first sign-in: %+v", res)
	}
	good := cw.app.Settings
	bad := good
	bad.AudienceURI = cw.redirectURL()
	if _, err := cw.idp.UpdateApp(cw.app.ID, bad); err != nil {
		t.Fatal(err)
	}
	if res := signIn(); res.apiError == "" {
		t.Fatalf("second sign-in: %+v", res)
	}
	if _, err := cw.idp.UpdateApp(cw.app.ID, good); err != nil {
		t.Fatal(err)
	}
	if res := signIn(); res.email != u.Email {
		t.Fatalf("third sign-in: %+v", res)
	}
	ev := evidence{config: cw.configJSON(t), har: br.HAR()}
	rep := diagnoseEvidence(t, ev, false, time.Time{})
	if rep.Evidence.Login == nil || rep.Evidence.Login.Number != 2 || rep.Evidence.Login.Of != 3 {
		t.Fatalf("picked %+v", rep.Evidence.Login)
	}
	if rep.Findings[0].Code != "AUDIENCE_MISMATCH" || rep.Recorded == nil || !rep.Recorded.Matches {
		t.Fatalf("first finding %+v, recorded %+v", rep.Findings[0], rep.Recorded)
	}
	if !strings.Contains(strings.Join(rep.Evidence.Notes, " "), "diagnosing sign-in 2, the last failed one") {
		t.Errorf("notes %q", rep.Evidence.Notes)
	}
}
