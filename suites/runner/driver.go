package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/samlharness/samlharness/suites/htmlpage"
	"github.com/samlharness/samlharness/suites/loopback"
	"github.com/samlharness/samlharness/suites/scenario"
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
	Delivery    scenario.Delivery
	// OtherSignInEmail is typed at the SP's sign-in to start the second
	// workspace's sign-in (scenario.DeliverIntoOtherWorkspace).
	OtherSignInEmail string
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
	// Landed is the last place the browser was sent to: the end of the
	// last redirect chain it followed (after a sign-in, the ACS's answer
	// and the app), or the off-loopback URL the harness refused to visit.
	Landed string `json:"landed,omitempty"`
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

// walk is one browser signing in, through net/http with a cookie jar,
// following redirects one by one so it knows where it is. Its SP side says
// how this SP starts a sign-in and what it does with the response;
// everything between — the IdP's pages, the delivery of the response, the
// replays — is this one walk for every SP.
type walk struct {
	client *http.Client
	site   Site
	sp     spSide
	obs    Observation
	// The first delivery of the response, for replays: where it went, the
	// form, and the cookies the browser sent with it.
	acsURL     string
	acsForm    url.Values
	acsCookies []*http.Cookie
}

// spSide is what differs between SPs in a sign-in.
type spSide interface {
	// start opens the SP's sign-in and follows the SP until it sends the
	// browser to the IdP; a stop before that is the observation.
	start(ctx context.Context, w *walk, plan Plan) (*idpRequest, *Observation)
	// atSP reports whether an answer came from the SP (the Redirect
	// binding took the browser there).
	atSP(u *url.URL) bool
	// answered continues from the SP's answer to the response.
	answered(ctx context.Context, w *walk, r *reply) Observation
	// beforeReplay signs the browser out before a captured response is
	// delivered again.
	beforeReplay(ctx context.Context, w *walk, plan Plan) *Observation
	// acsStage is where a delivery that gets no answer stopped.
	acsStage() string
}

// idpRequest is how the SP sends the browser to the IdP.
type idpRequest struct {
	method string
	url    string
	form   url.Values
}

func newWalk(site Site, sp spSide, jar http.CookieJar, timeout time.Duration) *walk {
	return &walk{site: site, sp: sp, client: loopback.Client(jar, timeout, false)}
}

// run performs the plan: the delivery the scenario names.
func (w *walk) run(ctx context.Context, plan Plan) Observation {
	switch plan.Delivery {
	case scenario.DeliverIdPInitiated:
		return w.tile(ctx, plan)
	case scenario.DeliverUnsolicitedIntoPending:
		if _, obs := w.sp.start(ctx, w, plan); obs != nil {
			return *obs
		}
		return w.tile(ctx, plan)
	case scenario.DeliverIntoOtherWorkspace:
		return w.intoOtherWorkspace(ctx, plan)
	}
	obs := w.spInitiated(ctx, plan)
	if plan.Delivery == scenario.DeliverOnce || !obs.Session || w.acsForm == nil {
		return obs
	}
	// Replays: the first login worked. Sign out and deliver the captured
	// response again.
	w.obs = Observation{Evidence: Evidence{SAMLResponse: obs.Evidence.SAMLResponse, RelayState: obs.Evidence.RelayState, AuthnRequest: obs.Evidence.AuthnRequest}}
	if stop := w.sp.beforeReplay(ctx, w, plan); stop != nil {
		return *stop
	}
	if plan.Delivery == scenario.DeliverReplayNewRequest {
		// A new SP-initiated request replaces the pending one; the old
		// response is posted against it instead of the IdP's new answer.
		if _, obs := w.sp.start(ctx, w, plan); obs != nil {
			return *obs
		}
	}
	return w.deliver(ctx, w.acsURL, w.acsForm)
}

// spInitiated is the setup guide's flow: the SP's sign-in → the IdP → the
// response delivered to the SP.
func (w *walk) spInitiated(ctx context.Context, plan Plan) Observation {
	r, obs := w.toIdP(ctx, plan)
	if obs != nil {
		return *obs
	}
	return w.atIdP(ctx, plan, r)
}

// toIdP starts the SP's sign-in and follows it to the IdP's first page.
func (w *walk) toIdP(ctx context.Context, plan Plan) (*reply, *Observation) {
	req, obs := w.sp.start(ctx, w, plan)
	if obs != nil {
		return nil, obs
	}
	var r *reply
	var err error
	if req.method == http.MethodPost {
		r, err = w.follow(ctx, http.MethodPost, req.url, strings.NewReader(req.form.Encode()), formType)
	} else {
		r, err = w.follow(ctx, http.MethodGet, req.url, nil, "")
	}
	if err != nil {
		o := w.transport(StageIdPSSO, err)
		return nil, &o
	}
	return r, nil
}

