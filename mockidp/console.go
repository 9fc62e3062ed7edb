package mockidp

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The admin console: the pages an Okta admin uses to set up a SAML app
// integration, server-rendered with small scripts where Okta's console has
// them. Applications → Create App Integration → SAML 2.0 → General Settings
// → Configure SAML (with the advanced settings) → Feedback; then the app's
// General (SAML settings, Edit), Sign On (metadata details, SAML Signing
// Certificates with Actions → Download certificate / View IdP metadata /
// Activate, Generate new certificate) and Assignments (Assign to People /
// Groups) tabs. Elements carry stable ids and data- attributes for
// browser drivers. The console requires an admin sign-in (admin_auth.go).

// ConsolePath is where the admin console starts: the Applications page.
const ConsolePath = "/admin/apps/active"

const (
	consoleWizardPath = "/admin/apps/saml-wizard/new"
	maxConsoleForm    = 1 << 20
)

//go:embed templates/console/*.html
var consoleFS embed.FS

var consoleTemplates = template.Must(template.New("console").ParseFS(consoleFS, "templates/console/*.html"))

// consoleRoutes wires the admin console.
func (idp *IdP) consoleRoutes(m *http.ServeMux) {
	toApps := func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, ConsolePath, http.StatusFound) }
	m.HandleFunc("GET /admin", toApps)
	m.HandleFunc("GET /admin/{$}", toApps)
	m.HandleFunc("GET "+adminSigninPath, idp.handleAdminSigninPage)
	m.HandleFunc("POST "+adminSigninPath, idp.handleAdminSignin)
	admin := func(pattern string, h http.HandlerFunc) { m.HandleFunc(pattern, idp.requireAdmin(h)) }
	admin("POST "+adminSignoutPath, idp.handleAdminSignout)
	admin("GET "+ConsolePath, idp.consoleApps)
	admin("GET "+consoleWizardPath, idp.consoleWizard)
	admin("POST "+consoleWizardPath, idp.consoleWizardStep)
	base := "/admin/app/{appName}/instance/{appID}"
	admin("GET "+base+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.TrimSuffix(r.URL.Path, "/")+"/general", http.StatusFound)
	})
	admin("GET "+base+"/{tab}", idp.consoleApp)
	admin("POST "+base+"/saml-settings", idp.consoleSaveSettings)
	admin("POST "+base+"/certificates", idp.consoleGenerateCert)
	admin("POST "+base+"/certificates/{kid}/activate", idp.consoleActivateCert)
	admin("GET "+base+"/certificates/{kid}/download", idp.consoleDownloadCert)
	admin("POST "+base+"/assignments", idp.consoleAssign)
}

// consolePage is what every console page gets.
type consolePage struct {
	Title string
	// CSRF is the admin session's token, sent back by every form.
	CSRF   string
	Page   string
	Org    string
	Admin  string
	Flash  string
	Errors []string
	// Applications
	Apps            []App
	CreateDialog    bool
	CreateDialogErr string
	// wizard
	Step  int
	Label string
	Form  samlFormView
	State string
	// app
	App         App
	AppPath     string
	Tab         string
	Summary     []settingRow
	Editing     bool
	Certs       []consoleCert
	People      []consoleAssignee
	Groups      []consoleAssignee
	AssignUsers []consoleAssignee
	AssignGrps  []consoleAssignee
	Assign      string
}

type consoleCert struct {
	KID, Created, Expires, Fingerprint string
	Active                             bool
}

type consoleAssignee struct {
	ID, Name, Login, Type string
	Assigned, Direct      bool
}

