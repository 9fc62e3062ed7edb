package mockidp

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/samlharness/samlharness/mockidp/fault"
)

// App is a SAML 2.0 app integration.
type App struct {
	// ID is Okta's app ID ("0oa" + 17 alphanumerics).
	ID string `json:"id"`
	// Name is the app name in URLs, {org}_{labelslug}_{n}.
	Name  string `json:"name"`
	Label string `json:"label"`
	// ExternalKey is the "exk" + 17 alphanumerics key in the entity ID,
	// SSO URL and metadata URL.
	ExternalKey string `json:"externalKey"`
	// EntityID is the "Identity Provider Issuer" (the resolved SAML Issuer
	// ID, by default http://www.okta.com/{ExternalKey}).
	EntityID string `json:"entityId"`
	// SignOnURL is the "Identity Provider Single Sign-On URL",
	// {base}/app/{Name}/{ExternalKey}/sso/saml, and MetadataURL the
	// metadata's, {base}/app/{ExternalKey}/sso/saml/metadata. Both are
	// empty until the base URL is set.
	SignOnURL   string `json:"signOnUrl"`
	MetadataURL string `json:"metadataUrl"`
	// SigningKID is the kid of the active signing certificate.
	SigningKID  string        `json:"signingKid"`
	Settings    SAMLSettings  `json:"settings"`
	Faults      []fault.Fault `json:"faults"`
	Created     time.Time     `json:"created"`
	LastUpdated time.Time     `json:"lastUpdated"`
}

type appRecord struct {
	App
	compiled  *compiled
	certs     []*signingCert
	activeKID string
	users     map[string]bool // directly assigned user IDs
	groups    map[string]bool // assigned group IDs
}

func (a *appRecord) active() *signingCert { return a.cert(a.activeKID) }

func (a *appRecord) cert(kid string) *signingCert {
	for _, sc := range a.certs {
		if sc.kid == kid {
			return sc
		}
	}
	return nil
}

// copyLocked returns a copy of the app with derived URLs.
func (idp *IdP) appCopyLocked(a *appRecord) App {
	out := a.App
	out.Settings = copySettings(a.Settings)
	out.Faults = copyFaults(a.Faults)
	out.EntityID = a.Settings.issuer(a.ExternalKey)
	out.SigningKID = a.activeKID
	if idp.baseURL != "" {
		out.SignOnURL = idp.baseURL + "/app/" + a.Name + "/" + a.ExternalKey + "/sso/saml"
		out.MetadataURL = idp.baseURL + "/app/" + a.ExternalKey + "/sso/saml/metadata"
	}
	return out
}

func copyFaults(fs []fault.Fault) []fault.Fault {
	if fs == nil {
		return []fault.Fault{}
	}
	out := make([]fault.Fault, len(fs))
	for i, f := range fs {
		out[i] = fault.Fault{Name: f.Name}
		if f.Params != nil {
			out[i].Params = make(map[string]string, len(f.Params))
			for k, v := range f.Params {
				out[i].Params[k] = v
			}
		}
	}
	return out
}

func labelSlug(label string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "app"
	}
	return b.String()
}

// CreateApp creates a SAML 2.0 app integration with settings s (validated;
// every problem is listed) and one Active signing certificate, whose key
// comes from Config.NewKey.
func (idp *IdP) CreateApp(label string, s SAMLSettings) (*App, error) {
	label = strings.TrimSpace(label)
	c, err := compileSettings(s)
	if label == "" || len(label) > 100 {
		cause := "App name (label) is required"
		if label != "" {
			cause = "App name (label) is longer than 100 characters"
		}
		var e *Error
		if err != nil {
			e = err.(*Error)
			e.Causes = append([]string{cause}, e.Causes...)
			e.Message = fmt.Sprintf("the app integration has %d problems", len(e.Causes))
		} else {
			e = &Error{Code: CodeInvalidSettings, Message: "the app integration has 1 problem", Causes: []string{cause}}
		}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	key, err := idp.newKey()
	if err != nil {
		return nil, wrapError(CodeKeyUnavailable, "Config.NewKey failed", err)
	}
	now := idp.now()
	sc, err := newSigningCert(idp.ids.kid(), key, idp.org, now, 10)
	if err != nil {
		return nil, err
	}

	idp.mu.Lock()
	defer idp.mu.Unlock()
	slug := labelSlug(label)
	n := 1
	prefix := idp.org + "_" + slug + "_"
	for _, a := range idp.apps {
		if strings.HasPrefix(a.Name, prefix) {
			n++
		}
	}
	a := &appRecord{
		App: App{
			ID:          idp.ids.appID(),
			Name:        fmt.Sprintf("%s%d", prefix, n),
			Label:       label,
			ExternalKey: idp.ids.externalKey(),
			Settings:    copySettings(s),
			Created:     now,
			LastUpdated: now,
		},
		compiled:  c,
		certs:     []*signingCert{sc},
		activeKID: sc.kid,
		users:     map[string]bool{},
		groups:    map[string]bool{},
	}
	idp.apps[a.ID] = a
	idp.appByKey[a.ExternalKey] = a.ID
	idp.appOrder = append(idp.appOrder, a.ID)
	out := idp.appCopyLocked(a)
	return &out, nil
}

// UpdateApp replaces the app's SAML settings with s (validated; every
// problem is listed and nothing changes on error).
func (idp *IdP) UpdateApp(appID string, s SAMLSettings) (*App, error) {
	c, err := compileSettings(s)
	if err != nil {
		return nil, err
	}
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return nil, err
	}
	a.Settings = copySettings(s)
	a.compiled = c
	a.LastUpdated = idp.now()
	out := idp.appCopyLocked(a)
	return &out, nil
}

