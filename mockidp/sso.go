package mockidp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/samlharness/samlharness/internal/wire"
)

const (
	maxFormBody  = 256 << 10
	homePath     = "/app/UserHome"
	loginPath    = "/login/login.htm"
	signoutPath  = "/login/signout"
	stateTokenQS = "stateToken"
)

// routes wires the IdP's endpoints.
func (idp *IdP) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /app/{exk}/sso/saml/metadata", idp.handleMetadata)
	m.HandleFunc("GET /app/{appName}/{exk}/sso/saml", idp.handleSSO)
	m.HandleFunc("POST /app/{appName}/{exk}/sso/saml", idp.handleSSO)
	m.HandleFunc("GET /home/{appName}/{appID}", idp.handleIdPInitiated)
	m.HandleFunc("GET "+loginPath, idp.handleLoginPage)
	m.HandleFunc("POST "+loginPath, idp.handleLogin)
	m.HandleFunc("GET "+signoutPath, idp.handleSignout)
	m.HandleFunc("GET "+homePath, idp.handleHome)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, homePath, http.StatusFound)
	})
	idp.adminRoutes(m)
	idp.consoleRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		idp.renderError(w, http.StatusNotFound, "404 Not Found", "not-found",
			"The page you are looking for can't be found. Check the URL, or go back to the app and start sign-in again.")
	})
	return m
}

func (idp *IdP) handleMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := idp.Metadata(r.PathValue("exk"))
	if err != nil {
		if ErrorCode(err) == CodeAppNotFound {
			idp.renderError(w, http.StatusNotFound, "404 Not Found", "not-found",
				"There is no app integration with this metadata URL. Copy the metadata URL again from the app's Sign On tab.")
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(md)
}

// currentSession returns the browser's IdP session, if any.
func (idp *IdP) currentSession(r *http.Request) (string, session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", session{}, false
	}
	s, ok := idp.sessions.get(c.Value, idp.now())
	return c.Value, s, ok
}

// toLogin sends the browser to the login page, to come back to fromURI (a
// path with its query).
func (idp *IdP) toLogin(w http.ResponseWriter, r *http.Request, fromURI string) {
	http.Redirect(w, r, loginPath+"?fromURI="+url.QueryEscape(fromURI), http.StatusFound)
}

// appByPath finds the app an SSO or tile URL names, checking the app name.
func (idp *IdP) appByPath(id, name string) (*App, bool) {
	a, err := idp.App(id)
	if err != nil || a.Name != name {
		return nil, false
	}
	return a, true
}

func (idp *IdP) notFoundApp(w http.ResponseWriter) {
	idp.renderError(w, http.StatusNotFound, "404 Not Found", "not-found",
		"There is no app integration at this URL. Copy the Identity Provider Single Sign-On URL again from the app's Sign On tab.")
}

func (idp *IdP) badSAMLRequest(w http.ResponseWriter, err error) {
	d := pageData{Title: "400 Bad Request", ErrorCode: "bad-saml-request", Heading: "400 Bad Request", Message: echo(err.Error())}
	var e *Error
	if errors.As(err, &e) {
		d.Message, d.Reason = e.Message, e.Reason
	}
	idp.render(w, http.StatusBadRequest, "error", d)
}

