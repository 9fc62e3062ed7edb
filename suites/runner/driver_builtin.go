package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"

	"github.com/samlharness/samlharness/suites/htmlpage"
)

// SignIn performs the plan against the built-in workspace SP at site and
// reports what the user saw.
func SignIn(ctx context.Context, site Site, plan Plan, timeout time.Duration) Observation {
	jar, _ := cookiejar.New(nil)
	w := newWalk(site, workspaceSP{host: mustHost(site.SPBase)}, jar, timeout)
	return w.run(ctx, plan)
}

// workspaceSP is the built-in SP's side of a sign-in: its sign-in page
// redirects to the IdP, and its Redirect URL page hands the response to
// accounts:signInWithIdp, whose ID token opens a workspace session.
type workspaceSP struct {
	host string
}

func (s workspaceSP) atSP(u *url.URL) bool { return u.Host == s.host }

func (workspaceSP) acsStage() string { return StageHandler }

// start opens the sign-in URL of the setup guide; its redirect goes to the
// IdP, any other answer is the SP's refusal.
func (workspaceSP) start(ctx context.Context, w *walk, plan Plan) (*idpRequest, *Observation) {
	stop := func(o Observation) (*idpRequest, *Observation) { return nil, &o }
	r, err := w.do(ctx, http.MethodGet, w.site.SignInURL(plan.SignInEmail), nil, "")
	if err != nil {
		return stop(w.transport(StageSPSignIn, err))
	}
	if !isRedirect(r.status) {
		return stop(w.pageStop(StageSPSignIn, r))
	}
	loc, err := r.url.Parse(r.header.Get("Location"))
	if err != nil {
		return stop(w.stopAt(StageSPSignIn, ReasonUnexpectedPage, "bad redirect to the IdP: "+err.Error()))
	}
	return &idpRequest{method: http.MethodGet, url: loc.String()}, nil
}

// beforeReplay signs out in the same browser.
func (workspaceSP) beforeReplay(ctx context.Context, w *walk, _ Plan) *Observation {
	if _, err := w.do(ctx, http.MethodPost, w.site.SPBase+"/app/sign-out", nil, ""); err != nil {
		o := w.transport(StageApp, err)
		return &o
	}
	return nil
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

// answered does what the handler page's script does: call
// accounts:signInWithIdp, then the workspace session endpoint, then open
// the app.
func (workspaceSP) answered(ctx context.Context, w *walk, r *reply) Observation {
	p, err := htmlpage.Parse(r.body)
	if err != nil {
		return w.stopAt(StageHandler, ReasonUnexpectedPage, "unreadable handler page: "+err.Error())
	}
	script := p.ByID("gip-handler-state")
	if script == nil {
		return w.pageStop(StageHandler, r)
	}
	var st handlerState
	if err := json.Unmarshal([]byte(htmlpage.Text(script)), &st); err != nil {
		return w.stopAt(StageHandler, ReasonUnexpectedPage, "handler state is not JSON: "+err.Error())
	}
	body, _ := json.Marshal(map[string]any{
		"requestUri": st.RequestURI, "postBody": st.PostBody, "sessionId": st.SessionID,
		"returnSecureToken": true, "returnIdpCredential": true,
	})
	api, err := w.do(ctx, http.MethodPost, w.site.SPBase+"/v1/accounts:signInWithIdp", bytes.NewReader(body), "application/json")
	if err != nil {
		return w.transport(StageSignIn, err)
	}
	w.obs.Evidence.SignInWithIdp = Excerpt(api.body, 4096)
	if api.status != http.StatusOK {
		return apiStop(w, StageSignIn, api)
	}
	var ok struct {
		IDToken string `json:"idToken"`
	}
	if err := json.Unmarshal(api.body, &ok); err != nil || ok.IDToken == "" {
		return w.stopAt(StageSignIn, ReasonUnexpectedPage, "signInWithIdp answered 200 without an idToken")
	}
	body, _ = json.Marshal(map[string]string{"idToken": ok.IDToken})
	sess, err := w.do(ctx, http.MethodPost, w.site.SPBase+"/app/api/session", bytes.NewReader(body), "application/json")
	if err != nil {
		return w.transport(StageSession, err)
	}
	if sess.status != http.StatusOK {
		return apiStop(w, StageSession, sess)
	}
	return atApp(ctx, w)
}

// atApp opens the app the way a user would — the handler page's script
// goes to /app, whatever the RelayState says — follows where the app sends
// the browser (Observation.Landed) and reads who is signed in.
func atApp(ctx context.Context, w *walk) Observation {
	r, err := w.follow(ctx, http.MethodGet, w.site.SPBase+"/app", nil, "")
	if err != nil {
		return w.transport(StageApp, err)
	}
	if r.status != http.StatusOK {
		return w.stopAt(StageApp, ReasonNoSession, fmt.Sprintf("the app answered %d instead of the signed-in page", r.status))
	}
	p, err := htmlpage.Parse(r.body)
	if err != nil {
		return w.stopAt(StageApp, ReasonUnexpectedPage, "unreadable app page: "+err.Error())
	}
	email := p.AttrOf("data-signed-in-email")
	if email == "" {
		return w.stopAt(StageApp, ReasonNoSession, "the app shows no signed-in user")
	}
	w.obs.Session, w.obs.Identity = true, email
	return w.stop(StageApp, "", "")
}

// apiStop records an API error envelope.
func apiStop(w *walk, stage string, r *reply) Observation {
	var e apiError
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Message == "" {
		return w.stopAt(stage, ReasonUnexpectedPage, fmt.Sprintf("HTTP %d without an error envelope: %s", r.status, Excerpt(r.body, 200)))
	}
	return w.stop(stage, e.Error.Harness.Reason, e.Error.Message)
}
