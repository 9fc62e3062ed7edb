package browser

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Workspace drives the workspace SP's pages in a tab: Workspace settings →
// Security & SSO for the admin, and sign-in for a user.
type Workspace struct {
	Tab *Tab
	// Base is the SP's base URL; ID the workspace's.
	Base, ID string
}

// Selectors of the Security & SSO page.
const (
	WSProvider       = "#sso-provider"
	WSSPEntityID     = "#sp-entity-id"
	WSRedirectURL    = "#redirect-url"
	WSIdPEntityID    = "#idp-entity-id"
	WSIdPSignInURL   = "#idp-sign-in-url"
	WSAcknowledge    = "#acknowledge"
	WSCertificateIn  = "#certificate-input"
	WSCertificateRow = "#certificate-list li[data-certificate-index]"
)

// securityPage matches the Security & SSO page (the sign-in page has an
// #sso-form too).
const securityPage = "#security-settings #sso-form"

// SecuritySSO opens Workspace settings → Security & SSO (the tab must be
// signed in as a workspace admin: see SignInAsAdmin).
func (w Workspace) SecuritySSO() error {
	if err := w.Tab.Navigate(w.Base + "/app/settings/security?workspace=" + url.QueryEscape(w.ID)); err != nil {
		return err
	}
	return w.Tab.WaitVisible(securityPage)
}

// SignInAsAdmin opens Security & SSO as a visitor would: the workspace
// sends a visitor who is not signed in to its sign-in page, where the
// admin signs in with email and password and lands back on Security & SSO.
func (w Workspace) SignInAsAdmin(email, password string) error {
	t := w.Tab
	if err := t.Navigate(w.Base + "/app/settings/security?workspace=" + url.QueryEscape(w.ID)); err != nil {
		return err
	}
	if err := t.WaitVisible(securityPage + ", #password-form"); err != nil {
		return err
	}
	if ok, _ := t.Has(securityPage); ok {
		return nil // already signed in
	}
	for _, step := range []func() error{
		func() error { return t.Type("#admin-email", email) },
		func() error { return t.Type("#admin-password", password) },
		func() error { return t.ClickToPage("#password-continue", securityPage+", #password-sign-in-error") },
	} {
		if err := step(); err != nil {
			return fmt.Errorf("workspace admin sign-in: %w", err)
		}
	}
	if ok, _ := t.Has("#password-sign-in-error"); ok {
		msg, _ := t.Text("#password-sign-in-error")
		return fmt.Errorf("workspace admin sign-in refused: %s", msg)
	}
	return nil
}

// Copy clicks the Copy button of a read-only field ("sp-entity-id",
// "redirect-url") and waits until the page says it copied.
func (w Workspace) Copy(field string) error {
	btn := "#copy-" + field
	if err := w.Tab.Click(btn); err != nil {
		return err
	}
	return w.Tab.WaitVisible(btn + "[data-copied]")
}

// AddCertificate is Add Certificate → paste the PEM → Add.
func (w Workspace) AddCertificate(pem string) error {
	t := w.Tab
	before, err := t.Count(WSCertificateRow)
	if err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return t.Click("#add-certificate") },
		func() error { return t.WaitVisible(WSCertificateIn) },
		func() error { return t.Paste(WSCertificateIn, pem) },
		func() error { return t.Click("#add-certificate-confirm") },
		func() error {
			return t.WaitVisible(fmt.Sprintf(`#certificate-list li[data-certificate-index="%d"]`, before))
		},
	} {
		if err := step(); err != nil {
			return fmt.Errorf("Add Certificate: %w", err)
		}
	}
	return nil
}

// RemoveCertificates clicks Remove on every certificate.
func (w Workspace) RemoveCertificates() error {
	for {
		n, err := w.Tab.Count(WSCertificateRow)
		if err != nil || n == 0 {
			return err
		}
		if err := w.Tab.Click(WSCertificateRow + " [data-remove]"); err != nil {
			return err
		}
	}
}

// DomainChoices opens Add Domain and lists the domains it offers (the
// verified domains not yet added); the dialog stays open.
func (w Workspace) DomainChoices() ([]string, error) {
	if err := w.Tab.Click("#add-domain"); err != nil {
		return nil, err
	}
	if err := w.Tab.WaitVisible("#add-domain-dialog"); err != nil {
		return nil, err
	}
	v, err := w.Tab.Eval(`JSON.stringify(Array.prototype.map.call(document.querySelectorAll('#domain-select option'), function (o) { return o.value; }))`)
	if err != nil {
		return nil, err
	}
	var out []string
	return out, json.Unmarshal([]byte(v), &out)
}

// AddDomain is Add Domain → select the verified domain → Add.
func (w Workspace) AddDomain(domain string) error {
	if _, err := w.DomainChoices(); err != nil {
		return fmt.Errorf("Add Domain: %w", err)
	}
	if err := w.Tab.Select("#domain-select", domain); err != nil {
		return fmt.Errorf("Add Domain: %w", err)
	}
	if err := w.Tab.Click("#add-domain-confirm"); err != nil {
		return fmt.Errorf("Add Domain: %w", err)
	}
	return w.Tab.WaitVisible(fmt.Sprintf(`#domain-list li[data-domain=%s]`, jsString(domain)))
}