// handleSSO is the Single Sign-On URL: GET is the HTTP-Redirect binding,
// POST the HTTP-POST binding. A GET without SAMLRequest signs in
// IdP-initiated, as Okta's SSO URL does.
func (idp *IdP) handleSSO(w http.ResponseWriter, r *http.Request) {
	app, ok := idp.appByPath(r.PathValue("exk"), r.PathValue("appName"))
	if !ok {
		idp.notFoundApp(w)
		return
	}
	ssoPath := "/app/" + app.Name + "/" + app.ExternalKey + "/sso/saml"
	var samlRequest, relayState string
	redirect := r.Method == http.MethodGet
	query := r.URL.Query()
	if redirect {
		samlRequest, relayState = query.Get("SAMLRequest"), query.Get("RelayState")
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if err := r.ParseForm(); err != nil {
			idp.badSAMLRequest(w, badRequest(ReasonBadForm, fmt.Sprintf("The form could not be read (%v)", err),
				fmt.Sprintf("POST the AuthnRequest as an application/x-www-form-urlencoded form of at most %d bytes", maxFormBody)))
			return
		}
		samlRequest, relayState = r.PostForm.Get("SAMLRequest"), r.PostForm.Get("RelayState")
		if samlRequest == "" {
			idp.badSAMLRequest(w, badRequest(ReasonMissing, "The POST has no SAMLRequest parameter",
				"Send the AuthnRequest base64-encoded in the SAMLRequest form field"))
			return
		}
	}

	var ar *authnRequest
	var rawRequest []byte
	if samlRequest != "" {
		raw, err := decodeBinding(samlRequest, redirect)
		if err == nil {
			ar, err = parseAuthnRequest(raw)
		}
		if err != nil {
			idp.badSAMLRequest(w, err)
			return
		}
		rawRequest = raw
	}

	sid, sess, ok := idp.currentSession(r)
	if !ok {
		idp.toLogin(w, r, ssoFromURI(ssoPath, r, redirect, rawRequest, relayState, ""))
		return
	}
	if ar != nil && ar.ForceAuthn && app.Settings.honorForceAuthn() {
		tok := query.Get(stateTokenQS)
		if tok == "" || !idp.sessions.consumeForceToken(tok, sid) {
			tok = idp.ids.token()
			idp.sessions.newForceToken(tok, sid, idp.now())
			idp.toLogin(w, r, ssoFromURI(ssoPath, r, redirect, rawRequest, relayState, tok))
			return
		}
	}
	idp.respondToBrowser(w, r, app.ID, sess, ar, relayState)
}

// ssoFromURI is the SSO URL (path and query) to come back to after
// signing in. A POSTed request is carried over as an HTTP-Redirect one.
func ssoFromURI(ssoPath string, r *http.Request, redirect bool, raw []byte, relayState, stateToken string) string {
	q := url.Values{}
	if redirect {
		q = r.URL.Query()
		q.Del(stateTokenQS)
	} else if raw != nil {
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.BestCompression)
		_, _ = fw.Write(raw)
		_ = fw.Close()
		q.Set("SAMLRequest", base64.StdEncoding.EncodeToString(buf.Bytes()))
		if relayState != "" {
			q.Set("RelayState", relayState)
		}
	}
	if stateToken != "" {
		q.Set(stateTokenQS, stateToken)
	}
	if len(q) == 0 {
		return ssoPath
	}
	return ssoPath + "?" + q.Encode()
}

// handleIdPInitiated is the app tile: an unsolicited response with the
// Default RelayState.
func (idp *IdP) handleIdPInitiated(w http.ResponseWriter, r *http.Request) {
	app, ok := idp.appByPath(r.PathValue("appID"), r.PathValue("appName"))
	if !ok || app.ID != r.PathValue("appID") {
		idp.notFoundApp(w)
		return
	}
	_, sess, ok := idp.currentSession(r)
	if !ok {
		idp.toLogin(w, r, r.URL.Path)
		return
	}
	idp.respondToBrowser(w, r, app.ID, sess, nil, "")
}

