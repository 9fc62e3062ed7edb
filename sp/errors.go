package sp

import (
	"fmt"
	"strings"
)

// APIError is a refusal in Identity Platform's terms plus the harness's finer
// reason. Its JSON form (Envelope) is what the HTTP API answers:
//
//	{"error":{"code":400,"message":"CODE : detail","errors":[…],
//	          "harness":{"reason":"AUDIENCE_MISMATCH","detail":"…"}}}
type APIError struct {
	// HTTPStatus is the HTTP status the API answers with (400 for
	// accounts:signInWithIdp refusals, 403 for workspace policy).
	HTTPStatus int
	// Code is the Identity Platform error code, e.g. INVALID_IDP_RESPONSE.
	Code string
	// Detail is the part of error.message after " : " ("" for a bare code).
	Detail string
	// Reason is the stable harness reason code.
	Reason Reason
	// ReasonDetail is the precise human explanation, with expected and found
	// values; it is what an admin or support engineer needs, and what
	// Identity Platform keeps private.
	ReasonDetail string
	// values are the message template's placeholder values.
	values map[string]string
}

// Values returns a copy of the placeholder values the message was rendered
// with (nil when it has none).
func (e *APIError) Values() map[string]string {
	if len(e.values) == 0 {
		return nil
	}
	out := make(map[string]string, len(e.values))
	for k, v := range e.values {
		out[k] = v
	}
	return out
}

// Message is Identity Platform's `error.message`: "CODE" or "CODE : detail".
func (e *APIError) Message() string {
	switch {
	case e.Detail == "":
		return e.Code
	case e.Code == "":
		return e.Detail
	}
	return e.Code + " : " + e.Detail
}

// Error implements error.
func (e *APIError) Error() string {
	if e.ReasonDetail == "" {
		return fmt.Sprintf("%s: %s", e.Reason, e.Message())
	}
	return fmt.Sprintf("%s: %s (%s)", e.Reason, e.Message(), e.ReasonDetail)
}

// Is reports whether target is the same Reason (or an *APIError with the
// same Reason), so errors.Is(err, sp.ReasonAudienceMismatch) works.
func (e *APIError) Is(target error) bool {
	switch t := target.(type) {
	case Reason:
		return e.Reason == t
	case *APIError:
		return t != nil && e.Reason == t.Reason
	}
	return false
}

// ErrorEnvelope is the JSON body of an error answer.
type ErrorEnvelope struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is Identity Platform's error object plus the harness extension.
type ErrorBody struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Errors  []ErrorItem `json:"errors,omitempty"`
	Harness HarnessInfo `json:"harness"`
}

// ErrorItem is one entry of Identity Platform's `errors` array.
type ErrorItem struct {
	Message string `json:"message"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
}

// HarnessInfo carries the harness's reason and its precise explanation.
type HarnessInfo struct {
	Reason Reason `json:"reason"`
	Detail string `json:"detail"`
}

// Envelope renders the error as the JSON body the API answers with.
func (e *APIError) Envelope() ErrorEnvelope {
	body := ErrorBody{
		Code:    e.HTTPStatus,
		Message: e.Message(),
		Harness: HarnessInfo{Reason: e.Reason, Detail: e.ReasonDetail},
	}
	if e.Reason.Info().Surface == SurfaceIdentityToolkit {
		body.Errors = []ErrorItem{{Message: body.Message, Domain: "global", Reason: "invalid"}}
	}
	return ErrorEnvelope{Error: body}
}

// newError builds the APIError of a reason: values fill the message
// template's placeholders, detail (a fmt format with args) is the harness
// explanation.
func newError(r Reason, values map[string]string, detail string, args ...any) *APIError {
	ri, ok := LookupReason(r)
	if !ok {
		ri = ReasonInfo{Reason: r, Code: CodeInternalError, HTTPStatus: 500}
	}
	code := renderTemplate(ri.Code, values)
	tmpl := renderTemplate(ri.Template, values)
	if len(args) > 0 {
		detail = fmt.Sprintf(detail, args...)
	}
	return &APIError{
		HTTPStatus:   ri.HTTPStatus,
		Code:         code,
		Detail:       tmpl,
		Reason:       r,
		ReasonDetail: strings.TrimSpace(detail),
		values:       values,
	}
}

// internalError reports a failure of the SP itself (HTTP 500).
func internalError(what string, err error) *APIError {
	return newError(ReasonInternal, map[string]string{"what": what}, "%s: %v", what, err)
}
