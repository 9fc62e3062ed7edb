package peerkit

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/scenario"
)

// Library is one SAML library's side of a peer SP.
type Library interface {
	// ServeHTTP serves the library's SAML endpoints (PathACS,
	// PathMetadata).
	http.Handler
	// StartLogin sends the browser to the IdP with an AuthnRequest, to come
	// back to PathApp.
	StartLogin(w http.ResponseWriter, r *http.Request)
	// Identity returns the NameID of r's session, if it has one.
	Identity(r *http.Request) (string, bool)
	// SignOut ends r's session.
	SignOut(w http.ResponseWriter, r *http.Request)
}

// Builder makes a library's SP for cfg, trusting certs. The shell calls it
// again whenever the harness changes the IdP configuration.
type Builder func(cfg Config, certs []*x509.Certificate) (Library, error)

// app is the shell around a Library.
type app struct {
	build Builder

	mu      sync.RWMutex
	cfg     Config
	lib     Library
	enabled bool
}

// New returns a peer SP: the shell's pages around the library build makes.
func New(cfg Config, build Builder) (http.Handler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	certs, err := ParseCertificates(cfg.IdP.Certificates)
	if err != nil {
		return nil, fmt.Errorf("peer: IdP certificates: %w", err)
	}
	lib, err := build(cfg, certs)
	if err != nil {
		return nil, err
	}
	return &app{build: build, cfg: cfg, lib: lib, enabled: true}, nil
}

func (a *app) current() (Config, Library, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.cfg, a.lib, a.enabled
}

// ServeHTTP implements http.Handler.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cfg, lib, enabled := a.current()
	switch {
	case r.URL.Path == PathApp && r.Method == http.MethodGet:
		if who, ok := lib.Identity(r); ok {
			a.signedIn(w, cfg, who)
			return
		}
		if !enabled {
			page(w, http.StatusForbidden, "Single sign-on is disabled", `<p id="error" data-reason="`+string(sp.ReasonProviderDisabled)+`">Single sign-on is disabled for this app.</p>`)
			return
		}
		if email := r.URL.Query().Get("email"); email != "" && policy(cfg.Domains, email) != "" {
			page(w, http.StatusForbidden, "Single sign-on is not set up",
				`<p id="error" data-reason="`+string(sp.ReasonSSONotConfigured)+`">No single sign-on is set up for `+html.EscapeString(email)+`.</p>`)
			return
		}
		lib.StartLogin(w, r)
	case r.URL.Path == PathWhoAmI && r.Method == http.MethodGet:
		who, ok := lib.Identity(r)
		if !ok {
			page(w, http.StatusUnauthorized, "Not signed in", `<p id="who">not signed in</p>`)
			return
		}
		a.signedIn(w, cfg, who)
	case r.URL.Path == PathSignOut && r.Method == http.MethodPost:
		lib.SignOut(w, r)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	case r.URL.Path == PathConfig && cfg.ConfigHook:
		a.configure(w, r)
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		page(w, http.StatusOK, "Peer SP", `<p><a href="`+PathApp+`">Sign in with SSO</a></p>`)
	case r.URL.Path == PathACS && !enabled:
		page(w, http.StatusForbidden, "Single sign-on is disabled", `<p id="error" data-reason="`+string(sp.ReasonProviderDisabled)+`">Single sign-on is disabled for this app.</p>`)
	case r.URL.Path == PathACS || r.URL.Path == PathMetadata:
		// Only the ACS and the metadata reach the library; any other path
		// (a misconfigured ACS URL) gets the shell's NOT_FOUND page.
		lib.ServeHTTP(w, r)
	default:
		page(w, http.StatusNotFound, "Not found", `<p id="error" data-reason="`+string(scenario.ReasonNotFound)+`">There is no page at `+html.EscapeString(r.URL.Path)+`.</p>`)
	}
}

// signedIn applies the app's policy to the session's NameID: around
// whitespace dropped (the IdP's XML layout, not the user's name), it must
// be an email on an allowed domain.
func (a *app) signedIn(w http.ResponseWriter, cfg Config, who string) {
	who = strings.TrimSpace(who)
	if reason := policy(cfg.Domains, who); reason != "" {
		page(w, http.StatusForbidden, "Access denied",
			fmt.Sprintf(`<p id="error" data-reason="%s">%s may not use this app.</p>`, reason, html.EscapeString(who)))
		return
	}
	page(w, http.StatusOK, "Signed in", fmt.Sprintf(`<p id="who">signed in as %s</p>`, html.EscapeString(who)))
}