// intoOtherWorkspace is a cross-tenant delivery: the plan's sign-in runs up
// to the IdP's response, which is kept unposted; the same browser then
// starts the second workspace's sign-in (same SP, same Redirect URL), whose
// pending request replaces the first in the browser, and the first
// workspace's response is posted into it.
func (w *walk) intoOtherWorkspace(ctx context.Context, plan Plan) Observation {
	if plan.OtherSignInEmail == "" {
		return w.stopAt(StageSPSignIn, ReasonUnexpectedPage, "the target gave no sign-in email for the second workspace")
	}
	r, obs := w.toIdP(ctx, plan)
	if obs != nil {
		return *obs
	}
	acs, form, obs := w.throughIdP(ctx, plan, r)
	if obs != nil {
		return *obs
	}
	other := plan
	other.SignInEmail = plan.OtherSignInEmail
	if _, obs := w.sp.start(ctx, w, other); obs != nil {
		return *obs
	}
	return w.deliver(ctx, acs, form)
}

// tile clicks the app's Okta tile (IdP-initiated).
func (w *walk) tile(ctx context.Context, plan Plan) Observation {
	r, err := w.follow(ctx, http.MethodGet, w.site.IdPInitiatedURL, nil, "")
	if err != nil {
		return w.transport(StageIdPSSO, err)
	}
	return w.atIdP(ctx, plan, r)
}

// atIdP handles Okta's pages and delivers the response to wherever its
// form posts.
func (w *walk) atIdP(ctx context.Context, plan Plan, r *reply) Observation {
	acs, form, obs := w.throughIdP(ctx, plan, r)
	if obs != nil {
		return *obs
	}
	return w.deliver(ctx, acs, form)
}

// throughIdP handles Okta's pages: the sign-in form when asked, then the
// auto-submitting form, whose target and fields it returns unposted. An
// error page, or the Redirect binding taking the browser straight to the
// SP (whose answer it reads), ends the flow with an observation.
func (w *walk) throughIdP(ctx context.Context, plan Plan, r *reply) (string, url.Values, *Observation) {
	stop := func(o Observation) (string, url.Values, *Observation) { return "", nil, &o }
	if w.sp.atSP(r.url) {
		return stop(w.sp.answered(ctx, w, r)) // the Redirect binding took the browser to the SP
	}
	p, err := htmlpage.Parse(r.body)
	if err != nil {
		return stop(w.stopAt(StageIdPLogin, ReasonUnexpectedPage, "unreadable IdP page: "+err.Error()))
	}
	if f, ok := p.FormByID("form-signin"); ok {
		if r, err = w.submitOktaSignIn(ctx, r, f, plan); err != nil {
			return stop(w.loginFailure(err))
		}
		if w.sp.atSP(r.url) {
			return stop(w.sp.answered(ctx, w, r))
		}
		if p, err = htmlpage.Parse(r.body); err != nil {
			return stop(w.stopAt(StageIdPSSO, ReasonUnexpectedPage, "unreadable IdP page: "+err.Error()))
		}
		if _, again := p.FormByID("form-signin"); again {
			return stop(w.stopAt(StageIdPLogin, ReasonIdPLoginFailed, p.Title()))
		}
	}
	switch p.AttrOf("data-okta-error") {
	case "app-not-assigned":
		return stop(w.stopAt(StageIdPSSO, ReasonIdPAppNotAssigned, p.Title()))
	case "bad-saml-request":
		return stop(w.stopAt(StageIdPSSO, ReasonIdPBadRequest, p.Title()))
	}
	f, ok := p.FormByID("appForm")
	if !ok {
		return stop(w.pageStop(StageIdPSSO, r))
	}
	action, err := r.url.Parse(f.Action)
	if err != nil {
		return stop(w.stopAt(StageIdPSSO, ReasonUnexpectedPage, "bad ACS form action"))
	}
	return action.String(), url.Values(f.Fields), nil
}

// errBadFormAction: Okta's sign-in form posts somewhere that is not a URL.
var errBadFormAction = errors.New("bad login form action")

// submitOktaSignIn fills Okta's sign-in form f, found on the page r answered,
// with the plan's credentials, posts it and follows the IdP's redirects.
func (w *walk) submitOktaSignIn(ctx context.Context, r *reply, f *htmlpage.Form, plan Plan) (*reply, error) {
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
	return w.follow(ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()), formType)
}

// loginFailure records why submitting Okta's sign-in form failed.
func (w *walk) loginFailure(err error) Observation {
	if errors.Is(err, errBadFormAction) {
		return w.stopAt(StageIdPLogin, ReasonUnexpectedPage, err.Error())
	}
	return w.transport(StageIdPLogin, err)
}

