package runner

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/samlharness/samlharness/suites/htmlpage"
	"github.com/samlharness/samlharness/suites/scenario"
)

// ForeignSP is an SP the harness did not write, as its target file
// describes it: where a sign-in starts, what proves a session, how to sign
// out, how to read a refusal's reason.
type ForeignSP struct {
	// Site is the SP's origin and the scenario app's Okta tile.
	Site Site
	// SignInMethod and SignInURL start an SP-initiated login; the URL may
	// hold {email}.
	SignInMethod, SignInURL string
	// SessionURL answers SessionStatus with a body matching SessionPattern
	// to a signed-in user; the pattern's first group, if any, is who.
	SessionURL     string
	SessionStatus  int
	SessionPattern *regexp.Regexp
	// SignOutMethod and SignOutURL, when set, end the session before a
	// replay.
	SignOutMethod, SignOutURL string
	// ReadReason reads the SP's reason code from a page (or "").
	ReadReason func(page []byte) string
	// IdPBase is the IdP's base URL; Cookie, set on its host, routes the
	// browser to the scenario's app.
	IdPBase string
	Cookie  *http.Cookie
}

// SignIn performs the plan at the foreign SP: it follows the SP's redirect
// to the IdP, reads and answers its AuthnRequest there, posts the response
// where the IdP says, and asks the SP's session URL whether a user is
// signed in.
func (f *ForeignSP) SignIn(ctx context.Context, plan Plan, timeout time.Duration) Observation {
	s := &foreignSP{ForeignSP: f, idpHost: mustHost(f.IdPBase)}
	w := newWalk(f.Site, s, s.newJar(), timeout)
	return w.run(ctx, plan)
}

// foreignSP is a ForeignSP's side of a sign-in.
type foreignSP struct {
	*ForeignSP
	idpHost string
}

// newJar is a fresh cookie jar holding only the scenario cookie for the
// IdP.
func (s *foreignSP) newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	if u, err := url.Parse(s.IdPBase); err == nil && s.Cookie != nil {
		jar.SetCookies(u, []*http.Cookie{s.Cookie})
	}
	return jar
}

// atSP: anything not at the IdP is the SP's.
func (s *foreignSP) atSP(u *url.URL) bool { return u.Host != s.idpHost }

func (s *foreignSP) acsStage() string { return StageACS }

// start opens the target's sign-in URL and follows the SP's own
// redirects until the browser is sent to the IdP: a redirect (HTTP-Redirect
// binding) or an auto-submitting form (HTTP-POST binding). It records the
// AuthnRequest. A page that sends nowhere is the SP's refusal.
func (s *foreignSP) start(ctx context.Context, w *walk, plan Plan) (*idpRequest, *Observation) {
	stop := func(o Observation) (*idpRequest, *Observation) { return nil, &o }
	target := strings.ReplaceAll(s.SignInURL, "{email}", url.QueryEscape(plan.SignInEmail))
	r, err := w.do(ctx, s.SignInMethod, target, nil, "")
	for hops := 0; ; hops++ {
		if err != nil {
			return stop(w.transport(StageSPSignIn, err))
		}
		if !isRedirect(r.status) {
			break
		}
		loc, perr := r.url.Parse(r.header.Get("Location"))
		if perr != nil {
			return stop(w.stop(StageSPSignIn, "", "bad redirect: "+perr.Error()))
		}
		if loc.Host == s.idpHost {
			w.obs.Evidence.AuthnRequest = decodeAuthnRequest(loc.Query().Get("SAMLRequest"), true)
			return &idpRequest{method: http.MethodGet, url: loc.String()}, nil
		}
		if hops == 10 {
			return stop(w.stop(StageSPSignIn, "", "more than 10 redirects before the IdP"))
		}
		r, err = w.do(ctx, http.MethodGet, loc.String(), nil, "")
	}
	if p, perr := htmlpage.Parse(r.body); perr == nil {
		if f, ok := p.FormWithInput("SAMLRequest"); ok {
			if action, aerr := r.url.Parse(f.Action); aerr == nil && action.Host == s.idpHost {
				vals := url.Values(f.Fields)
				w.obs.Evidence.AuthnRequest = decodeAuthnRequest(vals.Get("SAMLRequest"), false)
				return &idpRequest{method: http.MethodPost, url: action.String(), form: vals}, nil
			}
		}
	}
	return stop(s.refusal(w, StageSPSignIn, r))
}