func (idp *IdP) renderConsole(w http.ResponseWriter, r *http.Request, status int, name string, p consolePage) {
	p.Page = name
	p.Org = idp.org
	p.Admin = idp.admin.login
	p.CSRF = csrfToken(r)
	var buf bytes.Buffer
	if err := consoleTemplates.ExecuteTemplate(&buf, name, p); err != nil {
		http.Error(w, "internal error rendering the admin console: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// consoleNotFound is the console's 404.
func (idp *IdP) consoleNotFound(w http.ResponseWriter, r *http.Request, what string) {
	idp.renderConsole(w, r, http.StatusNotFound, "notfound", consolePage{Title: "Not found", Errors: []string{what}})
}

// parseConsoleForm reads a size-limited form; on failure it answers 400.
func (idp *IdP) parseConsoleForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxConsoleForm)
	if err := r.ParseForm(); err != nil {
		idp.renderConsole(w, r, http.StatusBadRequest, "notfound", consolePage{Title: "Bad request",
			Errors: []string{fmt.Sprintf("The form could not be read (%v). Submit it from the admin console, at most %d bytes.", err, maxConsoleForm)}})
		return false
	}
	return true
}

// ---- Applications ----

func (idp *IdP) consoleApps(w http.ResponseWriter, r *http.Request) {
	p := consolePage{Title: "Applications", Apps: idp.Apps()}
	switch mode := r.URL.Query().Get("signOnMode"); {
	case r.URL.Query().Has("create"):
		p.CreateDialog = true
	case mode != "":
		p.CreateDialog = true
		p.CreateDialogErr = fmt.Sprintf("%s app integrations are not available in this mock org: choose SAML 2.0.", echo(mode))
	}
	idp.renderConsole(w, r, http.StatusOK, "apps", p)
}

// ---- the app integration wizard ----

// wizardState carries the wizard's answers from step to step.
type wizardState struct {
	Label    string       `json:"label"`
	Settings SAMLSettings `json:"settings"`
}

func encodeWizardState(s wizardState) string {
	b, _ := json.Marshal(s)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeWizardState(v string) (wizardState, error) {
	var s wizardState
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return s, errors.New("the wizard state is not valid base64")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("the wizard state is not valid: %v", err)
	}
	return s, nil
}

// consoleWizard is "Create a new app integration" → SAML 2.0 → Next.
func (idp *IdP) consoleWizard(w http.ResponseWriter, r *http.Request) {
	if mode := r.URL.Query().Get("signOnMode"); mode != "" && mode != "SAML_2_0" {
		http.Redirect(w, r, ConsolePath+"?signOnMode="+url.QueryEscape(mode), http.StatusFound)
		return
	}
	idp.renderConsole(w, r, http.StatusOK, "wizard", consolePage{Title: "Create SAML Integration", Step: 1})
}

func checkLabel(label string) []string {
	switch {
	case label == "":
		return []string{"App name is required"}
	case len(label) > 100:
		return []string{"App name must have at most 100 characters"}
	}
	return nil
}

// consoleWizardStep handles the wizard's Next, Previous and Finish.
func (idp *IdP) consoleWizardStep(w http.ResponseWriter, r *http.Request) {
	if !idp.parseConsoleForm(w, r) {
		return
	}
	f := r.PostForm
	p := consolePage{Title: "Create SAML Integration"}
	switch f.Get("step") {
	case "general": // 1 → 2
		p.Label = strings.TrimSpace(f.Get("label"))
		if p.Errors = checkLabel(p.Label); p.Errors != nil {
			p.Step = 1
			idp.renderConsole(w, r, http.StatusBadRequest, "wizard", p)
			return
		}
		var s SAMLSettings
		if st, err := decodeWizardState(f.Get("state")); err == nil && f.Get("state") != "" {
			s = st.Settings // coming back from step 2 keeps its answers
		}
		p.Step, p.Form = 2, newSAMLFormView(s)
		idp.renderConsole(w, r, http.StatusOK, "wizard", p)
	case "saml": // 2 → 3, or back to 1
		p.Label = strings.TrimSpace(f.Get("label"))
		s := parseSAMLForm(f)
		p.State = encodeWizardState(wizardState{Label: p.Label, Settings: s})
		if f.Get("direction") == "previous" {
			p.Step = 1
			idp.renderConsole(w, r, http.StatusOK, "wizard", p)
			return
		}
		p.Errors = checkLabel(p.Label)
		if err := s.Validate(); err != nil {
			p.Errors = append(p.Errors, causes(err)...)
		}
		if p.Errors != nil {
			p.Step, p.Form = 2, newSAMLFormView(s)
			idp.renderConsole(w, r, http.StatusBadRequest, "wizard", p)
			return
		}
		p.Step = 3
		idp.renderConsole(w, r, http.StatusOK, "wizard", p)
	case "feedback": // 3 → the new app's Sign On tab
		st, err := decodeWizardState(f.Get("state"))
		if err != nil {
			p.Step, p.Errors = 1, []string{err.Error() + ": start again from Create App Integration"}
			idp.renderConsole(w, r, http.StatusBadRequest, "wizard", p)
			return
		}
		if f.Get("direction") == "previous" {
			p.Step, p.Label, p.State, p.Form = 2, st.Label, f.Get("state"), newSAMLFormView(st.Settings)
			idp.renderConsole(w, r, http.StatusOK, "wizard", p)
			return
		}
		a, err := idp.CreateApp(st.Label, st.Settings)
		if err != nil {
			p.Step, p.Label, p.Form, p.Errors = 2, st.Label, newSAMLFormView(st.Settings), causes(err)
			idp.renderConsole(w, r, http.StatusBadRequest, "wizard", p)
			return
		}
		http.Redirect(w, r, appConsolePath(*a)+"/sign-on?created=1", http.StatusSeeOther)
	default:
		p.Step, p.Errors = 1, []string{"Unknown wizard step: start again from Create App Integration"}
		idp.renderConsole(w, r, http.StatusBadRequest, "wizard", p)
	}
}

// causes lists an error's problems for an error banner.
func causes(err error) []string {
	var e *Error
	if errors.As(err, &e) && len(e.Causes) > 0 {
		return e.Causes
	}
	if errors.As(err, &e) {
		return []string{e.Message}
	}
	return []string{err.Error()}
}

// ---- an app's pages ----

func appConsolePath(a App) string { return "/admin/app/" + a.Name + "/instance/" + a.ID }

// consoleAppFor finds the app a console URL names, or answers 404.
func (idp *IdP) consoleAppFor(w http.ResponseWriter, r *http.Request) (*App, bool) {
	a, ok := idp.appByPath(r.PathValue("appID"), r.PathValue("appName"))
	if !ok || a.ID != r.PathValue("appID") {
		idp.consoleNotFound(w, r, "There is no app integration at this address. Open it again from Applications.")
		return nil, false
	}
	return a, true
}

var consoleFlashes = map[string]string{
	"created":    "The app integration was created. Copy the metadata details into the service provider, then assign people or groups.",
	"saved":      "SAML settings saved.",
	"generated":  "A new signing certificate was generated. It is Inactive: the active certificate keeps signing until you activate the new one.",
	"activated":  "The certificate is now active and signs every SAML response. Service providers that still trust only the previous certificate will reject sign-ins until they are given the new one.",
	"assigned":   "Assignment saved.",
	"unassigned": "Assignment removed.",
}

func (idp *IdP) consoleApp(w http.ResponseWriter, r *http.Request) {
	a, ok := idp.consoleAppFor(w, r)
	if !ok {
		return
	}
	tab := r.PathValue("tab")
	p := consolePage{Title: a.Label, App: *a, AppPath: appConsolePath(*a), Tab: tab}
	for k := range r.URL.Query() {
		if msg := consoleFlashes[k]; msg != "" {
			p.Flash = msg
		}
	}
	switch tab {
	case "general":
		p.Summary = settingsSummary(*a)
	case "edit-saml":
		p.Tab, p.Editing, p.Form = "general", true, newSAMLFormView(a.Settings)
	case "sign-on":
		certs, err := idp.Certificates(a.ID)
		if err != nil {
			idp.consoleNotFound(w, r, err.Error())
			return
		}
		for _, c := range certs {
			p.Certs = append(p.Certs, consoleCert{KID: c.KID, Active: c.Status == CertActive, Fingerprint: c.Fingerprint,
				Created: c.Created.UTC().Format("Jan 2, 2006"), Expires: c.ExpiresAt.UTC().Format("Jan 2, 2006")})
		}
	case "assignments":
		if !idp.fillAssignments(&p, r.URL.Query().Get("assign")) {
			idp.consoleNotFound(w, r, "The app integration no longer exists.")
			return
		}
	default:
		idp.consoleNotFound(w, r, fmt.Sprintf("The app has no %q tab: use General, Sign On or Assignments.", echo(tab)))
		return
	}
	idp.renderConsole(w, r, http.StatusOK, "app", p)
}

// fillAssignments lists who is assigned the app, and the Assign dialog's
// people or groups.
func (idp *IdP) fillAssignments(p *consolePage, dialog string) bool {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	a, err := idp.appLocked(p.App.ID)
	if err != nil {
		return false
	}
	for _, u := range sortedUsersLocked(idp) {
		name := strings.TrimSpace(u.FirstName + " " + u.LastName)
		row := consoleAssignee{ID: u.ID, Name: name, Login: u.Login, Assigned: idp.assignedLocked(a, u), Direct: a.users[u.ID]}
		if row.Assigned {
			row.Type = "Individual"
			if !row.Direct {
				row.Type = "Group"
			}
			p.People = append(p.People, row)
		}
		p.AssignUsers = append(p.AssignUsers, row)
	}
	for _, g := range idp.groupsLocked() {
		row := consoleAssignee{ID: g.ID, Name: g.Name, Assigned: a.groups[g.ID], Direct: a.groups[g.ID]}
		if row.Assigned {
			p.Groups = append(p.Groups, row)
		}
		p.AssignGrps = append(p.AssignGrps, row)
	}
	if dialog == "people" || dialog == "groups" {
		p.Assign = dialog
	}
	return true
}

func sortedUsersLocked(idp *IdP) []*userRecord {
	out := make([]*userRecord, 0, len(idp.users))
	for _, u := range idp.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *userRecord) int { return strings.Compare(strings.ToLower(a.Login), strings.ToLower(b.Login)) })
	return out
}

