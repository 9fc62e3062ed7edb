package sp

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/samlharness/samlharness/internal/wire"
)

// pendingRequest is a started sign-in: Identity Platform's sessionId bound
// to the workspace, provider and AuthnRequest it sent. It is kept
// server-side and is NOT consumed by a successful sign-in (a replayed
// response with the same sessionId is stopped by the replay cache). The
// store holds at most Config.MaxPending of them, evicting the oldest.
type pendingRequest struct {
	sessionID   string
	workspaceID string
	providerID  string
	requestID   string
	relayState  string
	continueURI string
	created     time.Time
	expires     time.Time
}

// CreateAuthURIRequest is the body of POST /v1/accounts:createAuthUri.
type CreateAuthURIRequest struct {
	ProviderID  string `json:"providerId"`
	ContinueURI string `json:"continueUri"`
	TenantID    string `json:"tenantId,omitempty"`
}

// CreateAuthURIResponse is Identity Platform's answer to createAuthUri.
type CreateAuthURIResponse struct {
	Kind       string `json:"kind"`
	AuthURI    string `json:"authUri"`
	ProviderID string `json:"providerId"`
	SessionID  string `json:"sessionId"`
	// RequestID is the AuthnRequest's ID and RelayState the RelayState sent
	// with it (for tests and tools; not part of Identity Platform's answer).
	RequestID  string `json:"-"`
	RelayState string `json:"-"`
}

// KindCreateAuthURI is the `kind` of a createAuthUri answer.
const KindCreateAuthURI = "identitytoolkit#CreateAuthUriResponse"

// CreateAuthURI starts an SP-initiated sign-in for a provider, as
// accounts:createAuthUri does: it records the pending request under a new
// sessionId and returns the IdP URL carrying the AuthnRequest
// (HTTP-Redirect binding) and RelayState.
func (s *Server) CreateAuthURI(ctx context.Context, req CreateAuthURIRequest) (*CreateAuthURIResponse, *APIError) {
	if strings.TrimSpace(req.ContinueURI) == "" {
		return nil, newError(ReasonContinueURIMissing, nil, "createAuthUri needs continueUri (the Redirect URL the IdP posts back to)")
	}
	rt, e := s.runtimeForProvider(req.ProviderID)
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	base, entityID, callback := s.baseURL, s.entityIDLocked(), s.redirectURLLocked()
	s.mu.RUnlock()
	if !sameOrigin(req.ContinueURI, base) {
		return nil, newError(ReasonContinueURIInvalid, map[string]string{"continueUri": shortText(req.ContinueURI, maxEcho)}, "continueUri %q is not on the SP's origin %q", shortText(req.ContinueURI, maxEcho), base)
	}
	requestID, err := s.rand.authnRequestID()
	if err != nil {
		return nil, internalError("cannot draw an AuthnRequest ID", err)
	}
	sessionID, err := s.rand.token(21)
	if err != nil {
		return nil, internalError("cannot draw a sessionId", err)
	}
	relayState, err := s.rand.token(12)
	if err != nil {
		return nil, internalError("cannot draw a RelayState", err)
	}
	now := s.cfg.Now()
	signInURL := rt.sso.idpSignInURL
	authnXML := buildAuthnRequest(requestID, now, callback, signInURL, entityID)
	encoded, err := deflateBase64(authnXML)
	if err != nil {
		return nil, internalError("cannot encode the AuthnRequest", err)
	}
	q := url.Values{}
	q.Set("SAMLRequest", encoded)
	q.Set("RelayState", relayState)
	sep := "?"
	if strings.Contains(signInURL, "?") {
		sep = "&"
	}
	authURI := signInURL + sep + q.Encode()

	p := &pendingRequest{
		sessionID:   sessionID,
		workspaceID: rt.workspaceID,
		providerID:  rt.providerID,
		requestID:   requestID,
		relayState:  relayState,
		continueURI: req.ContinueURI,
		created:     now,
		expires:     now.Add(s.cfg.PendingTTL),
	}
	s.mu.Lock()
	s.pending.put(sessionID, p, p.expires, now)
	s.mu.Unlock()
	return &CreateAuthURIResponse{
		Kind:       KindCreateAuthURI,
		AuthURI:    authURI,
		ProviderID: rt.providerID,
		SessionID:  sessionID,
		RequestID:  requestID,
		RelayState: relayState,
	}, nil
}

// buildAuthnRequest renders the AuthnRequest exactly as Identity Platform
// sends it (reference §2.2 item 2): unsigned, ID "_"+32 hex, IssueInstant
// with milliseconds, ProtocolBinding HTTP-POST, AssertionConsumerServiceURL
// = the Redirect URL, Destination = the IdP Sign-In URL, Issuer = the SP
// entity ID, and no NameIDPolicy, RequestedAuthnContext or ForceAuthn.
func buildAuthnRequest(id string, issueInstant time.Time, acs, destination, issuer string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><saml2p:AuthnRequest xmlns:saml2p="`)
	b.WriteString(wire.NSProtocol)
	b.WriteString(`" AssertionConsumerServiceURL="`)
	b.WriteString(xmlEscape(acs))
	b.WriteString(`" Destination="`)
	b.WriteString(xmlEscape(destination))
	b.WriteString(`" ID="`)
	b.WriteString(id)
	b.WriteString(`" IssueInstant="`)
	b.WriteString(formatInstant(issueInstant))
	b.WriteString(`" ProtocolBinding="`)
	b.WriteString(wire.BindingHTTPPost)
	b.WriteString(`" Version="2.0"><saml2:Issuer xmlns:saml2="`)
	b.WriteString(wire.NSAssertion)
	b.WriteString(`">`)
	b.WriteString(xmlEscape(issuer))
	b.WriteString(`</saml2:Issuer></saml2p:AuthnRequest>`)
	return b.String()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// deflateBase64 applies the HTTP-Redirect binding's encoding (raw DEFLATE,
// then base64).
func deflateBase64(s string) (string, error) {
	var buf bytes.Buffer
	// A flate.Writer carries about a megabyte of state; reuse them rather
	// than allocate one per sign-in.
	w, _ := deflaters.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriter(&buf, flate.DefaultCompression); err != nil {
			return "", err
		}
	} else {
		w.Reset(&buf)
	}
	defer deflaters.Put(w)
	if _, err := w.Write([]byte(s)); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// deflaters pools DEFLATE writers for the HTTP-Redirect binding.
var deflaters sync.Pool

// sameOrigin reports whether u is on base's scheme://host.
func sameOrigin(u, base string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	pb, err := url.Parse(base)
	if err != nil {
		return false
	}
	return pu.Scheme == pb.Scheme && strings.EqualFold(pu.Host, pb.Host)
}

// lookupPending returns an unexpired pending request.
func (s *Server) lookupPending(sessionID string, now time.Time) *pendingRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pending.get(sessionID, now)
	if !ok {
		return nil
	}
	return p
}