// respondToBrowser answers a signed-in browser: 403 when the user is not
// assigned the app, else the response, delivered per binding.
func (idp *IdP) respondToBrowser(w http.ResponseWriter, r *http.Request, appID string, sess session, ar *authnRequest, relayState string) {
	in, err := idp.snapshot(appID, sess.userID)
	if err != nil {
		if ErrorCode(err) == CodeAppNotAssigned {
			label := appID
			if a, aerr := idp.App(appID); aerr == nil {
				label = a.Label
			}
			idp.renderError(w, http.StatusForbidden, "403 App Not Assigned", "app-not-assigned",
				"Sorry, you can't access "+label+" because you are not assigned this app in Okta. If you're wondering why this is happening, please contact your administrator.")
			return
		}
		idp.renderError(w, http.StatusInternalServerError, "500 Internal Server Error", "internal", err.Error())
		return
	}
	resp, err := idp.respond(in, ar, relayState, sess.authnInstant, nil)
	if err != nil {
		idp.renderError(w, http.StatusInternalServerError, "500 Internal Server Error", "response-failed", err.Error())
		return
	}
	idp.deliver(w, r, resp)
}

// deliver sends the response to the ACS through the browser: an
// auto-submitting form (HTTP-POST), or a 302 (HTTP-Redirect, when a bind
// fault chose it).
func (idp *IdP) deliver(w http.ResponseWriter, r *http.Request, resp *Response) {
	if resp.Binding == wire.BindingHTTPRedirect {
		http.Redirect(w, r, resp.RedirectURL, http.StatusFound)
		return
	}
	idp.render(w, http.StatusOK, "post", pageData{Title: idp.org + " - Signing in", ACS: resp.ACS, Fields: formFields(resp.Form)})
}

func (idp *IdP) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	from, _ := sameOriginPath(idp.BaseURL(), r.URL.Query().Get("fromURI"))
	idp.render(w, http.StatusOK, "login", pageData{Title: idp.org + " - Sign In", FromURI: from})
}

func (idp *IdP) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		idp.render(w, http.StatusBadRequest, "login", pageData{Title: idp.org + " - Sign In", Error: "Unable to sign in: the form could not be read."})
		return
	}
	login, password, fromURI := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password"), r.PostForm.Get("fromURI")
	idp.mu.RLock()
	rec, err := idp.userLocked(login)
	ok := err == nil && login != "" && rec.checkPassword(password)
	var userID string
	if ok {
		userID = rec.ID
	}
	idp.mu.RUnlock()
	if !ok {
		if len(login) > maxNameLen {
			login = "" // no login is that long: do not echo it
		}
		from, _ := sameOriginPath(idp.BaseURL(), fromURI)
		idp.render(w, http.StatusUnauthorized, "login", pageData{Title: idp.org + " - Sign In", Error: "Unable to sign in", Username: login, FromURI: from})
		return
	}
	sid := idp.ids.sessionID()
	idp.sessions.create(sid, userID, idp.now())
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, idp.safeFromURI(fromURI), http.StatusFound)
}

// safeFromURI keeps fromURI only when it is a path on the IdP (see
// sameOriginPath), so the login page is no open redirect; anything else
// goes to the user's home page.
func (idp *IdP) safeFromURI(from string) string {
	if p, ok := sameOriginPath(idp.BaseURL(), from); ok {
		return p
	}
	return homePath
}

func (idp *IdP) handleSignout(w http.ResponseWriter, r *http.Request) {
	if sid, _, ok := idp.currentSession(r); ok {
		idp.sessions.end(sid)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, loginPath, http.StatusFound)
}

// handleHome is the end-user dashboard: the tiles of the user's apps.
func (idp *IdP) handleHome(w http.ResponseWriter, r *http.Request) {
	_, sess, ok := idp.currentSession(r)
	if !ok {
		idp.toLogin(w, r, homePath)
		return
	}
	idp.mu.RLock()
	rec, ok := idp.users[sess.userID]
	var apps []App
	var login string
	if ok {
		login = rec.Login
		for _, id := range idp.appOrder {
			if a := idp.apps[id]; idp.assignedLocked(a, rec) {
				apps = append(apps, idp.appCopyLocked(a))
			}
		}
	}
	idp.mu.RUnlock()
	if !ok {
		idp.toLogin(w, r, homePath)
		return
	}
	idp.render(w, http.StatusOK, "home", pageData{Title: idp.org + " - My Apps", Login: login, Apps: apps})
}