func (idp *IdP) groupsLocked() []Group {
	out := make([]Group, 0, len(idp.groups))
	for _, g := range idp.groups {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// consoleSaveSettings is Save on the SAML settings form.
func (idp *IdP) consoleSaveSettings(w http.ResponseWriter, r *http.Request) {
	a, ok := idp.consoleAppFor(w, r)
	if !ok || !idp.parseConsoleForm(w, r) {
		return
	}
	s := parseSAMLForm(r.PostForm)
	if _, err := idp.UpdateApp(a.ID, s); err != nil {
		idp.renderConsole(w, r, http.StatusBadRequest, "app", consolePage{Title: a.Label, App: *a, AppPath: appConsolePath(*a),
			Tab: "general", Editing: true, Form: newSAMLFormView(s), Errors: causes(err)})
		return
	}
	http.Redirect(w, r, appConsolePath(*a)+"/general?saved=1", http.StatusSeeOther)
}

// consoleGenerateCert is "Generate new certificate".
func (idp *IdP) consoleGenerateCert(w http.ResponseWriter, r *http.Request) {
	a, ok := idp.consoleAppFor(w, r)
	if !ok {
		return
	}
	if _, err := idp.GenerateCertificate(a.ID, 10); err != nil {
		idp.consoleNotFound(w, r, "The certificate could not be generated: "+err.Error())
		return
	}
	http.Redirect(w, r, appConsolePath(*a)+"/sign-on?generated=1", http.StatusSeeOther)
}

// consoleActivateCert is Actions → Activate.
func (idp *IdP) consoleActivateCert(w http.ResponseWriter, r *http.Request) {
	a, ok := idp.consoleAppFor(w, r)
	if !ok {
		return
	}
	if _, err := idp.ActivateCertificate(a.ID, r.PathValue("kid")); err != nil {
		idp.consoleNotFound(w, r, err.Error())
		return
	}
	http.Redirect(w, r, appConsolePath(*a)+"/sign-on?activated=1", http.StatusSeeOther)
}

// consoleDownloadCert is Actions → Download certificate: okta.cert, PEM.
func (idp *IdP) consoleDownloadCert(w http.ResponseWriter, r *http.Request) {
	a, ok := idp.consoleAppFor(w, r)
	if !ok {
		return
	}
	c, err := idp.certByKID(a.ID, r.PathValue("kid"))
	if err != nil {
		idp.consoleNotFound(w, r, "The app has no such certificate: open the Sign On tab again.")
		return
	}
	w.Header().Set("Content-Type", "application/x-x509-ca-cert")
	w.Header().Set("Content-Disposition", `attachment; filename="okta.cert"`)
	_, _ = w.Write(c.PEM())
}

// consoleAssign assigns or unassigns a person or a group.
func (idp *IdP) consoleAssign(w http.ResponseWriter, r *http.Request) {
	a, ok := idp.consoleAppFor(w, r)
	if !ok || !idp.parseConsoleForm(w, r) {
		return
	}
	f := r.PostForm
	var err error
	flash := "assigned"
	switch f.Get("action") {
	case "assign-user":
		err = idp.AssignUser(a.ID, f.Get("user"))
	case "unassign-user":
		err, flash = idp.UnassignUser(a.ID, f.Get("user")), "unassigned"
	case "assign-group":
		err = idp.AssignGroup(a.ID, f.Get("group"))
	case "unassign-group":
		err, flash = idp.UnassignGroup(a.ID, f.Get("group")), "unassigned"
	default:
		err = newError(CodeInvalidRequest, "unknown assignment action: use the Assign buttons")
	}
	if err != nil {
		p := consolePage{Title: a.Label, App: *a, AppPath: appConsolePath(*a), Tab: "assignments", Errors: causes(err)}
		idp.fillAssignments(&p, "")
		idp.renderConsole(w, r, http.StatusBadRequest, "app", p)
		return
	}
	target := appConsolePath(*a) + "/assignments?" + flash + "=1"
	if d := f.Get("dialog"); d == "people" || d == "groups" {
		target += "&assign=" + d
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
