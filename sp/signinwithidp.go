package sp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// SignInWithIdpRequest is the body of POST /v1/accounts:signInWithIdp.
type SignInWithIdpRequest struct {
	// RequestURI must be the Redirect URL (the page the IdP posted to).
	RequestURI string `json:"requestUri"`
	// PostBody is the raw application/x-www-form-urlencoded body the IdP
	// posted (SAMLResponse, RelayState).
	PostBody string `json:"postBody"`
	// SessionID is createAuthUri's sessionId.
	SessionID           string `json:"sessionId"`
	ReturnSecureToken   bool   `json:"returnSecureToken"`
	ReturnIdpCredential bool   `json:"returnIdpCredential,omitempty"`
	TenantID            string `json:"tenantId,omitempty"`
	PendingToken        string `json:"pendingToken,omitempty"`
}

// SignInWithIdpResponse is Identity Platform's success answer with exactly
// the production SAML key set (reference §2.2): context, email (only when
// the NameID is an email), emailVerified, expiresIn, federatedId, idToken,
// isNewUser (only when true), kind, localId, providerId, rawUserInfo,
// refreshToken. Fields tagged json:"-" are for Go callers only.
type SignInWithIdpResponse struct {
	Kind          string `json:"kind"`
	FederatedID   string `json:"federatedId"`
	ProviderID    string `json:"providerId"`
	LocalID       string `json:"localId"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"emailVerified,omitempty"`
	IDToken       string `json:"idToken"`
	RefreshToken  string `json:"refreshToken"`
	ExpiresIn     string `json:"expiresIn"`
	RawUserInfo   string `json:"rawUserInfo"`
	IsNewUser     bool   `json:"isNewUser,omitempty"`
	Context       string `json:"context"`

	WorkspaceID      string          `json:"-"`
	NameID           string          `json:"-"`
	NameIDFormat     string          `json:"-"`
	Attributes       []SAMLAttribute `json:"-"`
	AssertionID      string          `json:"-"`
	ResponseID       string          `json:"-"`
	SignedResponse   bool            `json:"-"`
	SignedAssertion  bool            `json:"-"`
	CertificateIndex int             `json:"-"` // 0-based index of the configured certificate that verified
	Profile          Profile         `json:"-"`
}

// KindVerifyAssertion is the `kind` of a signInWithIdp answer.
const KindVerifyAssertion = "identitytoolkit#VerifyAssertionResponse"

// idTokenLifetime is Identity Platform's ID token lifetime (expiresIn "3600").
const idTokenLifetime = time.Hour

// federatedUser is an Identity Platform user created by a SAML sign-in.
type federatedUser struct {
	localID     string
	federatedID string
	providerID  string
	email       string
}

// idTokenRecord is what an issued idToken stands for.
type idTokenRecord struct {
	localID     string
	providerID  string
	workspaceID string
	nameID      string
	email       string
	expires     time.Time
}

// SignInWithIdp verifies the SAMLResponse of a pending sign-in and answers
// as accounts:signInWithIdp does. Errors carry Identity Platform's code and
// message plus the harness reason.
func (s *Server) SignInWithIdp(ctx context.Context, req SignInWithIdpRequest) (*SignInWithIdpResponse, *APIError) {
	if err := ctx.Err(); err != nil {
		return nil, internalError("request cancelled", err)
	}
	now := s.cfg.Now()
	callback, entityID := s.RedirectURL(), s.EntityID()
	if !sameEndpoint(req.RequestURI, callback) {
		shown := shortText(req.RequestURI, maxEcho)
		if shown == "" {
			shown = "(empty)"
		}
		return nil, newError(ReasonRequestURIMismatch, map[string]string{"requestUri": shown, "callback": callback},
			"requestUri must be the Redirect URL %q (the page the IdP posted the SAMLResponse to); got %q", callback, shown)
	}
	p := s.lookupPending(req.SessionID, now)
	if p == nil {
		shown := shortText(req.SessionID, 64)
		if shown == "" {
			shown = "(none)"
		}
		return nil, newError(ReasonSessionUnknown, map[string]string{"sessionId": shown},
			"no pending sign-in has sessionId %q (unknown, evicted, or older than %s): start again from the sign-in page", shown, s.cfg.PendingTTL)
	}
	rt, e := s.runtimeForProvider(p.providerID)
	if e != nil {
		return nil, e
	}
	login, e := s.verifySAMLResponse(verifyInput{
		rt:         rt,
		requestID:  p.requestID,
		now:        now,
		callback:   callback,
		spEntityID: entityID,
		replayTTL:  s.cfg.PendingTTL,
		post:       &postBinding{requestURI: req.RequestURI, body: req.PostBody},
	}, "")
	if e != nil {
		return nil, e
	}
	return s.issueTokens(rt, login, now)
}

