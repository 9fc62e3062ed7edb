package mockidp

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/samlharness/samlharness/mockidp/fault"
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
		m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
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
			idp.apiError(w, &Error{Code: CodeMethodNotAllowed, Message: fmt.Sprintf("%s is not supported on %s: use %s", r.Method, r.URL.Path, strings.Join(allowed, " or "))})
		})
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
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		idp.apiError(w, &Error{Code: CodeNotFound, Message: fmt.Sprintf("no API endpoint %s: see /api/v1/apps, /api/v1/users, /api/v1/groups", r.URL.Path)})
	})
}

// ---- errors and bodies ----

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
	if len(body.ErrorCauses) == 0 {
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
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: invalid JSON at byte %d (%v)", malformedBody, syn.Offset, syn))
		case errors.As(err, &typ):
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: field %q must be a %s, not a JSON %s", malformedBody, typ.Field, typ.Type, typ.Value))
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: %s is not a known field; check its spelling (fields are camelCase)", malformedBody, strings.TrimPrefix(err.Error(), "json: unknown field ")))
		default:
			return newError(CodeInvalidRequest, fmt.Sprintf("%s: %v", malformedBody, err))
		}
	}
	if dec.More() {
		return newError(CodeInvalidRequest, malformedBody+": there is data after the JSON object; send exactly one object")
	}
	return nil
}

// ---- apps ----

type appResource struct {
	App
	Status      string `json:"status"`
	SignOnMode  string `json:"signOnMode"`
	Credentials struct {
		Signing struct {
			KID string `json:"kid"`
		} `json:"signing"`
	} `json:"credentials"`
}

func toAppResource(a App) appResource {
	r := appResource{App: a, Status: "ACTIVE", SignOnMode: "SAML_2_0"}
	r.Credentials.Signing.KID = a.SigningKID
	return r
}

func (idp *IdP) apiListApps(w http.ResponseWriter, r *http.Request) {
	apps := idp.Apps()
	out := make([]appResource, len(apps))
	for i, a := range apps {
		out[i] = toAppResource(a)
	}
	writeJSON(w, http.StatusOK, out)
}

type appRequest struct {
	Label    *string        `json:"label"`
	Settings *SAMLSettings  `json:"settings"`
	Faults   *[]fault.Fault `json:"faults"`
}

