package mockidp

import (
	"errors"
	"strings"
)

// Code is a stable error code. Tests and drivers assert on codes, never on
// message text alone.
type Code string

// The error codes of the mock IdP.
const (
	CodeAppNotFound      Code = "APP_NOT_FOUND"       // no app integration with that ID or external key
	CodeUserNotFound     Code = "USER_NOT_FOUND"      // no user with that ID or login
	CodeGroupNotFound    Code = "GROUP_NOT_FOUND"     // no group with that ID or name
	CodeDuplicate        Code = "DUPLICATE"           // a user login or group name is already taken
	CodeAppNotAssigned   Code = "APP_NOT_ASSIGNED"    // the user is not assigned the app, directly or by group
	CodeBadSAMLRequest   Code = "BAD_SAML_REQUEST"    // the AuthnRequest could not be decoded or is not one
	CodeInvalidSettings  Code = "INVALID_SETTINGS"    // SAML settings with one or more problems (see Causes)
	CodeInvalidUser      Code = "INVALID_USER"        // a user profile with one or more problems
	CodeInvalidFaults    Code = "INVALID_FAULTS"      // unknown faults or missing fault parameters
	CodeInvalidRequest   Code = "INVALID_REQUEST"     // a malformed admin API request or a bad parameter
	CodeCertNotFound     Code = "CERT_NOT_FOUND"      // no certificate with that kid in the app
	CodeInvalidCert      Code = "INVALID_CERTIFICATE" // a certificate that cannot be used (key mismatch, bad validity)
	CodeKeyUnavailable   Code = "KEY_UNAVAILABLE"     // Config.NewKey failed
	CodeBaseURLUnset     Code = "BASE_URL_UNSET"      // a URL was needed before SetBaseURL was called
	CodeFaultFailed      Code = "FAULT_FAILED"        // a fault could not be applied to the response
	CodeResponseFailed   Code = "RESPONSE_FAILED"     // building, signing or encrypting the response failed
	CodeMethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	CodeNotFound         Code = "NOT_FOUND"    // an unknown admin API path
	CodeUnauthorized     Code = "UNAUTHORIZED" // the admin API call has no valid SSWS token
)

// Error is the mock IdP's error: a stable Code, a message that says what is
// wrong and what to do, and, for validation errors, every problem found.
type Error struct {
	Code    Code
	Message string
	// Causes lists each problem when there are several (settings
	// validation lists every one at once).
	Causes []string
	// Err is the underlying error, if any.
	Err error
	// Reason, for CodeBadSAMLRequest, names the check that refused the
	// AuthnRequest.
	Reason RequestReason
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Causes) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Causes, "; "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &mockidp.Error{Code: mockidp.CodeAppNotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrorCode returns the Code of err if it is (or wraps) an *Error, and ""
// otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func newError(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

func wrapError(code Code, msg string, err error) *Error {
	return &Error{Code: code, Message: msg, Err: err}
}

// RequestReason says which check refused an AuthnRequest (an Error with
// CodeBadSAMLRequest); stable, for tests and drivers.
type RequestReason string

// The reasons an AuthnRequest is refused.
const (
	ReasonMissing           RequestReason = "missing"             // no SAMLRequest parameter
	ReasonTooLarge          RequestReason = "too-large"           // the parameter or the XML is over its size cap
	ReasonNotBase64         RequestReason = "not-base64"          // the parameter is not standard base64
	ReasonNotDeflate        RequestReason = "not-deflate"         // Redirect binding: not raw DEFLATE data (POST: neither XML nor DEFLATE)
	ReasonTruncated         RequestReason = "truncated"           // the DEFLATE data ends early
	ReasonInflatedTooLarge  RequestReason = "inflated-too-large"  // the DEFLATE data inflates past maxInflatedRequest (a deflate bomb)
	ReasonDoctype           RequestReason = "doctype"             // a DOCTYPE or ENTITY declaration
	ReasonTooDeep           RequestReason = "too-deep"            // elements nested past maxRequestDepth
	ReasonTooManyElements   RequestReason = "too-many-elements"   // more nodes (elements, comments, …) than maxRequestNodes
	ReasonTooManyAttributes RequestReason = "too-many-attributes" // an element with more than maxRequestAttributes attributes
	ReasonNotXML            RequestReason = "not-xml"             // not well-formed XML, or no element
	ReasonNotAuthnRequest   RequestReason = "not-authn-request"   // the root is not samlp:AuthnRequest
	ReasonNoID              RequestReason = "no-id"               // the AuthnRequest has no ID
	ReasonBadForm           RequestReason = "bad-form"            // POST binding: the form cannot be read
)