// beforeReplay signs out when the target says how, and forgets the SP's
// cookies. A replay of the same request sends it again as it was, cookies
// included: what anyone holding a copy of it (a proxy log, a HAR file) can
// do.
func (s *foreignSP) beforeReplay(ctx context.Context, w *walk, plan Plan) *Observation {
	if s.SignOutURL != "" {
		if _, err := w.do(ctx, s.SignOutMethod, s.SignOutURL, nil, ""); err != nil {
			o := w.transport(StageApp, err)
			return &o
		}
	}
	w.client.Jar = s.newJar()
	if plan.Delivery != scenario.DeliverReplayNewRequest {
		if acs, err := url.Parse(w.acsURL); err == nil {
			for _, c := range w.acsCookies {
				w.client.Jar.SetCookies(acs, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/"}})
			}
		}
	}
	return nil
}

// answered records the SP's answer to the response and asks the oracle.
func (s *foreignSP) answered(ctx context.Context, w *walk, r *reply) Observation {
	w.obs.Evidence.SPAnswer = fmt.Sprintf("HTTP %d %s\n%s", r.status, r.url, Excerpt(r.body, 4096))
	who, ok, err := s.session(ctx, w)
	if err != nil {
		return w.transport(StageApp, err)
	}
	if ok {
		w.obs.Session, w.obs.Identity = true, who
		return w.stop(StageApp, "", "")
	}
	return s.refusal(w, StageACS, r)
}

// refusal records a page that ended the flow at the SP without a session,
// reading its reason with the target's error rules.
func (s *foreignSP) refusal(w *walk, stage string, r *reply) Observation {
	if w.obs.Evidence.SPAnswer == "" {
		w.obs.Evidence.SPAnswer = fmt.Sprintf("HTTP %d %s\n%s", r.status, r.url, Excerpt(r.body, 4096))
	}
	msg := fmt.Sprintf("HTTP %d at %s", r.status, r.url.Path)
	if t := PageText(r.body, 200); t != "" {
		msg += ": " + t
	}
	code := ""
	if s.ReadReason != nil {
		code = s.ReadReason(r.body)
	}
	return w.stop(stage, code, msg)
}

// session asks the target's session URL who is signed in.
func (s *foreignSP) session(ctx context.Context, w *walk) (string, bool, error) {
	r, err := w.do(ctx, http.MethodGet, s.SessionURL, nil, "")
	if err != nil {
		return "", false, err
	}
	if r.status != s.SessionStatus {
		return "", false, nil
	}
	m := s.SessionPattern.FindSubmatch(r.body)
	if m == nil {
		return "", false, nil
	}
	if len(m) > 1 {
		return html.UnescapeString(string(m[1])), true, nil
	}
	return "", true, nil
}

// PageText is a page's visible text, whitespace collapsed, at most n
// characters.
func PageText(body []byte, n int) string {
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.ElementNode && (x.Data == "script" || x.Data == "style") {
			return
		}
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
			b.WriteByte(' ')
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// decodeAuthnRequest shows the SP's AuthnRequest as XML (deflated on the
// Redirect binding), or the raw parameter when it does not decode.
func decodeAuthnRequest(v string, deflated bool) string {
	if v == "" {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return v
	}
	if deflated {
		out, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), 1<<20))
		if err != nil {
			return v
		}
		raw = out
	}
	return Excerpt(raw, 8192)
}
