package mockidp

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
)

// The IdP's HTML pages: plain server-rendered HTML that looks like an Okta
// org, with stable ids and data- attributes for drivers.

const pageCSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:#f4f4f4;color:#1d1d21}
.okta-header{background:#fff;border-bottom:1px solid #e5e5e5;padding:14px 24px;display:flex;align-items:center;gap:12px}
.okta-logo{font-weight:700;font-size:22px;letter-spacing:-.5px;color:#00297a}
.okta-org{color:#6e6e78;font-size:13px}
.okta-card{max-width:400px;margin:48px auto;background:#fff;border:1px solid #ddd;border-radius:6px;box-shadow:0 2px 6px rgba(0,0,0,.08);padding:32px 42px}
.okta-card:before{content:"okta";display:block;text-align:center;font-weight:700;font-size:30px;letter-spacing:-.8px;color:#00297a;padding-bottom:22px;margin:0 -42px 24px;border-bottom:1px solid #e5e5e5}
.remember{display:flex;gap:8px;align-items:center;font-weight:400;margin-top:16px}
.help-links{margin:18px 0 0;font-size:13px;color:#1662dd;border-top:1px solid #eee;padding-top:14px}
.okta-card.wide{max-width:720px}
h1{font-size:20px;font-weight:600;margin:0 0 20px;text-align:center}
label{display:block;font-size:14px;font-weight:600;margin:14px 0 6px}
input[type=text],input[type=password]{width:100%;padding:9px 10px;border:1px solid #8c8c96;border-radius:4px;font-size:14px}
.button-primary{width:100%;margin-top:22px;padding:10px;border:0;border-radius:4px;background:#1662dd;color:#fff;font-size:15px;cursor:pointer}
.o-form-error-container{background:#fff0f0;border:1px solid #e34843;color:#a4201b;border-radius:4px;padding:10px 12px;margin-bottom:12px;font-size:14px}
.okta-error{text-align:center}
.okta-error p{line-height:1.5}
.app-tiles{display:flex;flex-wrap:wrap;gap:16px;list-style:none;padding:0}
.app-tile{display:block;width:150px;padding:18px 10px;border:1px solid #ddd;border-radius:6px;text-align:center;text-decoration:none;color:#1d1d21;background:#fafafa}
.app-tile:hover{border-color:#1662dd}
.muted{color:#6e6e78;font-size:13px;text-align:center}
`

const layoutTemplate = `{{define "layout"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body data-okta-page="{{.Page}}">
<header class="okta-header"><span class="okta-logo">okta</span><span class="okta-org" id="okta-org">{{.Org}}</span></header>
{{template "content" .}}
</body>
</html>
{{end}}`

var pageTemplates = map[string]string{
	"login": `{{define "content"}}<main class="okta-card" id="okta-sign-in">
<h1>Sign In</h1>
{{if .Error}}<div class="o-form-error-container" role="alert" data-okta-error="sign-in-failed" id="sign-in-error">{{.Error}}</div>{{end}}
<form id="form-signin" method="POST" action="{{.Action}}" autocomplete="off">
<label for="okta-signin-username">Username</label>
<input type="text" id="okta-signin-username" name="username" value="{{.Username}}" autofocus>
<label for="okta-signin-password">Password</label>
<input type="password" id="okta-signin-password" name="password">
<input type="hidden" name="fromURI" value="{{.FromURI}}">
<label class="remember" for="okta-remember-me"><input type="checkbox" id="okta-remember-me" name="remember"> Keep me signed in</label>
<input type="submit" class="button-primary" id="okta-signin-submit" value="Sign In">
</form>
<p class="help-links"><span>Need help signing in?</span></p>
</main>{{end}}`,

	"post": `{{define "content"}}<main class="okta-card" id="okta-app-post" data-acs="{{.ACS}}">
<h1>Signing in&hellip;</h1>
<form id="appForm" method="POST" action="{{.ACS}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}"/>
{{end}}<noscript><p class="muted">JavaScript is off: press Continue to sign in.</p><input type="submit" class="button-primary" id="continue" value="Continue"></noscript>
</form>
<script>document.getElementById('appForm').submit()</script>
</main>{{end}}`,

	"error": `{{define "content"}}<main class="okta-card okta-error" data-okta-error="{{.ErrorCode}}"{{if .Reason}} data-reason="{{.Reason}}"{{end}} id="okta-error">
<h1>{{.Heading}}</h1>
<p id="okta-error-message">{{.Message}}</p>
{{if .Home}}<p><a href="/app/UserHome" id="go-home">Go to Homepage</a></p>{{end}}
</main>{{end}}`,

	"home": `{{define "content"}}<main class="okta-card wide" id="user-home" data-user-login="{{.Login}}">
<h1>My Apps</h1>
{{if .Apps}}<ul class="app-tiles">
{{range .Apps}}<li><a class="app-tile" data-app-id="{{.ID}}" data-app-name="{{.Name}}" href="/home/{{.Name}}/{{.ID}}">{{.Label}}</a></li>
{{end}}</ul>{{else}}<p class="muted" id="no-apps">No apps are assigned to you.</p>{{end}}
<p class="muted"><a href="/login/signout" id="sign-out">Sign out</a></p>
</main>{{end}}`,
}

var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for name, content := range pageTemplates {
		t := template.Must(template.New("layout").Parse(layoutTemplate))
		out[name] = template.Must(t.Parse(content))
	}
	return out
}()

// pageData is what every page gets.
type pageData struct {
	Title string
	Page  string
	Org   string
	CSS   template.CSS
	// login; Action is where the form posts (default the end-user sign-in)
	Error, Username, FromURI, Action string
	// post
	ACS    string
	Fields []formField
	// error
	ErrorCode, Heading, Message string
	Reason                      RequestReason
	Home                        bool
	// home
	Login string
	Apps  []App
}

type formField struct{ Name, Value string }

func (idp *IdP) render(w http.ResponseWriter, status int, page string, d pageData) {
	d.Page = page
	d.Org = idp.org
	if d.Action == "" {
		d.Action = loginPath
	}
	d.CSS = template.CSS(pageCSS)
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", d); err != nil {
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError renders one of Okta's error pages.
func (idp *IdP) renderError(w http.ResponseWriter, status int, title, code, message string) {
	idp.render(w, status, "error", pageData{Title: title, ErrorCode: code, Heading: title, Message: message, Home: status == http.StatusForbidden})
}

// formFields lists the form values, SAMLResponse first, then RelayState,
// then any others, each key with all of its values in order.
func formFields(form url.Values) []formField {
	var out []formField
	seen := map[string]bool{}
	add := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		for _, v := range form[k] {
			out = append(out, formField{k, v})
		}
	}
	add("SAMLResponse")
	add("RelayState")
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		add(k)
	}
	return out
}
