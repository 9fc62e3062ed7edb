package browser_test

import (
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/browser"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// BenchmarkBrowserLogin compares one full browser login with a bare
// chromedp page load measured in the same run, in the same browser.
//
// A login opens the SP's sign-in URL (302 to Okta, Okta's sign-in page),
// types the username and password, and follows Okta's auto-submitted POST
// to the handler page, whose script calls accounts:signInWithIdp and the
// session endpoint before loading /app: three page loads where a bare
// navigation has one — the first, plus the two hops the login needs (Okta
// → the Redirect URL, the handler → the app), two of them cross-site.
//
// Per operation: page-load-ms, a chromedp.Navigate of the SP's sign-in
// page in a warm tab; login-ms, a login in a warm tab whose cookies were
// cleared (as after "Clear browsing data"); fresh-login-ms, a login in a
// brand-new browser context (made outside the timer), as each spec does.
// The ratios divide by 3 page loads (the goal is ≤ 2).
func BenchmarkBrowserLogin(b *testing.B) {
	br, err := startBrowser()
	if err != nil {
		b.Fatal(err)
	}
	w, err := builtin.NewWorld(builtin.WorldConfig{SPAddr: "127.0.0.1:0", IdPAddr: "127.0.0.2:0", Configure: true, Seed: seed,
		Now: func() time.Time { return clock }})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	base, err := br.NewSession("baseline")
	if err != nil {
		b.Fatal(err)
	}
	defer base.Close()
	warm, err := br.NewSession("warm")
	if err != nil {
		b.Fatal(err)
	}
	defer warm.Close()
	page := w.SPURL + "/app/sign-in?use_sso=true"
	login := func(t *browser.Tab) time.Duration {
		t0 := time.Now()
		out, err := browser.SignIn(t, w.SPURL, "alice@acme.test", "alice@acme.test", demo.Password)
		d := time.Since(t0)
		if err != nil || out.Kind != "app" {
			b.Fatalf("login: %v %s", err, out)
		}
		return d
	}
	if err := base.Tab().Navigate(page); err != nil { // warm both tabs and the connections
		b.Fatal(err)
	}
	login(warm.Tab())
	var loadSum, warmSum, freshSum time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := base.Tab().Navigate(page); err != nil {
			b.Fatal(err)
		}
		loadSum += time.Since(t0)

		b.StopTimer()
		if err := warm.ClearCookies(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		warmSum += login(warm.Tab())

		b.StopTimer()
		s, err := br.NewSession("fresh")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		freshSum += login(s.Tab())
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	load := ms(loadSum)
	b.ReportMetric(load, "page-load-ms")
	b.ReportMetric(ms(warmSum), "login-ms")
	b.ReportMetric(ms(freshSum), "fresh-login-ms")
	b.ReportMetric(ms(warmSum)/(3*load), "login/3×page-load")
	b.ReportMetric(ms(freshSum)/(3*load), "fresh/3×page-load")
}
