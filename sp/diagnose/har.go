package diagnose

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/sp"
)

// The HAR 1.2 subset this reader uses, as Chromium exports it (DevTools →
// Network → Export HAR): log.entries[] with startedDateTime,
// request.{method,url,postData.{mimeType,text,params}} and
// response.{status,redirectURL,headers,content.{mimeType,text,encoding}}.
type harFile struct {
	Log *struct {
		Version string      `json:"version"`
		Entries []*harEntry `json:"entries"`
	} `json:"log"`
}

type harEntry struct {
	StartedDateTime string `json:"startedDateTime"`
	Request         struct {
		Method   string `json:"method"`
		URL      string `json:"url"`
		PostData *struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
			Params   []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"params"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status      int    `json:"status"`
		RedirectURL string `json:"redirectURL"`
		Headers     []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
		Content struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
			Encoding string `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

// Recorded is what the SP answered in a capture.
type Recorded struct {
	// Stage is signInWithIdp, session or handler (the Redirect URL page).
	Stage      string `json:"stage"`
	HTTPStatus int    `json:"httpStatus,omitempty"`
	// Outcome is "accept" or "reject".
	Outcome string `json:"outcome"`
	// Message is error.message (Identity Platform's), or the handler page's error.
	Message string `json:"message,omitempty"`
	// Reason is the harness reason when the SP is this harness's.
	Reason string `json:"reason,omitempty"`
	// Entry is the 0-based index of the HAR entry it was read from.
	Entry int `json:"entry"`
}

// Login is one sign-in attempt found in a HAR.
type Login struct {
	// Number is 1-based among the HAR's sign-ins; Of is how many there are.
	Number int `json:"number"`
	Of     int `json:"of"`
	// Entry is the 0-based HAR entry that carried the SAMLResponse, URL
	// where it was posted, StartedDateTime when.
	Entry           int    `json:"entry"`
	URL             string `json:"url"`
	StartedDateTime string `json:"startedDateTime"`
	// Failed reports whether the SP refused it (or the capture shows no
	// success).
	Failed bool `json:"failed"`
	// Summary is one line for the list of sign-ins.
	Summary string `json:"summary"`

	samlResponse string
	requestID    string
	requestFrom  string
	at           time.Time
	recorded     *Recorded
}

// HARSelect picks a sign-in: 0 means the last failed one (or the last one
// when none failed).
type HARSelect int

// ParseHAR reads a browser HAR export and returns the evidence of one
// sign-in: the SAMLResponse posted to the Redirect URL, the AuthnRequest ID
// the sign-in started with, when the SP judged it and what it answered
// (accounts:signInWithIdp, the session step, or the handler page). With
// several sign-ins it picks the one sel names, by default the last failed
// one, and Evidence.Login says which and lists the others.
func ParseHAR(data []byte, sel HARSelect) (*Evidence, []Login, error) {
	if err := checkSize("HAR file", len(data), MaxHARBytes, "a HAR export of the sign-in"); err != nil {
		return nil, nil, err
	}
	expected := `Expected a HAR 1.2 export: {"log":{"version":"1.2","entries":[…]}} (Chrome DevTools → Network → tick Preserve log, sign in, then Export HAR)`
	var h harFile
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, nil, errorf(ErrHARJSON, "the HAR is not valid JSON: %s. %s", jsonErrorAt(data, err), expected)
	}
	if h.Log == nil || h.Log.Entries == nil {
		return nil, nil, errorf(ErrHARNotHAR, "the file is JSON but has no log.entries. %s", expected)
	}
	logins := findLogins(h.Log.Entries, newInflateBudget(len(data)))
	if len(logins) == 0 {
		return nil, nil, noSAMLError(h.Log.Entries)
	}
	pick := -1
	if sel > 0 {
		if int(sel) > len(logins) {
			return nil, logins, errorf(ErrHARLogin, "the HAR holds %d sign-in(s); there is no sign-in %d", len(logins), sel)
		}
		pick = int(sel) - 1
	} else {
		for i := len(logins) - 1; i >= 0; i-- {
			if logins[i].Failed {
				pick = i
				break
			}
		}
		if pick < 0 {
			pick = len(logins) - 1
		}
	}
	l := logins[pick]
	ev := &Evidence{Source: "har", SAMLResponse: l.samlResponse, Encoding: EncBase64, At: l.at,
		RequestID: l.requestID, RequestIDSource: l.requestFrom, Recorded: l.recorded}
	ev.Login = &logins[pick]
	ev.Logins = logins
	ev.ProviderID = providerIDIn(h.Log.Entries)
	if len(logins) > 1 {
		why := "the last failed one"
		switch {
		case sel > 0:
			why = "as asked"
		case !l.Failed:
			why = "the last one (none failed)"
		}
		ev.Notes = append(ev.Notes, fmt.Sprintf("the HAR holds %d sign-ins; diagnosing sign-in %d, %s (--login N picks another)", len(logins), l.Number, why))
	}
	dec, err := decodeSAMLValue(l.samlResponse)
	if err != nil {
		if e, ok := err.(*Error); ok && (e.Code == ErrResponseTruncated || e.Code == ErrResponseEmpty) {
			return nil, logins, errorf(e.Code, "the SAMLResponse of sign-in %d (HAR entry %d) cannot be read: %s", l.Number, l.Entry, e.Message)
		}
		ev.Notes = append(ev.Notes, "the posted SAMLResponse cannot be decoded: "+err.Error())
	} else {
		ev.XML = dec.xml
		ev.Notes = append(ev.Notes, dec.notes...)
		if dec.double {
			ev.Encoding = EncDoubleBase64
		}
	}
	return ev, logins, nil
}

// findLogins collects the sign-ins: each POST carrying a SAMLResponse (or,
// when the capture lacks that POST, an accounts:signInWithIdp call whose
// postBody carries one), with the request that started it and the SP's
// answers after it.
func findLogins(entries []*harEntry, budget *inflateBudget) []Login {
	var logins []Login
	seen := map[string]int{}
	requestID, requestFrom := "", ""
	for i, e := range entries {
		if e == nil {
			continue
		}
		if id, from := authnRequestIDOf(e, i, budget); id != "" {
			requestID, requestFrom = id, from
		}
		v := ""
		switch {
		case isSignInWithIdp(e):
			var body struct {
				PostBody string `json:"postBody"`
			}
			if e.Request.PostData != nil && json.Unmarshal([]byte(e.Request.PostData.Text), &body) == nil {
				if form, err := url.ParseQuery(body.PostBody); err == nil {
					v = form.Get("SAMLResponse")
				}
			}
		case strings.EqualFold(e.Request.Method, "POST"):
			v = formValue(e, "SAMLResponse")
		}
		if v == "" {
			continue
		}
		if j, dup := seen[v]; dup && j == len(logins)-1 && isSignInWithIdp(e) {
			continue // the signInWithIdp call of the POST just recorded
		}
		seen[v] = len(logins)
		logins = append(logins, Login{Entry: i, URL: e.Request.URL, StartedDateTime: e.StartedDateTime,
			samlResponse: v, requestID: requestID, requestFrom: requestFrom, at: harTime(e.StartedDateTime)})
	}
	for n := range logins {
		end := len(entries)
		if n+1 < len(logins) {
			end = logins[n+1].Entry
		}
		l := &logins[n]
		l.Number, l.Of = n+1, len(logins)
		l.recorded = recordedAnswer(entries, l.Entry, end, l)
		l.Failed = l.recorded == nil || l.recorded.Outcome != "accept"
		l.Summary = fmt.Sprintf("sign-in %d: entry %d, POST %s at %s", l.Number, l.Entry, l.URL, l.StartedDateTime)
		switch {
		case l.recorded == nil:
			l.Summary += ": no answer of the SP recorded"
		case l.recorded.Outcome == "accept":
			l.Summary += ": signed in"
		default:
			l.Summary += ": " + l.recorded.Message
		}
	}
	return logins
}

// recordedAnswer reads the SP's answers to a sign-in from the entries that
// follow its POST: the handler page's error, accounts:signInWithIdp, the
// session step.
func recordedAnswer(entries []*harEntry, from, to int, l *Login) *Recorded {
	var rec *Recorded
	if e := entries[from]; !isSignInWithIdp(e) {
		if code, msg := handlerPageError(e); code != "" {
			return &Recorded{Stage: "handler", HTTPStatus: e.Response.Status, Outcome: "reject", Message: msg, Reason: code, Entry: from}
		}
	}
	for i := from; i < to; i++ {
		e := entries[i]
		if e == nil {
			continue
		}
		body := contentText(e)
		switch {
		case isSignInWithIdp(e):
			if t := harTime(e.StartedDateTime); !t.IsZero() {
				l.at = t
			}
			if msg, reason := apiError(body); msg != "" {
				return &Recorded{Stage: "signInWithIdp", HTTPStatus: e.Response.Status, Outcome: "reject", Message: msg, Reason: reason, Entry: i}
			}
			if e.Response.Status == 200 {
				rec = &Recorded{Stage: "signInWithIdp", HTTPStatus: 200, Outcome: "accept", Entry: i}
			}
		case rec != nil:
			if msg, reason := apiError(body); msg != "" && strings.HasPrefix(msg, "Unable to login with") {
				return &Recorded{Stage: "session", HTTPStatus: e.Response.Status, Outcome: "reject", Message: msg, Reason: reason, Entry: i}
			}
		}
	}
	return rec
}

func isSignInWithIdp(e *harEntry) bool {
	return e != nil && strings.EqualFold(e.Request.Method, "POST") && strings.Contains(e.Request.URL, "accounts:signInWithIdp")
}

// formValue reads a form field of a POST: from postData.text, the body as
// sent, else from postData.params (Chromium lists urlencoded fields there,
// their values sometimes still percent-encoded).
func formValue(e *harEntry, name string) string {
	pd := e.Request.PostData
	if pd == nil {
		return ""
	}
	if strings.Contains(pd.Text, name+"=") {
		if form, err := url.ParseQuery(pd.Text); err == nil && form.Get(name) != "" {
			return form.Get(name)
		}
	}
	for _, p := range pd.Params {
		if p.Name == name && p.Value != "" {
			if looksURLEncoded(p.Value) {
				if v, _, err := urlDecode(p.Value); err == nil {
					return v
				}
			}
			return p.Value
		}
	}
	return ""
}

// contentText is a response body, base64-decoded when the HAR says so.
func contentText(e *harEntry) string {
	c := e.Response.Content
	if c.Encoding == "base64" {
		if b, err := base64.StdEncoding.DecodeString(c.Text); err == nil {
			return string(b)
		}
	}
	return c.Text
}

// apiError reads Identity Platform's error envelope.
func apiError(body string) (message, reason string) {
	if !strings.Contains(body, `"error"`) {
		return "", ""
	}
	var env struct {
		Error struct {
			Message string `json:"message"`
			Harness struct {
				Reason string `json:"reason"`
			} `json:"harness"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(body), &env) != nil {
		return "", ""
	}
	return env.Error.Message, env.Error.Harness.Reason
}

