package mockidp

// The admin API's directory: users and groups.

import (
	"fmt"
	"net/http"
	"time"
)

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
			missing = append(missing, fmt.Sprintf("groupIds: no group %q", echo(gid)))
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
