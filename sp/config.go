package sp

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Profile selects how closely a workspace's SSO reproduces Identity Platform.
type Profile string

const (
	// ProfileIdentityPlatform models Identity Platform. Recorded (public
	// recordings of production, see each step's Rule and ReasonTable's
	// MessageSource): the checks and messages for signatures, status,
	// Destination, issuers, audience, time bounds and InResponseTo, that it
	// does not check Recipient and accepts an expired IdP certificate.
	// Assumed (not recorded): its answers to malformed, hostile or
	// unusually shaped XML, encrypted assertions, signature shapes, other
	// versions, RSA-SHA1, and whether its time bounds are exact. Identity
	// is read only from the verified assertion. It is the default.
	ProfileIdentityPlatform Profile = "identity-platform"
	// ProfileStrict also enforces everything the SAML specifications and the
	// attack catalogue require (§5–§8): one Assertion, signature shape and
	// algorithm policy, Recipient, bearer confirmation, Version, unknown
	// conditions, certificate validity, KeyInfo pinning.
	ProfileStrict Profile = "strict"
)

// String returns the profile's name.
func (p Profile) String() string { return string(p) }

// AllProfiles returns every profile, default first.
func AllProfiles() []Profile { return []Profile{ProfileIdentityPlatform, ProfileStrict} }

// ParseProfile accepts a profile name; "" means the default.
func ParseProfile(s string) (Profile, error) {
	switch Profile(strings.TrimSpace(s)) {
	case "", ProfileIdentityPlatform:
		return ProfileIdentityPlatform, nil
	case ProfileStrict:
		return ProfileStrict, nil
	}
	return "", fmt.Errorf("unknown profile %q: use %q or %q", s, ProfileIdentityPlatform, ProfileStrict)
}

// Defaults of Config.
const (
	DefaultMaxResponseBytes = 1 << 20
	DefaultPendingTTL       = time.Hour
	// DefaultSessionIdleTimeout ends a workspace session nobody used for
	// this long; DefaultSessionMaxAge ends any session this long after
	// sign-in.
	DefaultSessionIdleTimeout = 8 * time.Hour
	DefaultSessionMaxAge      = 24 * time.Hour
	// DefaultMaxSessions, DefaultMaxPending and DefaultMaxIDTokens cap the
	// state clients can make the SP keep; at the cap the oldest entry is
	// evicted. Ten thousand of each is a few MiB.
	DefaultMaxSessions = 10000
	DefaultMaxPending  = 10000
	DefaultMaxIDTokens = 10000
	// MaxXMLDepth is the deepest element nesting a SAMLResponse may have
	// (an Okta response nests 8 deep).
	MaxXMLDepth = 64
	// MaxXMLElements is the most elements a SAMLResponse may contain.
	MaxXMLElements = 10000
)

// Paths of the SP (Identity Platform's and the workspace app's).
const (
	PathHandler       = "/__/auth/handler"
	PathCreateAuthURI = "/v1/accounts:createAuthUri"
	PathSignInWithIdp = "/v1/accounts:signInWithIdp"
	PathSignIn        = "/app/sign-in"
	PathApp           = "/app"
	PathAppSession    = "/app/api/session"
	PathAppMe         = "/app/api/me"
	PathSignOut       = "/app/sign-out"
	PathSecurity      = "/app/settings/security"
	// PathPasswordSignIn is the workspace's email-and-password sign-in
	// (how a workspace admin signs in before SSO is configured).
	PathPasswordSignIn = "/app/sign-in/password"
)

// Cookie names.
const (
	// TrackingCookie holds the Identity Platform sessionId between the
	// redirect to the IdP and the POST back to the Redirect URL (the JS SDK
	// keeps it in sessionStorage; a cookie makes the cross-site POST's
	// dependence on SameSite visible).
	TrackingCookie = "gip_session"
	// AppSessionCookie is the signed-in workspace session.
	AppSessionCookie = "app_session"
)

// Config configures a Server. The zero value is usable: every field has a
// safe default.
type Config struct {
	// BaseURL is the SP's external base URL, e.g. http://127.0.0.1:PORT. The
	// Service Provider Entity Id is BaseURL and the Redirect URL is
	// BaseURL + "/__/auth/handler". It may be set later with SetBaseURL.
	BaseURL string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Rand is the source of every random value: session IDs, AuthnRequest
	// IDs, RelayState, tokens (default crypto/rand). A seeded reader gives
	// deterministic IDs. Reads are serialised, so any reader is safe.
	Rand io.Reader
	// TrackingCookieSameSite is the SameSite attribute of the gip_session
	// cookie. The zero value means http.SameSiteNoneMode (what a cross-site
	// POST from the IdP needs); http.SameSiteDefaultMode omits the attribute;
	// http.SameSiteLaxMode shows the cross-site POST losing the cookie.
	TrackingCookieSameSite http.SameSite
	// TrackingCookieInsecure drops the Secure attribute from the gip_session
	// and app_session cookies. The zero value keeps Secure (browsers and Go's
	// cookiejar treat http://127.0.0.1 as a secure origin).
	TrackingCookieInsecure bool
	// MaxResponseBytes caps the encoded SAMLResponse, checked before
	// decoding (default 1 MiB).
	MaxResponseBytes int
	// PendingTTL is how long a started sign-in (sessionId → AuthnRequest)
	// stays valid (default 1 h).
	PendingTTL time.Duration
	// SessionIdleTimeout and SessionMaxAge bound a workspace session's
	// life: it ends after SessionIdleTimeout without a request and
	// SessionMaxAge after sign-in, whichever comes first (defaults 8 h and
	// 24 h), read from the Now clock.
	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration
	// MaxSessions, MaxPending and MaxIDTokens cap the workspace sessions,
	// the started sign-ins and the unexchanged ID tokens kept at once
	// (default 10,000 each); at the cap the oldest is evicted.
	MaxSessions, MaxPending, MaxIDTokens int
	// InsecureOpenAdmin turns off the admin surface's protection: the
	// Security & SSO page and the /api/workspaces API then answer anyone,
	// without a signed-in workspace admin, a CSRF token or a same-origin
	// check. For library use in tests only; never for a server others can
	// reach. The Go configuration methods (CreateWorkspace, UpdateSSO, …)
	// never need it.
	InsecureOpenAdmin bool

	// UnsafeDisableSteps is FOR TESTS ONLY: it names checklist steps
	// (Checklist()[i].Name) whose refusals are ignored, to show that the
	// catalogue notices a protection's absence (the self-mutation test). A
	// disabled step still runs so that what it establishes for later steps
	// exists; a name that is no step makes every sign-in fail with INTERNAL.
	// Never set it outside a test.
	UnsafeDisableSteps []string
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.TrackingCookieSameSite == 0 {
		c.TrackingCookieSameSite = http.SameSiteNoneMode
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.PendingTTL <= 0 {
		c.PendingTTL = DefaultPendingTTL
	}
	if c.SessionIdleTimeout <= 0 {
		c.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	if c.SessionMaxAge <= 0 {
		c.SessionMaxAge = DefaultSessionMaxAge
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.MaxPending <= 0 {
		c.MaxPending = DefaultMaxPending
	}
	if c.MaxIDTokens <= 0 {
		c.MaxIDTokens = DefaultMaxIDTokens
	}
	return c
}

// normalizeBaseURL checks that a base URL is an absolute http(s) URL without
// query or fragment and strips a trailing slash.
func normalizeBaseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("base URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q must be an absolute http(s) URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("base URL %q must not have a query or fragment", s)
	}
	return strings.TrimRight(s, "/"), nil
}