func (idp *IdP) apiCreateApp(w http.ResponseWriter, r *http.Request) {
	var req appRequest
	if err := readJSON(w, r, &req); err != nil {
		idp.apiError(w, err)
		return
	}
	var s SAMLSettings
	if req.Settings != nil {
		s = *req.Settings
	}
	label := ""
	if req.Label != nil {
		label = *req.Label
	}
	if req.Faults != nil {
		if err := fault.Validate(*req.Faults); err != nil {
			idp.apiError(w, faultsError(err))
			return
		}
	}
	a, err := idp.CreateApp(label, s)
	if err != nil {
		idp.apiError(w, err)
		return
	}
	if req.Faults != nil {
		if err := idp.SetFaults(a.ID, *req.Faults...); err != nil {
			idp.apiError(w, err)
			return
		}
		if a, err = idp.App(a.ID); err != nil {
			idp.apiError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusCreated, toAppResource(*a))
}

func (idp *IdP) apiGetApp(w http.ResponseWriter, r *http.Request) {
	a, err := idp.App(r.PathValue("id"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toAppResource(*a))
}

// apiUpdateApp replaces the settings (and/or label, faults) given.
func (idp *IdP) apiUpdateApp(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var req appRequest
	if err := readJSON(w, r, &req); err != nil {
		idp.apiError(w, err)
		return
	}
	if req.Label == nil && req.Settings == nil && req.Faults == nil {
		idp.apiError(w, newError(CodeInvalidRequest, "nothing to update: send label, settings and/or faults"))
		return
	}
	if _, err := idp.App(id); err != nil {
		idp.apiError(w, err)
		return
	}
	// Validate everything before changing anything.
	var problems []string
	if req.Settings != nil {
		if err := req.Settings.Validate(); err != nil {
			problems = append(problems, err.(*Error).Causes...)
		}
	}
	if req.Label != nil && (strings.TrimSpace(*req.Label) == "" || len(strings.TrimSpace(*req.Label)) > 100) {
		problems = append(problems, "App name (label) must have 1 to 100 characters")
	}
	if req.Faults != nil {
		if err := fault.Validate(*req.Faults); err != nil {
			problems = append(problems, faultsError(err).Causes...)
		}
	}
	if len(problems) > 0 {
		idp.apiError(w, &Error{Code: CodeInvalidSettings, Message: fmt.Sprintf("the update has %d problem(s); nothing was changed", len(problems)), Causes: problems})
		return
	}
	if req.Settings != nil {
		if _, err := idp.UpdateApp(id, *req.Settings); err != nil {
			idp.apiError(w, err)
			return
		}
	}
	if req.Label != nil {
		if err := idp.SetLabel(id, *req.Label); err != nil {
			idp.apiError(w, err)
			return
		}
	}
	if req.Faults != nil {
		if err := idp.SetFaults(id, *req.Faults...); err != nil {
			idp.apiError(w, err)
			return
		}
	}
	idp.apiGetApp(w, r)
}

type appUserResource struct {
	ID          string `json:"id"`
	Scope       string `json:"scope"`
	Credentials struct {
		UserName string `json:"userName"`
	} `json:"credentials"`
}

func (idp *IdP) apiAppUsers(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	users, err := idp.AppUsers(id)
	if err != nil {
		idp.apiError(w, err)
		return
	}
	idp.mu.RLock()
	a, err := idp.appLocked(id)
	var direct map[string]bool
	var username expr
	if err == nil {
		direct = make(map[string]bool, len(a.users))
		for k := range a.users {
			direct[k] = true
		}
		username = a.compiled.username
	}
	idp.mu.RUnlock()
	if err != nil {
		idp.apiError(w, err)
		return
	}
	out := make([]appUserResource, len(users))
	for i := range users {
		out[i].ID = users[i].ID
		out[i].Scope = "GROUP"
		if direct[users[i].ID] {
			out[i].Scope = "USER"
		}
		out[i].Credentials.UserName = username(&users[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// apiAssignUser assigns a user: POST /apps/{id}/users {"id": userId} as in
// Okta, or PUT /apps/{id}/users/{uid}.
func (idp *IdP) apiAssignUser(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	if uid == "" {
		var req struct {
			ID          string          `json:"id"`
			Scope       string          `json:"scope"`
			Credentials json.RawMessage `json:"credentials"`
		}
		if err := readJSON(w, r, &req); err != nil {
			idp.apiError(w, err)
			return
		}
		if req.ID == "" {
			idp.apiError(w, newError(CodeInvalidRequest, `the body needs the user's "id" (or login)`))
			return
		}
		uid = req.ID
	}
	if err := idp.AssignUser(r.PathValue("id"), uid); err != nil {
		idp.apiError(w, err)
		return
	}
	u, _ := idp.User(uid)
	res := appUserResource{ID: u.ID, Scope: "USER"}
	idp.mu.RLock()
	if a, err := idp.appLocked(r.PathValue("id")); err == nil {
		res.Credentials.UserName = a.compiled.username(&u)
	}
	idp.mu.RUnlock()
	writeJSON(w, http.StatusOK, res)
}

func (idp *IdP) apiUnassignUser(w http.ResponseWriter, r *http.Request) {
	if err := idp.UnassignUser(r.PathValue("id"), r.PathValue("uid")); err != nil {
		idp.apiError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (idp *IdP) apiAppGroups(w http.ResponseWriter, r *http.Request) {
	groups, err := idp.AppGroups(r.PathValue("id"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	out := make([]map[string]string, len(groups))
	for i, g := range groups {
		out[i] = map[string]string{"id": g.ID, "name": g.Name}
	}
	writeJSON(w, http.StatusOK, out)
}

func (idp *IdP) apiAssignGroup(w http.ResponseWriter, r *http.Request) {
	if err := idp.AssignGroup(r.PathValue("id"), r.PathValue("gid")); err != nil {
		idp.apiError(w, err)
		return
	}
	g, _ := idp.Group(r.PathValue("gid"))
	writeJSON(w, http.StatusOK, map[string]string{"id": g.ID, "name": g.Name})
}

func (idp *IdP) apiUnassignGroup(w http.ResponseWriter, r *http.Request) {
	if err := idp.UnassignGroup(r.PathValue("id"), r.PathValue("gid")); err != nil {
		idp.apiError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- keys ----

type keyResource struct {
	KID         string     `json:"kid"`
	Status      CertStatus `json:"status"`
	Kty         string     `json:"kty"`
	Use         string     `json:"use"`
	Created     time.Time  `json:"created"`
	LastUpdated time.Time  `json:"lastUpdated"`
	ExpiresAt   time.Time  `json:"expiresAt"`
	X5C         []string   `json:"x5c"`
	X5TS256     string     `json:"x5t#S256"`
	E           string     `json:"e"`
	N           string     `json:"n"`
	Fingerprint string     `json:"fingerprint"`
}

func toKeyResource(c Certificate) keyResource {
	sum := sha256.Sum256(c.X509.Raw)
	k := keyResource{
		KID: c.KID, Status: c.Status, Kty: "RSA", Use: "sig",
		Created: c.Created, LastUpdated: c.Created, ExpiresAt: c.ExpiresAt,
		X5C:         []string{base64.StdEncoding.EncodeToString(c.X509.Raw)},
		X5TS256:     base64.RawURLEncoding.EncodeToString(sum[:]),
		Fingerprint: c.Fingerprint,
	}
	if pub, ok := c.X509.PublicKey.(*rsa.PublicKey); ok {
		k.N = base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
		k.E = base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	}
	return k
}

func (idp *IdP) apiListKeys(w http.ResponseWriter, r *http.Request) {
	certs, err := idp.Certificates(r.PathValue("id"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	out := make([]keyResource, len(certs))
	for i, c := range certs {
		out[i] = toKeyResource(c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (idp *IdP) certByKID(appID, kid string) (Certificate, error) {
	certs, err := idp.Certificates(appID)
	if err != nil {
		return Certificate{}, err
	}
	for _, c := range certs {
		if c.KID == kid {
			return c, nil
		}
	}
	return Certificate{}, newError(CodeCertNotFound, fmt.Sprintf("app %s has no certificate with kid %q", appID, kid))
}

func (idp *IdP) apiGetKey(w http.ResponseWriter, r *http.Request) {
	c, err := idp.certByKID(r.PathValue("id"), r.PathValue("kid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toKeyResource(c))
}

func (idp *IdP) apiGenerateKey(w http.ResponseWriter, r *http.Request) {
	years := 10
	if v := r.URL.Query().Get("validityYears"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			idp.apiError(w, newError(CodeInvalidRequest, fmt.Sprintf("validityYears %q is not a whole number of years (2 to 10)", v)))
			return
		}
		years = n
	}
	c, err := idp.GenerateCertificate(r.PathValue("id"), years)
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, toKeyResource(c))
}

func (idp *IdP) apiActivateKey(w http.ResponseWriter, r *http.Request) {
	c, err := idp.ActivateCertificate(r.PathValue("id"), r.PathValue("kid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toKeyResource(c))
}

// apiDownloadCert is "Download certificate": okta.cert, PEM with
// 76-character lines.
func (idp *IdP) apiDownloadCert(w http.ResponseWriter, r *http.Request) {
	c, err := idp.certByKID(r.PathValue("id"), r.PathValue("kid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-x509-ca-cert")
	w.Header().Set("Content-Disposition", `attachment; filename="okta.cert"`)
	_, _ = w.Write(c.PEM())
}

func (idp *IdP) apiMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := idp.Metadata(r.PathValue("id"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(md)
}

// ---- faults ----

type faultsBody struct {
	Faults []fault.Fault `json:"faults"`
}

func (idp *IdP) apiGetFaults(w http.ResponseWriter, r *http.Request) {
	a, err := idp.App(r.PathValue("id"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, faultsBody{a.Faults})
}

func (idp *IdP) apiSetFaults(w http.ResponseWriter, r *http.Request) {
	var req faultsBody
	if err := readJSON(w, r, &req); err != nil {
		idp.apiError(w, err)
		return
	}
	if err := idp.SetFaults(r.PathValue("id"), req.Faults...); err != nil {
		idp.apiError(w, err)
		return
	}
	idp.apiGetFaults(w, r)
}

func (idp *IdP) apiListFaultSpecs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, fault.All())
}

// ---- users and groups ----

type userProfile struct {
	Login     string `json:"login"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

type userResource struct {
	ID      string      `json:"id"`
	Status  string      `json:"status"`
	Profile userProfile `json:"profile"`
	Groups  []string    `json:"groups"`
}

func toUserResource(u User) userResource {
	return userResource{ID: u.ID, Status: "ACTIVE", Groups: u.Groups,
		Profile: userProfile{Login: u.Login, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName}}
}

func (idp *IdP) apiListUsers(w http.ResponseWriter, r *http.Request) {
	users := idp.Users()
	out := make([]userResource, len(users))
	for i, u := range users {
		out[i] = toUserResource(u)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiCreateUser takes Okta's shape: {"profile": {...}, "credentials":
// {"password": {"value": "…"}}, "groupIds": [...]}; "groups" (names) is the
// harness's shortcut.
func (idp *IdP) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Profile     userProfile `json:"profile"`
		Credentials struct {
			Password struct {
				Value string `json:"value"`
			} `json:"password"`
		} `json:"credentials"`
		GroupIDs []string `json:"groupIds"`
		Groups   []string `json:"groups"`
	}
	if err := readJSON(w, r, &req); err != nil {
		idp.apiError(w, err)
		return
	}
	var missing []string
	for _, gid := range req.GroupIDs {
		if _, err := idp.Group(gid); err != nil {
			missing = append(missing, fmt.Sprintf("groupIds: no group %q", gid))
		}
	}
	if len(missing) > 0 {
		idp.apiError(w, &Error{Code: CodeGroupNotFound, Message: "the user names groups that do not exist", Causes: missing})
		return
	}
	u, err := idp.AddUser(User{
		Login: req.Profile.Login, Email: req.Profile.Email, FirstName: req.Profile.FirstName, LastName: req.Profile.LastName,
		Password: req.Credentials.Password.Value, Groups: req.Groups,
	})
	if err != nil {
		idp.apiError(w, err)
		return
	}
	for _, gid := range req.GroupIDs {
		if err := idp.AddUserToGroup(u.ID, gid); err != nil {
			idp.apiError(w, err)
			return
		}
	}
	u, _ = idp.User(u.ID)
	writeJSON(w, http.StatusOK, toUserResource(u))
}

func (idp *IdP) apiGetUser(w http.ResponseWriter, r *http.Request) {
	u, err := idp.User(r.PathValue("uid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserResource(u))
}

type groupResource struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Profile struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
	} `json:"profile"`
	Created time.Time `json:"created"`
}

func toGroupResource(g Group) groupResource {
	r := groupResource{ID: g.ID, Type: "OKTA_GROUP", Created: g.Created}
	if g.Name == "Everyone" {
		r.Type = "BUILT_IN"
	}
	r.Profile.Name, r.Profile.Description = g.Name, g.Description
	return r
}

func (idp *IdP) apiListGroups(w http.ResponseWriter, r *http.Request) {
	groups := idp.Groups()
	out := make([]groupResource, len(groups))
	for i, g := range groups {
		out[i] = toGroupResource(g)
	}
	writeJSON(w, http.StatusOK, out)
}

func (idp *IdP) apiCreateGroup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Profile struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"profile"`
	}
	if err := readJSON(w, r, &req); err != nil {
		idp.apiError(w, err)
		return
	}
	g, err := idp.AddGroup(req.Profile.Name)
	if err != nil {
		idp.apiError(w, err)
		return
	}
	if req.Profile.Description != "" {
		idp.mu.Lock()
		if rec, ok := idp.groups[g.ID]; ok {
			rec.Description = req.Profile.Description
			g = *rec
		}
		idp.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, toGroupResource(g))
}

func (idp *IdP) apiGetGroup(w http.ResponseWriter, r *http.Request) {
	g, err := idp.Group(r.PathValue("gid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toGroupResource(g))
}

func (idp *IdP) apiAddGroupMember(w http.ResponseWriter, r *http.Request) {
	if err := idp.AddUserToGroup(r.PathValue("uid"), r.PathValue("gid")); err != nil {
		idp.apiError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (idp *IdP) apiRemoveGroupMember(w http.ResponseWriter, r *http.Request) {
	if err := idp.RemoveUserFromGroup(r.PathValue("uid"), r.PathValue("gid")); err != nil {
		idp.apiError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