// policy returns why an identity may not use the app, or "".
func policy(domains []string, who string) string {
	if strings.TrimSpace(who) == "" {
		return string(sp.ReasonNameIDMissing)
	}
	at := strings.LastIndexByte(who, '@')
	if at <= 0 || at == len(who)-1 || strings.Count(who, "@") != 1 || strings.ContainsAny(who, " \t\r\n<>") || strings.IndexFunc(who, invisible) >= 0 {
		return string(sp.ReasonNameIDNotEmail)
	}
	domain := who[at+1:]
	for _, d := range domains {
		if strings.EqualFold(d, domain) {
			return ""
		}
	}
	return string(sp.ReasonDomainNotAllowed)
}

// invisible reports a character an email address never shows: a control,
// a format character (zero-width space, joiner, direction mark) or any
// other that does not print. An identity carrying one looks like another
// user's on every page.
func invisible(r rune) bool {
	return !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r)
}

// ReasonError is a peer's own refusal of a configuration (from its
// Builder), with the reason code its page carries.
type ReasonError struct {
	Reason string
	Err    error
}

func (e ReasonError) Error() string { return e.Err.Error() }
func (e ReasonError) Unwrap() error { return e.Err }

// configChange is runner.SPConfigChange, the harness's configuration hook
// body.
type configChange struct {
	IdentityProviderEntityID  string   `json:"identityProviderEntityId"`
	IdentityProviderSignInURL string   `json:"identityProviderSignInUrl"`
	Certificates              []string `json:"certificates"`
	Domains                   []string `json:"domains"`
	Enabled                   bool     `json:"enabled"`
}

// configure replaces the IdP configuration, refusing what an admin UI
// would refuse (a certificate that does not parse).
func (a *app) configure(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "PUT a configuration", http.StatusMethodNotAllowed)
		return
	}
	var c configChange
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		page(w, http.StatusBadRequest, "Bad configuration", `<p id="error" data-reason="BAD_CONFIG">`+html.EscapeString(err.Error())+`</p>`)
		return
	}
	certs, err := ParseCertificates(c.Certificates)
	if err != nil {
		page(w, http.StatusUnprocessableEntity, "Certificate refused", `<p id="error" data-reason="`+string(sp.ReasonCertParse)+`">`+html.EscapeString(err.Error())+`</p>`)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cfg := a.cfg
	cfg.IdP = IdPSettings{EntityID: c.IdentityProviderEntityID, SSOURL: c.IdentityProviderSignInURL, Certificates: c.Certificates}
	cfg.Domains = c.Domains
	lib, err := a.build(cfg, certs)
	if err != nil {
		reason := ""
		var re ReasonError
		if errors.As(err, &re) {
			reason = ` data-reason="` + html.EscapeString(re.Reason) + `"`
		}
		page(w, http.StatusUnprocessableEntity, "Configuration refused", `<p id="error"`+reason+`>`+html.EscapeString(err.Error())+`</p>`)
		return
	}
	a.cfg, a.lib, a.enabled = cfg, lib, c.Enabled
	w.WriteHeader(http.StatusNoContent)
}

// page writes a small HTML page.
func page(w http.ResponseWriter, status int, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>%s</body></html>\n",
		html.EscapeString(title), html.EscapeString(title), body)
}

// ErrorPage writes the page a peer shows when its library refused a
// response: the library's own error text, as an integrator shows or logs
// it, which the library's error preset (package presets) reads.
func ErrorPage(w http.ResponseWriter, err error) {
	page(w, http.StatusForbidden, "Sign-in failed", `<p id="error">`+html.EscapeString(err.Error())+`</p>`)
}

// Refuse writes the page a peer shows when the application itself (the
// shell, or a peer's own check around its library) refused a request: its
// reason code in a data-reason attribute, which ReasonPattern reads, and
// the text.
func Refuse(w http.ResponseWriter, status int, reason, text string) {
	page(w, status, "Sign-in failed", `<p id="error" data-reason="`+html.EscapeString(reason)+`">`+html.EscapeString(text)+`</p>`)
}

// ReasonPattern reads the reason code the application's own refusal pages
// carry (errors.pattern in a target file).
const ReasonPattern = `data-reason="([A-Z][A-Z_]*)"`
