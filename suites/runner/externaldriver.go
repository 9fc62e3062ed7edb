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
	"strings"
	"time"

	"golang.org/x/net/html"
)

// foreignDriver signs in at an SP the harness did not write: it follows
// the SP's redirect to the IdP, reads and answers its AuthnRequest through
// the hosted IdP, posts the response where the IdP says, and asks the
// target's session URL whether a user is signed in.
type foreignDriver struct {
	*driver
	x       *External
	idpHost string
	spHost  string
	token   string
	// The first delivery of the response, for replays: where it went, the
	// form, and the cookies the browser sent with it.
	acsURL     string
	acsForm    url.Values
	acsCookies []*http.Cookie
}

// drive performs the plan against the target.
func (x *External) drive(ctx context.Context, timeout time.Duration, site Site, plan Plan, token string) Observation {
	d := &foreignDriver{driver: newDriver(site, timeout), x: x, token: token,
		idpHost: mustHost(x.idp.BaseURL()), spHost: mustHost(x.spec.spOrigin)}
	d.resetJar()
	switch plan.Delivery {
	case "idp-initiated":
		return d.tile(ctx, plan)
	case "unsolicited-into-pending":
		if _, obs := d.startLogin(ctx, plan); obs != nil {
			return *obs
		}
		return d.tile(ctx, plan)
	}
	obs := d.spInitiated(ctx, plan)
	if plan.Delivery == "" || !obs.Session || d.acsForm == nil {
		return obs
	}
	// Replays: the first login worked. Sign out, forget the SP's cookies,
	// and deliver the captured response again.
	d.obs = Observation{Evidence: Evidence{SAMLResponse: obs.Evidence.SAMLResponse, RelayState: obs.Evidence.RelayState, AuthnRequest: obs.Evidence.AuthnRequest}}
	if so := x.spec.SignOut; so != nil {
		if _, err := d.do(ctx, so.Method, so.URL, nil, ""); err != nil {
			return d.transport(StageApp, err)
		}
	}
	d.resetJar()
	acs, _ := url.Parse(d.acsURL)
	switch plan.Delivery {
	case "replay-new-request":
		// A new sign-in is pending when the old response arrives.
		if _, obs := d.startLogin(ctx, plan); obs != nil {
			return *obs
		}
	default:
		// The captured request is sent again as it was, cookies included:
		// what anyone holding a copy of it (a proxy log, a HAR file) can do.
		for _, c := range d.acsCookies {
			d.client.Jar.SetCookies(acs, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/"}})
		}
	}
	return d.postACS(ctx, d.acsURL, d.acsForm)
}

// resetJar gives the browser a fresh cookie jar holding only the scenario
// cookie for the IdP.
func (d *foreignDriver) resetJar() {
	jar, _ := cookiejar.New(nil)
	if u, err := url.Parse(d.x.idp.BaseURL()); err == nil {
		jar.SetCookies(u, []*http.Cookie{{Name: ScenarioCookie, Value: d.token, Path: "/"}})
	}
	d.client.Jar = jar
}

// idpRequest is how the SP sends the browser to the IdP.
type idpRequest struct {
	method string
	url    string
	form   url.Values
}

// startLogin opens the target's sign-in URL and follows the SP's own
// redirects until the browser is sent to the IdP: a redirect (HTTP-Redirect
// binding) or an auto-submitting form (HTTP-POST binding). It records the
// AuthnRequest. A page that sends nowhere is the SP's refusal.
func (d *foreignDriver) startLogin(ctx context.Context, plan Plan) (*idpRequest, *Observation) {
	stop := func(o Observation) (*idpRequest, *Observation) { return nil, &o }
	target := strings.ReplaceAll(d.x.spec.SignIn.URL, "{email}", url.QueryEscape(plan.SignInEmail))
	r, err := d.do(ctx, d.x.spec.SignIn.Method, target, nil, "")
	for hops := 0; ; hops++ {
		if err != nil {
			return stop(d.transport(StageSPSignIn, err))
		}
		if !isRedirect(r.status) {
			break
		}
		loc, perr := r.url.Parse(r.header.Get("Location"))
		if perr != nil {
			return stop(d.stop(StageSPSignIn, "", "bad redirect: "+perr.Error()))
		}
		if loc.Host == d.idpHost {
			d.obs.Evidence.AuthnRequest = decodeAuthnRequest(loc.Query().Get("SAMLRequest"), true)
			return &idpRequest{method: http.MethodGet, url: loc.String()}, nil
		}
		if hops == 10 {
			return stop(d.stop(StageSPSignIn, "", "more than 10 redirects before the IdP"))
		}
		r, err = d.do(ctx, http.MethodGet, loc.String(), nil, "")
	}
	if p, perr := parsePage(r.body); perr == nil {
		if f, ok := p.formWithInput("SAMLRequest"); ok {
			if action, aerr := r.url.Parse(f.Action); aerr == nil && action.Host == d.idpHost {
				vals := url.Values(f.Fields)
				d.obs.Evidence.AuthnRequest = decodeAuthnRequest(vals.Get("SAMLRequest"), false)
				return &idpRequest{method: http.MethodPost, url: action.String(), form: vals}, nil
			}
		}
	}
	return stop(d.refusal(StageSPSignIn, r))
}

// spInitiated is SP sign-in → IdP → ACS → session check.
func (d *foreignDriver) spInitiated(ctx context.Context, plan Plan) Observation {
	req, obs := d.startLogin(ctx, plan)
	if obs != nil {
		return *obs
	}
	var r *reply
	var err error
	if req.method == http.MethodPost {
		r, err = d.follow(ctx, http.MethodPost, req.url, strings.NewReader(req.form.Encode()), "application/x-www-form-urlencoded")
	} else {
		r, err = d.follow(ctx, http.MethodGet, req.url, nil, "")
	}
	if err != nil {
		return d.transport(StageIdPSSO, err)
	}
	return d.atIdP(ctx, plan, r)
}

// tile clicks the scenario app's Okta tile (IdP-initiated).
func (d *foreignDriver) tile(ctx context.Context, plan Plan) Observation {
	r, err := d.follow(ctx, http.MethodGet, d.site.IdPInitiatedURL, nil, "")
	if err != nil {
		return d.transport(StageIdPSSO, err)
	}
	return d.atIdP(ctx, plan, r)
}

// atIdP signs in at the IdP's login form when asked, then delivers the
// IdP's answer: its auto-submitting form to wherever it posts, or an error
// page.
func (d *foreignDriver) atIdP(ctx context.Context, plan Plan, r *reply) Observation {
	if r.url.Host != d.idpHost {
		return d.answered(ctx, r) // the Redirect binding took the browser to the SP
	}
	p, err := parsePage(r.body)
	if err != nil {
		return d.stop(StageIdPLogin, ReasonUnexpectedPage, "unreadable IdP page: "+err.Error())
	}
	if f, ok := p.formByID("form-signin"); ok {
		if r, err = d.submitOktaSignIn(ctx, r, f, plan); err != nil {
			return d.loginFailure(err)
		}
		if r.url.Host != d.idpHost {
			return d.answered(ctx, r)
		}
		if p, err = parsePage(r.body); err != nil {
			return d.stop(StageIdPSSO, ReasonUnexpectedPage, "unreadable IdP page: "+err.Error())
		}
		if _, again := p.formByID("form-signin"); again {
			return d.stop(StageIdPLogin, ReasonIdPLoginFailed, p.title())
		}
	}
	switch p.attrOf("data-okta-error") {
	case "app-not-assigned":
		return d.stop(StageIdPSSO, ReasonIdPAppNotAssigned, p.title())
	case "bad-saml-request":
		return d.stop(StageIdPSSO, ReasonIdPBadRequest, pageText(r.body, 300))
	}
	f, ok := p.formByID("appForm")
	if !ok {
		if r.status == http.StatusNotFound {
			return d.stop(StageIdPSSO, ReasonIdPNotFound, fmt.Sprintf("the IdP has no page at %s", r.url))
		}
		d.obs.Evidence.Page = p.title()
		return d.stop(StageIdPSSO, ReasonUnexpectedPage, fmt.Sprintf("HTTP %d page %q", r.status, p.title()))
	}
	action, err := r.url.Parse(f.Action)
	if err != nil {
		return d.stop(StageIdPSSO, ReasonUnexpectedPage, "bad ACS form action")
	}
	return d.postACS(ctx, action.String(), url.Values(f.Fields))
}

// postACS posts the response form as the browser's auto-submit does,
// remembering it for replays.
func (d *foreignDriver) postACS(ctx context.Context, acs string, vals url.Values) Observation {
	if d.obs.Evidence.SAMLResponse == "" {
		d.obs.Evidence.SAMLResponse = vals.Get("SAMLResponse")
		d.obs.Evidence.RelayState = vals.Get("RelayState")
	}
	if d.acsForm == nil {
		d.acsURL, d.acsForm = acs, vals
		if u, err := url.Parse(acs); err == nil {
			d.acsCookies = d.client.Jar.Cookies(u)
		}
	}
	r, err := d.follow(ctx, http.MethodPost, acs, strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return d.transport(StageACS, err)
	}
	return d.answered(ctx, r)
}

// answered records the SP's answer to the response and asks the oracle.
func (d *foreignDriver) answered(ctx context.Context, r *reply) Observation {
	d.obs.Evidence.SPAnswer = fmt.Sprintf("HTTP %d %s\n%s", r.status, r.url, excerpt(r.body, 4096))
	who, ok, err := d.session(ctx)
	if err != nil {
		return d.transport(StageApp, err)
	}
	if ok {
		d.obs.Session, d.obs.Identity = true, who
		return d.stop(StageApp, "", "")
	}
	return d.refusal(StageACS, r)
}

// refusal records a page that ended the flow at the SP without a session,
// reading its reason with the target's error rules.
func (d *foreignDriver) refusal(stage string, r *reply) Observation {
	if d.obs.Evidence.SPAnswer == "" {
		d.obs.Evidence.SPAnswer = fmt.Sprintf("HTTP %d %s\n%s", r.status, r.url, excerpt(r.body, 4096))
	}
	msg := fmt.Sprintf("HTTP %d at %s", r.status, r.url.Path)
	if t := pageText(r.body, 200); t != "" {
		msg += ": " + t
	}
	return d.stop(stage, d.x.spec.readReason(r.body), msg)
}

// session asks the target's session URL who is signed in.
func (d *foreignDriver) session(ctx context.Context) (string, bool, error) {
	r, err := d.do(ctx, http.MethodGet, d.x.spec.Session.URL, nil, "")
	if err != nil {
		return "", false, err
	}
	if r.status != d.x.spec.Session.Status {
		return "", false, nil
	}
	m := d.x.spec.sessionRE.FindSubmatch(r.body)
	if m == nil {
		return "", false, nil
	}
	if len(m) > 1 {
		return html.UnescapeString(string(m[1])), true, nil
	}
	return "", true, nil
}

// formWithInput returns the first form that has an input of that name.
func (p *page) formWithInput(name string) (*form, bool) {
	n := p.find(func(n *html.Node) bool {
		if n.Data != "form" {
			return false
		}
		sub := &page{root: n}
		return sub.find(func(c *html.Node) bool { v, _ := attr(c, "name"); return c.Data == "input" && v == name }) != nil
	})
	if n == nil {
		return nil, false
	}
	return formOf(n), true
}

// pageText is a page's visible text, whitespace collapsed, at most n
// characters.
func pageText(body []byte, n int) string {
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

// readBounded reads at most maxBody bytes.
func readBounded(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, maxBody))
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
	return excerpt(raw, 8192)
}
