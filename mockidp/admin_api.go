package mockidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// The JSON admin API, shaped like Okta's /api/v1 (apps, their users,
// groups and signing keys, users, groups), plus the harness's own
// endpoints: activating a key and an app's faults. Errors use Okta's error
// object with a "harness" member carrying the stable Code.

const maxAPIBody = 1 << 20

// methods maps HTTP methods to handlers for one path.
type methods map[string]http.HandlerFunc

func (idp *IdP) adminRoutes(m *http.ServeMux) {
	api := func(pattern string, ms methods) {
		m.HandleFunc(pattern, idp.requireToken(func(w http.ResponseWriter, r *http.Request) {
			if h, ok := ms[r.Method]; ok {
				h(w, r)
				return
			}
			allowed := make([]string, 0, len(ms))
			for k := range ms {
				allowed = append(allowed, k)
			}
			sort.Strings(allowed)
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			idp.apiError(w, &Error{Code: CodeMethodNotAllowed, Message: fmt.Sprintf("%s is not supported on %s: use %s", echo(r.Method), echo(r.URL.Path), strings.Join(allowed, " or "))})
		}))
	}
	api("/api/v1/apps", methods{"GET": idp.apiListApps, "POST": idp.apiCreateApp})
	api("/api/v1/apps/{id}", methods{"GET": idp.apiGetApp, "PUT": idp.apiUpdateApp})
	api("/api/v1/apps/{id}/users", methods{"GET": idp.apiAppUsers, "POST": idp.apiAssignUser})
	api("/api/v1/apps/{id}/users/{uid}", methods{"PUT": idp.apiAssignUser, "DELETE": idp.apiUnassignUser})
	api("/api/v1/apps/{id}/groups", methods{"GET": idp.apiAppGroups})
	api("/api/v1/apps/{id}/groups/{gid}", methods{"PUT": idp.apiAssignGroup, "DELETE": idp.apiUnassignGroup})
	api("/api/v1/apps/{id}/credentials/keys", methods{"GET": idp.apiListKeys})
	api("/api/v1/apps/{id}/credentials/keys/generate", methods{"POST": idp.apiGenerateKey})
	api("/api/v1/apps/{id}/credentials/keys/{kid}", methods{"GET": idp.apiGetKey})
	api("/api/v1/apps/{id}/credentials/keys/{kid}/activate", methods{"POST": idp.apiActivateKey})
	api("/api/v1/apps/{id}/credentials/keys/{kid}/cert", methods{"GET": idp.apiDownloadCert})
	api("/api/v1/apps/{id}/sso/saml/metadata", methods{"GET": idp.apiMetadata})
	api("/api/v1/apps/{id}/faults", methods{"GET": idp.apiGetFaults, "PUT": idp.apiSetFaults})
	api("/api/v1/users", methods{"GET": idp.apiListUsers, "POST": idp.apiCreateUser})
	api("/api/v1/users/{uid}", methods{"GET": idp.apiGetUser})
	api("/api/v1/groups", methods{"GET": idp.apiListGroups, "POST": idp.apiCreateGroup})
	api("/api/v1/groups/{gid}", methods{"GET": idp.apiGetGroup})
	api("/api/v1/groups/{gid}/users/{uid}", methods{"PUT": idp.apiAddGroupMember, "DELETE": idp.apiRemoveGroupMember})
	api("/api/v1/faults", methods{"GET": idp.apiListFaultSpecs})
	m.HandleFunc("/api/", idp.requireToken(func(w http.ResponseWriter, r *http.Request) {
		idp.apiError(w, &Error{Code: CodeNotFound, Message: fmt.Sprintf("no API endpoint %s: see /api/v1/apps, /api/v1/users, /api/v1/groups", echo(r.URL.Path))})
	}))
}

type apiErrorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

type apiErrorBody struct {
	ErrorCode    string          `json:"errorCode"`
	ErrorSummary string          `json:"errorSummary"`
	ErrorLink    string          `json:"errorLink"`
	ErrorID      string          `json:"errorId"`
	ErrorCauses  []apiErrorCause `json:"errorCauses"`
	Harness      struct {
		Code Code `json:"code"`
	} `json:"harness"`
}

// malformedBody marks INVALID_REQUEST errors about the request body itself
// (Okta's E0000003).
const malformedBody = "The request body was not well-formed"

func apiStatus(e *Error) (int, string) {
	switch e.Code {
	case CodeAppNotFound, CodeUserNotFound, CodeGroupNotFound, CodeCertNotFound, CodeNotFound:
		return http.StatusNotFound, "E0000007"
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed, "E0000022"
	case CodeUnauthorized:
		return http.StatusUnauthorized, "E0000011"
	case CodeAppNotAssigned:
		return http.StatusForbidden, "E0000006"
	case CodeInvalidRequest:
		if strings.HasPrefix(e.Message, malformedBody) {
			if strings.Contains(e.Message, "larger than") {
				return http.StatusRequestEntityTooLarge, "E0000003"
			}
			return http.StatusBadRequest, "E0000003"
		}
		return http.StatusBadRequest, "E0000001"
	case CodeInvalidSettings, CodeInvalidUser, CodeInvalidFaults, CodeInvalidCert, CodeDuplicate, CodeBaseURLUnset:
		return http.StatusBadRequest, "E0000001"
	default:
		return http.StatusInternalServerError, "E0000009"
	}
}

func (idp *IdP) apiError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: CodeResponseFailed, Message: err.Error()}
	}
	status, code := apiStatus(e)
	body := apiErrorBody{ErrorCode: code, ErrorSummary: e.Message, ErrorLink: code, ErrorID: "oae" + idp.ids.alnum(22)}
	body.Harness.Code = e.Code
	for _, c := range e.Causes {
		body.ErrorCauses = append(body.ErrorCauses, apiErrorCause{c})
	}
	if e.Err != nil {
		body.ErrorCauses = append(body.ErrorCauses, apiErrorCause{e.Err.Error()})
	}
	if e.Code == CodeUnauthorized {
		body.ErrorCauses = []apiErrorCause{} // Okta's E0000011 has none
	} else if len(body.ErrorCauses) == 0 {
		body.ErrorCauses = []apiErrorCause{{e.Message}}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"errorCode":"E0000009","errorSummary":"cannot encode the response"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readJSON decodes a size-limited body into v, refusing unknown fields and
// trailing data, with a message that says where the problem is.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxAPIBody)
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: the body is larger than %d bytes", malformedBody, maxAPIBody))
		}
		return newError(CodeInvalidRequest, fmt.Sprintf("%s: cannot read it (%v)", malformedBody, err))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return newError(CodeInvalidRequest, malformedBody+": the body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: invalid JSON at byte %d (%s)", malformedBody, syn.Offset, echo(syn.Error())))
		case errors.As(err, &typ):
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: field %q must be a %s, not a JSON %s", malformedBody, echo(typ.Field), typ.Type, typ.Value))
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: %s is not a known field; check its spelling (fields are camelCase)", malformedBody, echo(strings.TrimPrefix(err.Error(), "json: unknown field "))))
		default:
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: %s", malformedBody, echo(err.Error())))
		}
	}
	if dec.More() {
		return newError(CodeInvalidRequest, malformedBody+": there is data after the JSON object; send exactly one object")
	}
	return nil
}