var errorCodeAttr = regexp.MustCompile(`data-error-code="([A-Z_]+)"`)

// handlerPageError reads the error the Redirect URL page shows without
// calling the API (e.g. MISSING_INITIAL_STATE for an IdP-initiated POST).
func handlerPageError(e *harEntry) (code, message string) {
	body := contentText(e)
	m := errorCodeAttr.FindStringSubmatch(body)
	if m == nil {
		return "", ""
	}
	code = m[1]
	message = code
	if code == string(sp.ReasonMissingInitialState) {
		message = "Unable to process request due to missing initial state. This may happen if browser sessionStorage is inaccessible or accidentally cleared. Some specific scenarios are - 1) Using IDP-Initiated SAML SSO. 2) Using signInWithRedirect in a storage-partitioned browser environment."
	}
	return code, message
}

// authnRequestIDOf finds an AuthnRequest in an entry: a URL (or redirect
// Location) with a SAMLRequest query parameter, a createAuthUri answer's
// authUri, or a POSTed SAMLRequest.
func authnRequestIDOf(e *harEntry, i int, budget *inflateBudget) (string, string) {
	candidates := []struct{ raw, from string }{
		{e.Response.RedirectURL, fmt.Sprintf("HAR entry %d: the SP's redirect to the IdP", i)},
		{e.Request.URL, fmt.Sprintf("HAR entry %d: the request to the IdP", i)},
	}
	for _, h := range e.Response.Headers {
		if strings.EqualFold(h.Name, "Location") {
			candidates = append(candidates, struct{ raw, from string }{h.Value, fmt.Sprintf("HAR entry %d: the SP's redirect to the IdP", i)})
		}
	}
	if strings.Contains(e.Request.URL, "accounts:createAuthUri") {
		var ans struct {
			AuthURI string `json:"authUri"`
		}
		if json.Unmarshal([]byte(contentText(e)), &ans) == nil {
			candidates = append(candidates, struct{ raw, from string }{ans.AuthURI, fmt.Sprintf("HAR entry %d: accounts:createAuthUri's authUri", i)})
		}
	}
	for _, c := range candidates {
		u, err := url.Parse(c.raw)
		if err != nil || c.raw == "" {
			continue
		}
		if sr := u.Query().Get("SAMLRequest"); sr != "" {
			if id := requestIDFromEncoded(sr, true, budget); id != "" {
				return id, c.from
			}
		}
	}
	if strings.EqualFold(e.Request.Method, "POST") {
		if sr := formValue(e, "SAMLRequest"); sr != "" {
			if id := requestIDFromEncoded(sr, false, budget); id != "" {
				return id, fmt.Sprintf("HAR entry %d: the SAMLRequest posted to the IdP", i)
			}
		}
	}
	return "", ""
}

