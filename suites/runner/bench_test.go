package runner_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"net/url"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// The benchmarks report ratios against floors measured in the same run
// (the machines are shared and noisy; absolute figures mean little):
//
//	BenchmarkRSASign       one RSA-2048 PKCS#1 v1.5 signature: the crypto floor
//	BenchmarkFloor         what a scenario cannot avoid: the IdP builds and
//	                       signs one response (2 signatures), the SP verifies it
//	                       (Go APIs, no HTTP, no environment)
//	BenchmarkLogin         one full SP-initiated login over loopback HTTP with
//	                       a cookie jar, in an already running World
//	BenchmarkScenario      one catalogue scenario end to end: a fresh World
//	                       (two loopback servers, org, workspace) plus the login
//	BenchmarkCatalogue     the whole catalogue under one profile, per scenario

var benchClock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

func BenchmarkRSASign(b *testing.B) {
	key := fixtures.Key(fixtures.KeyIdPPrimary)
	digest := sha256.Sum256([]byte("<ds:SignedInfo/>"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func newBenchWorld(b *testing.B) *builtin.World {
	b.Helper()
	w, err := builtin.NewWorld(builtin.WorldConfig{Now: func() time.Time { return benchClock }, Seed: 1, Configure: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	return w
}

func BenchmarkFloor(b *testing.B) {
	w := newBenchWorld(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		auth, apiErr := w.SP.CreateAuthURI(ctx, sp.CreateAuthURIRequest{ProviderID: w.ProviderID(), ContinueURI: w.RedirectURL()})
		if apiErr != nil {
			b.Fatal(apiErr)
		}
		u, _ := url.Parse(auth.AuthURI)
		resp, err := w.IdP.Respond(mockidp.ResponseRequest{AppID: w.App.ID, Login: "alice@acme.test",
			SAMLRequest: u.Query().Get("SAMLRequest"), RelayState: u.Query().Get("RelayState")})
		if err != nil {
			b.Fatal(err)
		}
		if _, apiErr := w.SP.SignInWithIdp(ctx, sp.SignInWithIdpRequest{RequestURI: w.RedirectURL(),
			PostBody: resp.Form.Encode(), SessionID: auth.SessionID, ReturnSecureToken: true}); apiErr != nil {
			b.Fatal(apiErr)
		}
	}
}

func BenchmarkLogin(b *testing.B) {
	w := newBenchWorld(b)
	ctx := context.Background()
	plan := runner.Plan{Username: "alice@acme.test", Password: demo.Password, SignInEmail: "alice@acme.test"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if obs := runner.SignIn(ctx, w.Site(), plan, 10*time.Second); !obs.Session {
			b.Fatalf("login failed: %+v", obs)
		}
	}
}

func BenchmarkScenario(b *testing.B) {
	target := builtin.New(builtin.Config{At: benchClock})
	control, _ := scenario.ByID(runner.ControlID)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := runner.RunScenario(ctx, target, control, scenario.IdentityPlatform, runner.Options{Seed: uint64(i + 1)}, true); r.Verdict != runner.Pass {
			b.Fatalf("control failed: %s", r.Why)
		}
	}
}

func BenchmarkCatalogue(b *testing.B) {
	target := builtin.New(builtin.Config{At: benchClock})
	list := scenario.All()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := runner.Run(ctx, target, runner.Options{Profiles: []scenario.Profile{scenario.Strict}, Scenarios: list, Seed: 1})
		if rep.Summary.Total != len(list) {
			b.Fatal("incomplete run")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(list)), "ns/scenario")
}