// CloseDialog closes an open dialog with its Cancel button ("add-domain",
// "add-certificate").
func (w Workspace) CloseDialog(name string) error {
	return w.Tab.Click("#" + name + "-cancel")
}

// UpdateResult is what the page says after Update SSO.
type UpdateResult struct {
	OK bool
	// Message is the banner's text.
	Message string
	// Problems are the problem codes listed when SSO was not updated.
	Problems []string
	// Warnings are the warning codes listed after the update.
	Warnings []string
}

// UpdateSSO ticks the acknowledgement (when ack) and clicks Update SSO.
func (w Workspace) UpdateSSO(ack bool) (UpdateResult, error) {
	t := w.Tab
	if err := t.SetChecked(WSAcknowledge, ack); err != nil {
		return UpdateResult{}, err
	}
	if err := t.ClickToPage("#update-sso", "#sso-update-result, #sso-problems"); err != nil {
		return UpdateResult{}, err
	}
	var r UpdateResult
	var err error
	codes := func(sel string) []string {
		v, _ := t.Eval(fmt.Sprintf(`JSON.stringify(Array.prototype.map.call(document.querySelectorAll(%s), function (li) { return li.getAttribute('data-problem-code'); }))`, jsString(sel)))
		var out []string
		_ = json.Unmarshal([]byte(v), &out)
		return out
	}
	if r.OK, err = t.Has("#sso-update-result"); err != nil {
		return r, err
	}
	if r.OK {
		r.Message, err = t.Text("#sso-update-result")
	} else {
		r.Message, err = t.Text("#sso-problems")
		r.Problems = codes("#sso-problems li")
	}
	r.Warnings = codes("#sso-warnings li")
	return r, err
}

// SignInURL is the guide's SP-initiated sign-in URL for email.
func SignInURL(spBase, email string) string {
	return spBase + "/app/sign-in?use_sso=true&email=" + url.QueryEscape(email)
}

// Outcome is where a sign-in ended, as the person sees it.
type Outcome struct {
	// Kind is "app" (signed in), "sp-error" (the handler page's error
	// view), "okta-error" (an Okta error page), "sign-in-error" (the SP's
	// sign-in page refused the email) or "okta-sign-in-error".
	Kind string
	// Email is who the app shows as signed in.
	Email string
	// Code is the page's error code (data-error-code or data-okta-error).
	Code string
	// Message is the error text the page shows.
	Message string
	// URL and Title are the page's.
	URL, Title string
}

// String says where the sign-in ended, for failure messages.
func (o Outcome) String() string {
	if o.Kind == "app" {
		return "signed in as " + o.Email
	}
	return fmt.Sprintf("%s %s: %q at %s (%s)", o.Kind, o.Code, o.Message, o.URL, o.Title)
}

// outcomeSelector matches what ends a sign-in.
const outcomeSelector = "#app[data-signed-in-email], #auth-error, [data-okta-error], #sign-in[data-page] #sign-in-error"

// WaitOutcome waits until the tab shows where the sign-in ended and reads
// it.
func WaitOutcome(t *Tab) (Outcome, error) {
	if err := t.WaitVisible(outcomeSelector); err != nil {
		return Outcome{}, err
	}
	js := `(function () {
  var o = {};
  var app = document.querySelector('#app[data-signed-in-email]');
  var auth = document.querySelector('#auth-error');
  var okta = document.querySelector('[data-okta-error]');
  var sp = document.querySelector('#sign-in[data-page] #sign-in-error');
  function text(el) { return (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim(); }
  if (app) { o.kind = 'app'; o.email = app.getAttribute('data-signed-in-email'); }
  else if (auth) { o.kind = 'sp-error'; o.code = auth.getAttribute('data-error-code'); var m = auth.querySelector('[data-field=message]'); o.message = text(m || auth); }
  else if (okta) { o.kind = okta.getAttribute('data-okta-error') === 'sign-in-failed' ? 'okta-sign-in-error' : 'okta-error'; o.code = okta.getAttribute('data-okta-error'); o.message = text(document.getElementById('okta-error-message') || okta); }
  else if (sp) { o.kind = 'sign-in-error'; o.code = sp.getAttribute('data-error-code'); o.message = text(sp); }
  o.url = location.href; o.title = document.title;
  return JSON.stringify(o);
})()`
	v, err := t.Eval(js)
	if err != nil {
		return Outcome{}, err
	}
	var raw struct{ Kind, Email, Code, Message, URL, Title string }
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return Outcome{}, fmt.Errorf("reading the outcome: %w", err)
	}
	return Outcome{Kind: raw.Kind, Email: raw.Email, Code: raw.Code, Message: strings.TrimSpace(raw.Message), URL: raw.URL, Title: raw.Title}, nil
}

// SignIn is the guide's sign-in: open the SP's sign-in URL for email,
// sign in at Okta as username (when Okta asks), and wait for the outcome.
func SignIn(t *Tab, spBase, email, username, password string) (Outcome, error) {
	if err := t.Open(SignInURL(spBase, email)); err != nil {
		return Outcome{}, err
	}
	if err := t.WaitVisible(NewPage("#okta-signin-username, " + outcomeSelector)); err != nil {
		return Outcome{}, err
	}
	if login, _ := t.Has("#okta-signin-username"); login {
		if err := OktaSignIn(t, username, password); err != nil {
			return Outcome{}, err
		}
	}
	return WaitOutcome(t)
}