// deliver posts the response form to the SP as the browser's auto-submit
// does, remembering the first delivery for replays, and continues with the
// SP's answer.
func (w *walk) deliver(ctx context.Context, acs string, vals url.Values) Observation {
	if w.obs.Evidence.SAMLResponse == "" {
		w.obs.Evidence.SAMLResponse = vals.Get("SAMLResponse")
		w.obs.Evidence.RelayState = vals.Get("RelayState")
	}
	if w.acsForm == nil {
		w.acsURL, w.acsForm = acs, vals
		if u, err := url.Parse(acs); err == nil {
			w.acsCookies = w.client.Jar.Cookies(u)
		}
	}
	r, err := w.follow(ctx, http.MethodPost, acs, strings.NewReader(vals.Encode()), formType)
	if err != nil {
		return w.transport(w.sp.acsStage(), err)
	}
	return w.sp.answered(ctx, w, r)
}

const formType = "application/x-www-form-urlencoded"

// reply is one HTTP answer, read within bounds.
type reply struct {
	status int
	url    *url.URL
	header http.Header
	body   []byte
}

func (w *walk) do(ctx context.Context, method, target string, body io.Reader, contentType string) (*reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := ReadBounded(resp.Body)
	if err != nil {
		return nil, err
	}
	return &reply{status: resp.StatusCode, url: req.URL, header: resp.Header, body: b}, nil
}

// follow performs method on target and follows redirects (as GETs) up to a
// bound, returning the final answer. Where the chain ended (or the hop
// the harness refused) is the observation's Landed.
func (w *walk) follow(ctx context.Context, method, target string, body io.Reader, contentType string) (*reply, error) {
	w.obs.Landed = target
	r, err := w.do(ctx, method, target, body, contentType)
	for hops := 0; err == nil && isRedirect(r.status); hops++ {
		if hops == 10 {
			return nil, errors.New("more than 10 redirects")
		}
		loc, perr := r.url.Parse(r.header.Get("Location"))
		if perr != nil {
			return nil, fmt.Errorf("bad redirect Location: %w", perr)
		}
		w.obs.Landed = loc.String()
		r, err = w.do(ctx, http.MethodGet, loc.String(), nil, "")
	}
	return r, err
}

func isRedirect(status int) bool {
	return status == http.StatusFound || status == http.StatusSeeOther ||
		status == http.StatusMovedPermanently || status == http.StatusTemporaryRedirect
}

// stop records where the flow ended and the reason code the SP gave.
func (w *walk) stop(stage, code, message string) Observation {
	w.obs.Stage, w.obs.Reason, w.obs.Message = stage, code, message
	return w.obs
}

// stopAt records where the flow ended for a driver-side reason.
func (w *walk) stopAt(stage string, reason Reason, message string) Observation {
	return w.stop(stage, string(reason), message)
}

// transport records a request that got no answer, or a hop refused because
// it left loopback.
func (w *walk) transport(stage string, err error) Observation {
	if loopback.IsNotLoopback(err) {
		return w.stopAt(stage, ReasonNotLoopback, err.Error())
	}
	return w.stopAt(stage, ReasonTransport, err.Error())
}

// pageStop records a page that ended the flow, reading its error code.
func (w *walk) pageStop(stage string, r *reply) Observation {
	p, err := htmlpage.Parse(r.body)
	if err != nil {
		return w.stopAt(stage, ReasonUnexpectedPage, fmt.Sprintf("HTTP %d, unreadable page", r.status))
	}
	w.obs.Evidence.Page = p.Title()
	if code := p.AttrOf("data-error-code"); code != "" {
		msg := ""
		if n := p.WithAttr("data-error-code"); n != nil {
			msg = strings.Join(strings.Fields(htmlpage.Text(n)), " ")
		}
		return w.stop(stage, code, msg)
	}
	if r.status == http.StatusNotFound {
		if stage == StageIdPSSO || stage == StageIdPLogin {
			return w.stopAt(stage, ReasonIdPNotFound, fmt.Sprintf("the IdP has no page at %s", r.url.Path))
		}
		return w.stopAt(stage, ReasonNotFound, fmt.Sprintf("the SP has no page at %s", r.url.Path))
	}
	return w.stopAt(stage, ReasonUnexpectedPage, fmt.Sprintf("HTTP %d page %q", r.status, p.Title()))
}

// Excerpt is at most n bytes of b, marked when cut.
func Excerpt(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// ReadBounded reads at most maxBody bytes.
func ReadBounded(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, maxBody))
}

func mustHost(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Host
}