// maxAuthnRequestBytes bounds one decoded AuthnRequest: the SP's are about
// 1 KB.
const maxAuthnRequestBytes = 64 << 10

// inflateBudget bounds what a whole HAR may inflate to, so that many small
// deflate bombs cost no more than the HAR's own size.
type inflateBudget struct{ left int }

func newInflateBudget(harBytes int) *inflateBudget {
	return &inflateBudget{left: harBytes + maxAuthnRequestBytes}
}

// requestIDFromEncoded decodes a SAMLRequest (deflated for the Redirect
// binding) and returns its ID.
func requestIDFromEncoded(v string, deflated bool, budget *inflateBudget) string {
	if len(v) > 2*maxAuthnRequestBytes {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(stripSpace(v))
	if err != nil {
		return ""
	}
	if deflated {
		limit := min(maxAuthnRequestBytes, budget.left)
		if limit <= 0 {
			return ""
		}
		r := flate.NewReader(bytes.NewReader(b))
		b, err = io.ReadAll(io.LimitReader(r, int64(limit)+1))
		r.Close()
		budget.left -= len(b)
		if err != nil || len(b) > limit {
			return ""
		}
	}
	if !bytes.Contains(b, []byte("AuthnRequest")) {
		return ""
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{MaxDepth: 32}
	if doc.ReadFromBytes(b) != nil || doc.Root() == nil || doc.Root().Tag != "AuthnRequest" {
		return ""
	}
	return doc.Root().SelectAttrValue("ID", "")
}

var providerIDPattern = regexp.MustCompile(`saml\.workspace-[A-Za-z0-9_-]+`)

// providerIDIn finds the workspace's provider ID in the capture: in
// accounts:createAuthUri's request, signInWithIdp's answer, or a session
// step's message.
func providerIDIn(entries []*harEntry) string {
	for _, e := range entries {
		if e == nil {
			continue
		}
		texts := []string{contentText(e)}
		if e.Request.PostData != nil && strings.Contains(e.Request.URL, "accounts:") {
			texts = append(texts, e.Request.PostData.Text)
		}
		for _, t := range texts {
			if !strings.Contains(t, "saml.workspace-") {
				continue
			}
			if m := providerIDPattern.FindString(t); m != "" {
				return m
			}
		}
	}
	return ""
}

// harTime parses startedDateTime (ISO 8601 with milliseconds and a zone).
func harTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// noSAMLError explains a HAR without a SAMLResponse, and where the sign-in
// stopped if the capture shows it.
func noSAMLError(entries []*harEntry) error {
	msg := fmt.Sprintf("the HAR has no SAMLResponse: none of its %d requests is a POST carrying a SAMLResponse form field or an accounts:signInWithIdp call with one", len(entries))
	for i, e := range entries {
		if e == nil {
			continue
		}
		body := contentText(e)
		switch {
		case e.Response.Status == 403 && (strings.Contains(body, "app-not-assigned") || strings.Contains(body, "App Not Assigned")):
			msg += fmt.Sprintf(". The sign-in stopped at Okta: entry %d (%s) answered 403 App Not Assigned — assign the user (or one of their groups) to the app on the Okta app's Assignments tab", i, e.Request.URL)
		case e.Response.Status == 400 && strings.Contains(body, "bad-saml-request"):
			msg += fmt.Sprintf(". The sign-in stopped at Okta: entry %d (%s) answered 400 Bad Request to the SP's SAMLRequest", i, e.Request.URL)
		case strings.Contains(body, `data-error-code="`+string(sp.ReasonSSONotConfigured)+`"`):
			msg += fmt.Sprintf(". The sign-in stopped at the workspace's sign-in page (entry %d): SSO is not configured for the email's domain — add it with Add Domain in Security & SSO", i)
		default:
			continue
		}
		break
	}
	return errorf(ErrHARNoSAML, "%s. Expected a HAR recorded across the failed sign-in, with the POST to the Redirect URL (…/__/auth/handler) and the accounts:signInWithIdp call: in Chrome DevTools → Network, tick Preserve log, sign in, then Export HAR (with content)", msg)
}
