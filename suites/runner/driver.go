package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// Stages of a sign-in, where the driver records that the flow stopped.
const (
	StageSPSignIn  = "sp-sign-in"    // the SP's /app/sign-in page
	StageIdPLogin  = "idp-login"     // Okta's sign-in page
	StageIdPSSO    = "idp-sso"       // Okta's SSO endpoint (403 / 400 pages)
	StageHandler   = "sp-handler"    // the Redirect URL page
	StageSignIn    = "signInWithIdp" // accounts:signInWithIdp
	StageSession   = "session"       // the workspace session step
	StageApp       = "app"           // the signed-in app
	StageTransport = "transport"     // the target did not answer
)

// Driver-side reason codes: the flow stopped before the SP gave one.
const (
	ReasonIdPAppNotAssigned = "IDP_APP_NOT_ASSIGNED"
	ReasonIdPBadRequest     = "IDP_BAD_REQUEST"
	ReasonIdPLoginFailed    = "IDP_LOGIN_FAILED"
	ReasonIdPNotFound       = "IDP_NOT_FOUND" // the IdP answered 404
	ReasonNotFound          = "NOT_FOUND"     // the SP answered 404
	ReasonUnexpectedPage    = "UNEXPECTED_PAGE"
	ReasonTransport         = "TRANSPORT_ERROR"
	ReasonNoSession         = "NO_SESSION"
)

// maxBody bounds what the driver reads of any answer, so a misbehaving SP
// cannot make the runner use unbounded memory.
const maxBody = 16 << 20

// Site is what the driver needs to know to sign a user in at a target.
type Site struct {
	// SPBase is the SP's base URL.
	SPBase string
	// IdPInitiatedURL is the Okta tile's URL for the app.
	IdPInitiatedURL string
}

// SignInURL is the SP-initiated sign-in URL of the setup guide.
func (s Site) SignInURL(email string) string {
	u := s.SPBase + "/app/sign-in?use_sso=true"
	if email != "" {
		u += "&email=" + url.QueryEscape(email)
	}
	return u
}

// Plan is one sign-in the driver performs.
type Plan struct {
	Username    string // Okta username
	Password    string
	SignInEmail string // typed at the SP
	Delivery    string // scenario.Delivery value
}

// Observation is what a user would have seen.
type Observation struct {
	// Session is true when the app shows a signed-in user.
	Session bool `json:"session"`
	// Identity is the email the app shows as signed in.
	Identity string `json:"identity,omitempty"`
	// Reason is the reason code the flow stopped with (the SP's, or the
	// driver's when it stopped before the SP).
	Reason string `json:"reason,omitempty"`
	// Message is the error message the user or the network tab shows.
	Message string `json:"message,omitempty"`
	// Stage is where the flow stopped (or "app" on success).
	Stage string `json:"stage"`
	// Evidence holds what a support engineer would look at.
	Evidence Evidence `json:"evidence"`
}

// Evidence is the raw material behind a verdict.
type Evidence struct {
	SAMLResponse  string `json:"samlResponse,omitempty"`
	RelayState    string `json:"relayState,omitempty"`
	SignInWithIdp string `json:"signInWithIdp,omitempty"` // the API's answer body
	Page          string `json:"page,omitempty"`          // title or excerpt of the page where it stopped
	// AuthnRequest is the SP's AuthnRequest as the harness read it (foreign
	// targets), and SPAnswer the SP's answer to the response: status line
	// and an excerpt of the page it ended on.
	AuthnRequest string `json:"authnRequest,omitempty"`
	SPAnswer     string `json:"spAnswer,omitempty"`
}

// driver signs in through net/http with a cookie jar, following redirects one
// by one so it knows where it is.
type driver struct {
	client *http.Client
	site   Site
	obs    Observation
	acs    string // where the IdP posted, for replays
}

