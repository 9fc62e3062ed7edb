package mockidp

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp/fault"
)

// ResponseRequest asks the IdP for a SAML response without a browser: the
// user is taken as signed in.
type ResponseRequest struct {
	// AppID is the app integration (ID or external key).
	AppID string
	// Login is the user (login or ID). The user must be assigned the app.
	Login string
	// SAMLRequest is the AuthnRequest as received on the HTTP-Redirect
	// binding (base64 of the DEFLATE-compressed XML). Alternatively,
	// AuthnRequestXML holds the XML itself. With neither, or with
	// Unsolicited, the response is IdP-initiated (no InResponseTo).
	SAMLRequest     string
	AuthnRequestXML []byte
	// RelayState is echoed. For an unsolicited response an empty
	// RelayState becomes the app's Default RelayState.
	RelayState string
	// Faults are applied after the app's configured faults.
	Faults []fault.Fault
	// Unsolicited makes an IdP-initiated response even if a request is
	// given.
	Unsolicited bool
	// AuthnInstant is when the user authenticated to the IdP (the IdP
	// session's login time). Default: now.
	AuthnInstant time.Time
}

// Response is a SAML response ready to deliver.
type Response struct {
	// XML is the final document (after post-sign faults), as serialized
	// and base64-encoded into Form.
	XML []byte
	// Form is what the browser POSTs to ACS: SAMLResponse and, when not
	// empty, RelayState (bind faults may change it).
	Form url.Values
	// ACS is where the response goes: the app's Single sign-on URL.
	ACS string
	// Binding is wire.BindingHTTPPost, or wire.BindingHTTPRedirect when a
	// bind fault switched to it; then RedirectURL is the full URL.
	Binding     string
	RedirectURL string
	// RequestID is the AuthnRequest ID answered ("" when unsolicited).
	RequestID string
	// ResponseID and AssertionID are the IDs the IdP gave the Response and
	// its Assertion (faults may have changed the document since).
	ResponseID  string
	AssertionID string
	// User is the user the response asserts.
	User User
}

// respondInput is what a response depends on, gathered under the lock.
type respondInput struct {
	settings SAMLSettings
	compiled *compiled
	entityID string
	faults   []fault.Fault
	signer   *xmlSigner
	user     User
	label    string
}

// snapshot gathers the app and user for a response and checks the
// assignment.
func (idp *IdP) snapshot(appID, login string) (*respondInput, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return nil, err
	}
	rec, err := idp.userLocked(login)
	if err != nil {
		return nil, err
	}
	user := idp.userCopyLocked(rec)
	if !idp.assignedLocked(a, rec) {
		return nil, &Error{Code: CodeAppNotAssigned, Message: fmt.Sprintf(
			"user %s is not assigned the app %q: assign the user (or one of their groups) to the app in Okta", user.Login, a.Label)}
	}
	certs := append([]*signingCert(nil), a.certs...)
	return &respondInput{
		settings: copySettings(a.Settings),
		compiled: a.compiled,
		entityID: a.Settings.issuer(a.ExternalKey),
		faults:   copyFaults(a.Faults),
		signer:   &xmlSigner{idp: idp, active: a.active(), certs: certs},
		user:     user,
		label:    a.Label,
	}, nil
}

// Respond builds, signs (and encrypts, per settings), faults and encodes a
// response for the user, as the SSO endpoint would for a signed-in user.
// The ACS is the app's Single sign-on URL. An unassigned user gets an error
// with Code APP_NOT_ASSIGNED; a malformed request BAD_SAML_REQUEST.
func (idp *IdP) Respond(req ResponseRequest) (*Response, error) {
	if err := fault.Validate(req.Faults); err != nil {
		return nil, faultsError(err)
	}
	in, err := idp.snapshot(req.AppID, req.Login)
	if err != nil {
		return nil, err
	}
	var ar *authnRequest
	if !req.Unsolicited {
		switch {
		case req.SAMLRequest != "":
			if ar, err = decodeRedirectRequest(req.SAMLRequest); err != nil {
				return nil, err
			}
		case len(req.AuthnRequestXML) > 0:
			if ar, err = parseAuthnRequest(req.AuthnRequestXML); err != nil {
				return nil, err
			}
		}
	}
	return idp.respond(in, ar, req.RelayState, req.AuthnInstant, req.Faults)
}