// SetLabel renames the app (its Name, used in URLs, does not change, as in
// Okta).
func (idp *IdP) SetLabel(appID, label string) error {
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 100 {
		return &Error{Code: CodeInvalidSettings, Message: "the app integration has 1 problem", Causes: []string{"App name (label) must have 1 to 100 characters"}}
	}
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return err
	}
	a.Label = label
	a.LastUpdated = idp.now()
	return nil
}

// App returns the app with the given ID (or external key).
func (idp *IdP) App(id string) (*App, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	a, err := idp.appLocked(id)
	if err != nil {
		return nil, err
	}
	out := idp.appCopyLocked(a)
	return &out, nil
}

// Apps returns every app, in creation order.
func (idp *IdP) Apps() []App {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	out := make([]App, 0, len(idp.appOrder))
	for _, id := range idp.appOrder {
		out = append(out, idp.appCopyLocked(idp.apps[id]))
	}
	return out
}

func (idp *IdP) appLocked(id string) (*appRecord, error) {
	if a, ok := idp.apps[id]; ok {
		return a, nil
	}
	if appID, ok := idp.appByKey[id]; ok {
		return idp.apps[appID], nil
	}
	return nil, newError(CodeAppNotFound, fmt.Sprintf("no app integration with ID or external key %q in org %s", echo(id), idp.org))
}

// AssignUser assigns the app to the user (ID or login) directly.
func (idp *IdP) AssignUser(appID, user string) error { return idp.assignUser(appID, user, true) }

// UnassignUser removes the user's direct assignment (a group assignment
// may still grant access).
func (idp *IdP) UnassignUser(appID, user string) error { return idp.assignUser(appID, user, false) }

// AssignGroup assigns the app to every member of the group (ID or name).
func (idp *IdP) AssignGroup(appID, group string) error { return idp.assignGroup(appID, group, true) }

// UnassignGroup removes the group's assignment.
func (idp *IdP) UnassignGroup(appID, group string) error {
	return idp.assignGroup(appID, group, false)
}

func (idp *IdP) assignUser(appID, user string, on bool) error {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return err
	}
	u, err := idp.userLocked(user)
	if err != nil {
		return err
	}
	setMember(a.users, u.ID, on)
	return nil
}

func (idp *IdP) assignGroup(appID, group string, on bool) error {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return err
	}
	g, err := idp.groupLocked(group)
	if err != nil {
		return err
	}
	setMember(a.groups, g.ID, on)
	return nil
}

// setMember adds id to or removes it from set.
func setMember(set map[string]bool, id string, on bool) {
	if on {
		set[id] = true
	} else {
		delete(set, id)
	}
}

// AppUsers returns the users assigned the app, directly or through a group,
// by login.
func (idp *IdP) AppUsers(appID string) ([]User, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, rec := range idp.users {
		if idp.assignedLocked(a, rec) {
			out = append(out, idp.userCopyLocked(rec))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out, nil
}

// AppGroups returns the groups assigned the app, by name.
func (idp *IdP) AppGroups(appID string) ([]Group, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return nil, err
	}
	var out []Group
	for gid := range a.groups {
		if g, ok := idp.groups[gid]; ok {
			out = append(out, *g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// assignedLocked reports whether the user is assigned the app, directly or
// through one of their groups (Everyone included).
func (idp *IdP) assignedLocked(a *appRecord, rec *userRecord) bool {
	if a.users[rec.ID] || a.groups[idp.everyoneID] {
		return true
	}
	for gid := range rec.groups {
		if a.groups[gid] {
			return true
		}
	}
	return false
}

// SetFaults sets the faults the app applies to every response (validated
// with fault.Validate; nothing changes on error). No faults restores
// Okta's behaviour.
func (idp *IdP) SetFaults(appID string, faults ...fault.Fault) error {
	if err := fault.Validate(faults); err != nil {
		return faultsError(err)
	}
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return err
	}
	a.Faults = copyFaults(faults)
	a.LastUpdated = idp.now()
	return nil
}