// issueTokens creates or finds the federated user and mints its tokens.
func (s *Server) issueTokens(rt *ssoRuntime, login *verifiedLogin, now time.Time) (*SignInWithIdpResponse, *APIError) {
	federatedID := rt.providerID + "/" + login.nameID
	email := ""
	if isEmailAddress(login.nameID) {
		email = login.nameID
	}
	refresh, err := s.rand.token(96)
	if err != nil {
		return nil, internalError("cannot draw a refresh token", err)
	}
	handle, err := s.rand.token(32)
	if err != nil {
		return nil, internalError("cannot draw an ID token", err)
	}
	s.mu.Lock()
	u, existing := s.users[federatedID]
	if !existing {
		localID, err := s.rand.alnum(28)
		if err != nil {
			s.mu.Unlock()
			return nil, internalError("cannot draw a localId", err)
		}
		u = &federatedUser{localID: localID, federatedID: federatedID, providerID: rt.providerID, email: email}
		s.users[federatedID] = u
	}
	idToken := mintIDToken(s.entityIDLocked(), rt.providerID, u.localID, login, email, now, handle)
	s.tokens.put(idToken, &idTokenRecord{
		localID:     u.localID,
		providerID:  rt.providerID,
		workspaceID: rt.workspaceID,
		nameID:      login.nameID,
		email:       email,
		expires:     now.Add(idTokenLifetime),
	}, now.Add(idTokenLifetime), now)
	s.mu.Unlock()
	return &SignInWithIdpResponse{
		Kind:             KindVerifyAssertion,
		FederatedID:      federatedID,
		ProviderID:       rt.providerID,
		LocalID:          u.localID,
		Email:            email,
		EmailVerified:    email != "",
		IDToken:          idToken,
		RefreshToken:     "AMf-" + refresh,
		ExpiresIn:        "3600",
		RawUserInfo:      rawUserInfo(login.attributes),
		IsNewUser:        !existing,
		Context:          "",
		WorkspaceID:      rt.workspaceID,
		NameID:           login.nameID,
		NameIDFormat:     login.nameIDFormat,
		Attributes:       login.attributes,
		AssertionID:      login.assertionID,
		ResponseID:       login.responseID,
		SignedResponse:   login.signedResponse,
		SignedAssertion:  login.signedAssertion,
		CertificateIndex: login.certIndex,
		Profile:          rt.profile,
	}, nil
}

// mintIDToken builds a JWT-shaped ID token with Identity Platform's claims.
// It is an opaque handle: the server looks it up, so it carries no real
// signature (alg "none"); the third part is random.
func mintIDToken(issuerBase, providerID, localID string, login *verifiedLogin, email string, now time.Time, handle string) string {
	header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	identities := map[string][]string{providerID: {login.nameID}}
	if email != "" {
		identities["email"] = []string{email}
	}
	claims := map[string]any{
		"iss":       issuerBase,
		"aud":       issuerBase,
		"sub":       localID,
		"user_id":   localID,
		"auth_time": now.Unix(),
		"iat":       now.Unix(),
		"exp":       now.Add(idTokenLifetime).Unix(),
		"firebase": map[string]any{
			"identities":         identities,
			"sign_in_provider":   providerID,
			"sign_in_attributes": attributeMap(login.attributes),
		},
	}
	if email != "" {
		claims["email"] = email
		claims["email_verified"] = true
	}
	payload, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "." + handle
}

// attributeMap is Identity Platform's rendering of SAML attributes: a
// single value as a string, several as an array.
func attributeMap(attrs []SAMLAttribute) map[string]any {
	m := map[string]any{}
	for _, a := range attrs {
		if len(a.Values) == 1 {
			m[a.Name] = a.Values[0]
		} else {
			m[a.Name] = a.Values
		}
	}
	return m
}

func rawUserInfo(attrs []SAMLAttribute) string {
	b, _ := json.Marshal(attributeMap(attrs))
	return string(b)
}

// isEmailAddress reports whether s is a bare email address (local@domain
// with a dot in the domain).
func isEmailAddress(s string) bool {
	if strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// sameEndpoint compares two URLs by scheme, host and path (a query or
// fragment on the requestUri is tolerated).
func sameEndpoint(a, b string) bool {
	pa, err := url.Parse(a)
	if err != nil || a == "" {
		return false
	}
	pb, err := url.Parse(b)
	if err != nil {
		return false
	}
	return pa.Scheme == pb.Scheme && strings.EqualFold(pa.Host, pb.Host) && pa.Path == pb.Path
}
