// Package browser is the harness's browser tier: the setup guide and its
// failures performed in a real headless Chromium, driven with chromedp over
// the DevTools protocol.
//
// Some failures only a browser shows: the IdP's auto-submitted POST form, a
// cookie the browser withholds on the cross-site POST back to the Redirect
// URL (SameSite), the handler page's JavaScript calling
// accounts:signInWithIdp, and what the admin and the user actually see. The
// package starts one Chromium per test process ([Start]); every person in a
// spec gets a [Session], a fresh browser context with its own cookies,
// storage and downloads, and each page they look at is a [Tab] whose
// [NetLog] records the traffic the way the browser's Network panel does,
// exportable as a HAR 1.2 file for `samlharness diagnose --har`.
//
// The page objects [OktaConsole], [OktaSignIn] and [Workspace] drive the
// pages a person uses: the mock Okta org's admin console and sign-in page,
// and the workspace's Security & SSO page, sign-in page, handler page and
// app. The Ginkgo suite in this package (label "browser") performs the
// guide end to end, each troubleshooting case, the 403 and IdP-initiated
// pages, the log-out on Update SSO and the SameSite cross-site POST.
//
// The browser is found through $SAMLHARNESS_CHROMIUM, else "chromium" (or a
// Chrome) on PATH; `make test` installs Debian's chromium package when it is
// missing. Without a browser the suite fails with a message saying so; it
// never skips silently.
package browser