func newDriver(site Site, timeout time.Duration) *driver {
	jar, _ := cookiejar.New(nil)
	return &driver{
		site: site,
		client: &http.Client{
			Jar:     jar,
			Timeout: timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
}

// reply is one HTTP answer, read within bounds.
type reply struct {
	status int
	url    *url.URL
	header http.Header
	body   []byte
}

func (d *driver) do(ctx context.Context, method, target string, body io.Reader, contentType string) (*reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	return &reply{status: resp.StatusCode, url: req.URL, header: resp.Header, body: b}, nil
}

// follow performs method on target and follows redirects (as GETs) up to a
// bound, returning the final answer.
func (d *driver) follow(ctx context.Context, method, target string, body io.Reader, contentType string) (*reply, error) {
	r, err := d.do(ctx, method, target, body, contentType)
	for hops := 0; err == nil && isRedirect(r.status); hops++ {
		if hops == 10 {
			return nil, errors.New("more than 10 redirects")
		}
		loc, perr := r.url.Parse(r.header.Get("Location"))
		if perr != nil {
			return nil, fmt.Errorf("bad redirect Location: %w", perr)
		}
		r, err = d.do(ctx, http.MethodGet, loc.String(), nil, "")
	}
	return r, err
}

func isRedirect(status int) bool {
	return status == http.StatusFound || status == http.StatusSeeOther ||
		status == http.StatusMovedPermanently || status == http.StatusTemporaryRedirect
}

// stop records where and why the flow ended.
func (d *driver) stop(stage, reason, message string) Observation {
	d.obs.Stage, d.obs.Reason, d.obs.Message = stage, reason, message
	return d.obs
}

func (d *driver) transport(stage string, err error) Observation {
	return d.stop(stage, ReasonTransport, err.Error())
}

// SignIn performs the plan and reports what the user saw.
func SignIn(ctx context.Context, site Site, plan Plan, timeout time.Duration) Observation {
	d := newDriver(site, timeout)
	switch plan.Delivery {
	case "idp-initiated":
		return d.idpInitiated(ctx, plan, false)
	case "unsolicited-into-pending":
		return d.idpInitiated(ctx, plan, true)
	}
	obs := d.spInitiated(ctx, plan)
	if plan.Delivery == "" || !obs.Session {
		return obs
	}
	// Replays: the first login worked; sign out and deliver the captured
	// response again.
	captured := url.Values{"SAMLResponse": {obs.Evidence.SAMLResponse}}
	if obs.Evidence.RelayState != "" {
		captured.Set("RelayState", obs.Evidence.RelayState)
	}
	acs := d.acs
	d.obs = Observation{}
	if _, err := d.do(ctx, http.MethodPost, site.SPBase+"/app/sign-out", nil, ""); err != nil {
		return d.transport(StageApp, err)
	}
	if plan.Delivery == "replay-new-request" {
		// A new SP-initiated request replaces the pending one; the old
		// response is posted against it instead of the IdP's new answer.
		if _, err := d.do(ctx, http.MethodGet, site.SignInURL(plan.SignInEmail), nil, ""); err != nil {
			return d.transport(StageSPSignIn, err)
		}
	}
	return d.deliver(ctx, acs, captured)
}

// spInitiated is the setup guide's flow: SP sign-in page → Okta → handler →
// signInWithIdp → session → app.
func (d *driver) spInitiated(ctx context.Context, plan Plan) Observation {
	r, err := d.do(ctx, http.MethodGet, d.site.SignInURL(plan.SignInEmail), nil, "")
	if err != nil {
		return d.transport(StageSPSignIn, err)
	}
	if !isRedirect(r.status) {
		return d.pageStop(StageSPSignIn, r)
	}
	loc, err := r.url.Parse(r.header.Get("Location"))
	if err != nil {
		return d.stop(StageSPSignIn, ReasonUnexpectedPage, "bad redirect to the IdP: "+err.Error())
	}
	r, err = d.follow(ctx, http.MethodGet, loc.String(), nil, "")
	if err != nil {
		return d.transport(StageIdPSSO, err)
	}
	return d.atIdP(ctx, plan, r)
}

// idpInitiated clicks the Okta tile, optionally after starting an
// SP-initiated sign-in that is left pending.
func (d *driver) idpInitiated(ctx context.Context, plan Plan, pending bool) Observation {
	if pending {
		if _, err := d.do(ctx, http.MethodGet, d.site.SignInURL(plan.SignInEmail), nil, ""); err != nil {
			return d.transport(StageSPSignIn, err)
		}
	}
	r, err := d.follow(ctx, http.MethodGet, d.site.IdPInitiatedURL, nil, "")
	if err != nil {
		return d.transport(StageIdPSSO, err)
	}
	return d.atIdP(ctx, plan, r)
}

// atIdP handles Okta's pages: the sign-in form, then the auto-submit form or
// an error page.
func (d *driver) atIdP(ctx context.Context, plan Plan, r *reply) Observation {
	p, err := parsePage(r.body)
	if err != nil {
		return d.stop(StageIdPLogin, ReasonUnexpectedPage, "unreadable IdP page: "+err.Error())
	}
	if f, ok := p.formByID("form-signin"); ok {
		if r, err = d.submitOktaSignIn(ctx, r, f, plan); err != nil {
			return d.loginFailure(err)
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
		return d.stop(StageIdPSSO, ReasonIdPBadRequest, p.title())
	}
	// The response may come on the Redirect binding: a 302 straight to the
	// SP's handler was followed into the handler page.
	if r.url.Host == mustHost(d.site.SPBase) {
		return d.atHandler(ctx, r)
	}
	f, ok := p.formByID("appForm")
	if !ok {
		return d.pageStop(StageIdPSSO, r)
	}
	action, err := r.url.Parse(f.Action)
	if err != nil {
		return d.stop(StageIdPSSO, ReasonUnexpectedPage, "bad ACS form action")
	}
	vals := url.Values(f.Fields)
	d.obs.Evidence.SAMLResponse = vals.Get("SAMLResponse")
	d.obs.Evidence.RelayState = vals.Get("RelayState")
	d.acs = action.String()
	return d.deliver(ctx, action.String(), vals)
}

// errBadFormAction: Okta's sign-in form posts somewhere that is not a URL.
var errBadFormAction = errors.New("bad login form action")

// submitOktaSignIn fills Okta's sign-in form f, found on the page r answered,
// with the plan's credentials, posts it and follows the IdP's redirects.
func (d *driver) submitOktaSignIn(ctx context.Context, r *reply, f *form, plan Plan) (*reply, error) {
	vals := url.Values{}
	for k, v := range f.Fields {
		vals[k] = v
	}
	vals.Set("username", plan.Username)
	vals.Set("password", plan.Password)
	action, err := r.url.Parse(f.Action)
	if err != nil {
		return nil, errBadFormAction
	}
	return d.follow(ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded")
}

// loginFailure records why submitting Okta's sign-in form failed.
func (d *driver) loginFailure(err error) Observation {
	if errors.Is(err, errBadFormAction) {
		return d.stop(StageIdPLogin, ReasonUnexpectedPage, err.Error())
	}
	return d.transport(StageIdPLogin, err)
}

func mustHost(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Host
}

// deliver posts the form to the SP's Redirect URL, as the browser's
// auto-submit does, and continues from the handler page.
func (d *driver) deliver(ctx context.Context, acs string, vals url.Values) Observation {
	if d.obs.Evidence.SAMLResponse == "" {
		d.obs.Evidence.SAMLResponse = vals.Get("SAMLResponse")
		d.obs.Evidence.RelayState = vals.Get("RelayState")
	}
	r, err := d.follow(ctx, http.MethodPost, acs, strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return d.transport(StageHandler, err)
	}
	return d.atHandler(ctx, r)
}

// handlerState is what the handler page hands its script.
type handlerState struct {
	RequestURI string `json:"requestUri"`
	PostBody   string `json:"postBody"`
	SessionID  string `json:"sessionId"`
}

// apiError is Identity Platform's error envelope with the harness's reason.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Harness struct {
			Reason string `json:"reason"`
			Detail string `json:"detail"`
		} `json:"harness"`
	} `json:"error"`
}

// atHandler does what the handler page's script does: call
// accounts:signInWithIdp, then the workspace session endpoint, then open
// the app.
func (d *driver) atHandler(ctx context.Context, r *reply) Observation {
	p, err := parsePage(r.body)
	if err != nil {
		return d.stop(StageHandler, ReasonUnexpectedPage, "unreadable handler page: "+err.Error())
	}
	script := p.byID("gip-handler-state")
	if script == nil {
		return d.pageStop(StageHandler, r)
	}
	var st handlerState
	if err := json.Unmarshal([]byte(text(script)), &st); err != nil {
		return d.stop(StageHandler, ReasonUnexpectedPage, "handler state is not JSON: "+err.Error())
	}
	body, _ := json.Marshal(map[string]any{
		"requestUri": st.RequestURI, "postBody": st.PostBody, "sessionId": st.SessionID,
		"returnSecureToken": true, "returnIdpCredential": true,
	})
	api, err := d.do(ctx, http.MethodPost, d.site.SPBase+"/v1/accounts:signInWithIdp", bytes.NewReader(body), "application/json")
	if err != nil {
		return d.transport(StageSignIn, err)
	}
	d.obs.Evidence.SignInWithIdp = excerpt(api.body, 4096)
	if api.status != http.StatusOK {
		return d.apiStop(StageSignIn, api)
	}
	var ok struct {
		IDToken string `json:"idToken"`
	}
	if err := json.Unmarshal(api.body, &ok); err != nil || ok.IDToken == "" {
		return d.stop(StageSignIn, ReasonUnexpectedPage, "signInWithIdp answered 200 without an idToken")
	}
	body, _ = json.Marshal(map[string]string{"idToken": ok.IDToken})
	sess, err := d.do(ctx, http.MethodPost, d.site.SPBase+"/app/api/session", bytes.NewReader(body), "application/json")
	if err != nil {
		return d.transport(StageSession, err)
	}
	if sess.status != http.StatusOK {
		return d.apiStop(StageSession, sess)
	}
	return d.atApp(ctx)
}

// atApp opens the app the way a user would and reads who is signed in.
func (d *driver) atApp(ctx context.Context) Observation {
	r, err := d.do(ctx, http.MethodGet, d.site.SPBase+"/app", nil, "")
	if err != nil {
		return d.transport(StageApp, err)
	}
	if r.status != http.StatusOK {
		return d.stop(StageApp, ReasonNoSession, fmt.Sprintf("the app answered %d instead of the signed-in page", r.status))
	}
	p, err := parsePage(r.body)
	if err != nil {
		return d.stop(StageApp, ReasonUnexpectedPage, "unreadable app page: "+err.Error())
	}
	email := p.attrOf("data-signed-in-email")
	if email == "" {
		return d.stop(StageApp, ReasonNoSession, "the app shows no signed-in user")
	}
	d.obs.Session, d.obs.Identity = true, email
	return d.stop(StageApp, "", "")
}

// apiStop records an API error envelope.
func (d *driver) apiStop(stage string, r *reply) Observation {
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Message == "" {
		return d.stop(stage, ReasonUnexpectedPage, fmt.Sprintf("HTTP %d without an error envelope: %s", r.status, excerpt(r.body, 200)))
	}
	return d.stop(stage, e.Error.Harness.Reason, e.Error.Message)
}

// pageStop records a page that ended the flow, reading its error code.
func (d *driver) pageStop(stage string, r *reply) Observation {
	p, err := parsePage(r.body)
	if err != nil {
		return d.stop(stage, ReasonUnexpectedPage, fmt.Sprintf("HTTP %d, unreadable page", r.status))
	}
	d.obs.Evidence.Page = p.title()
	if code := p.attrOf("data-error-code"); code != "" {
		msg := ""
		if n := p.withAttr("data-error-code"); n != nil {
			msg = strings.Join(strings.Fields(text(n)), " ")
		}
		return d.stop(stage, code, msg)
	}
	if r.status == http.StatusNotFound {
		if stage == StageIdPSSO || stage == StageIdPLogin {
			return d.stop(stage, ReasonIdPNotFound, fmt.Sprintf("the IdP has no page at %s", r.url.Path))
		}
		return d.stop(stage, ReasonNotFound, fmt.Sprintf("the SP has no page at %s", r.url.Path))
	}
	return d.stop(stage, ReasonUnexpectedPage, fmt.Sprintf("HTTP %d page %q", r.status, p.title()))
}

func excerpt(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
