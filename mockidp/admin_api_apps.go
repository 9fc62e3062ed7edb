package mockidp

// The admin API's app integrations: apps, their assignments and faults.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/samlharness/samlharness/mockidp/fault"
)

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