// respond runs the pipeline: build → pre-sign faults → sign plan (sign
// faults) → sign the assertion → encrypt it → sign the Response →
// post-sign faults → serialize → bind faults.
func (idp *IdP) respond(in *respondInput, ar *authnRequest, relayState string, authnInstant time.Time, extra []fault.Fault) (*Response, error) {
	now := idp.now()
	if authnInstant.IsZero() {
		authnInstant = now
	}
	faults := append(in.faults, extra...)
	responseID, assertionID := idp.ids.responseIDs()
	b := buildInput{
		settings:     in.settings,
		compiled:     in.compiled,
		entityID:     in.entityID,
		user:         in.user,
		now:          now,
		authnInstant: authnInstant,
		responseID:   responseID,
		assertionID:  assertionID,
	}
	if ar != nil {
		b.requestID = ar.ID
		b.sessionIndex = ar.ID
	} else {
		b.sessionIndex = idp.ids.idpSessionIndex(now)
		if relayState == "" {
			relayState = in.settings.DefaultRelayState
		}
	}
	acs := in.settings.SSOURL

	s := in.settings
	plan := fault.SignPlan{
		SignResponse:     s.Response != Unsigned,
		SignAssertion:    s.AssertionSignature != Unsigned,
		Key:              planKeyActive,
		SignatureMethod:  s.SignatureAlgorithm.URI(),
		DigestMethod:     s.DigestAlgorithm.URI(),
		Canonicalization: wire.AlgExcC14N,
		Placement:        placementAfterIssuer,
	}
	fc := &fault.Context{
		Doc:        buildResponse(b),
		Plan:       &plan,
		Signer:     in.signer,
		Now:        now,
		Binding:    wire.BindingHTTPPost,
		ACS:        acs,
		Encryption: encryptPlan(s),
	}

	if err := applyFaults(fault.StagePreSign, fc, faults); err != nil {
		return nil, err
	}
	if err := applyFaults(fault.StageSign, fc, faults); err != nil {
		return nil, err
	}
	if err := idp.signAndEncrypt(fc, in); err != nil {
		return nil, err
	}
	if err := applyFaults(fault.StagePostSign, fc, faults); err != nil {
		return nil, err
	}
	raw, err := serialize(fc.Doc)
	if err != nil {
		return nil, wrapError(CodeResponseFailed, "cannot serialize the response", err)
	}
	fc.Raw = raw
	fc.Form = url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(raw)}}
	if relayState != "" {
		fc.Form.Set("RelayState", relayState)
	}
	if err := applyFaults(fault.StageBind, fc, faults); err != nil {
		return nil, err
	}
	if fc.Binding == wire.BindingHTTPRedirect && fc.RedirectURL == "" {
		sep := "?"
		if strings.Contains(fc.ACS, "?") {
			sep = "&"
		}
		fc.RedirectURL = fc.ACS + sep + fc.Form.Encode()
	}
	out := &Response{
		XML:         fc.Raw,
		Form:        fc.Form,
		ACS:         fc.ACS,
		Binding:     fc.Binding,
		RedirectURL: fc.RedirectURL,
		ResponseID:  responseID,
		AssertionID: assertionID,
		User:        in.user,
	}
	if ar != nil {
		out.RequestID = ar.ID
	}
	return out, nil
}

// signAndEncrypt signs per plan, assertion first; with Assertion
// Encryption on, the (signed) assertion is then encrypted and the Response
// signed over the EncryptedAssertion, as Okta does.
func (idp *IdP) signAndEncrypt(fc *fault.Context, in *respondInput) error {
	root := fc.Doc.Root()
	if root == nil {
		return newError(CodeFaultFailed, "the response document has no root element after the pre-sign faults")
	}
	assertion := responseAssertion(root)
	if fc.Plan.SignAssertion && assertion != nil {
		if err := fc.Signer.SignElement(assertion, *fc.Plan); err != nil {
			return wrapError(CodeResponseFailed, "cannot sign the assertion", err)
		}
	}
	if ep := fc.Encryption; ep != nil && ep.Enabled && assertion != nil {
		cert, err := idp.encryptionCert(ep, in)
		if err != nil {
			return err
		}
		if err := encryptAssertion(assertion, ep, cert); err != nil {
			return wrapError(CodeResponseFailed, "cannot encrypt the assertion", err)
		}
	}
	if fc.Plan.SignResponse {
		if err := fc.Signer.SignElement(root, *fc.Plan); err != nil {
			return wrapError(CodeResponseFailed, "cannot sign the response", err)
		}
	}
	return nil
}

// encryptionCert is the recipient certificate the encryption plan names.
func (idp *IdP) encryptionCert(ep *fault.EncryptPlan, in *respondInput) (*x509.Certificate, error) {
	switch ep.Key {
	case "":
		if in.compiled.encryptCert == nil {
			return nil, newError(CodeResponseFailed, "assertion encryption is on but the app has no Encryption Certificate: set encryptionCertificate in the SAML settings")
		}
		return in.compiled.encryptCert, nil
	case encryptKeySpare:
		sc, err := idp.spareCert()
		if err != nil {
			return nil, err
		}
		return sc.cert, nil
	}
	return nil, newError(CodeResponseFailed, fmt.Sprintf("unknown encryption key %q: use \"\" (the app's Encryption Certificate) or %q", ep.Key, encryptKeySpare))
}

func applyFaults(stage fault.Stage, fc *fault.Context, faults []fault.Fault) error {
	if err := fault.Apply(stage, fc, faults); err != nil {
		return wrapError(CodeFaultFailed, fmt.Sprintf("a %s fault failed", stage), err)
	}
	return nil
}

// faultsError turns fault.Validate's error into an INVALID_FAULTS error
// with one cause per problem.
func faultsError(err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "invalid faults: ")
	return &Error{
		Code:    CodeInvalidFaults,
		Message: "the faults cannot be applied: name registered faults with their required parameters",
		Causes:  strings.Split(msg, "; "),
	}
}
