package repro_test

// browser_test.go: a recording browser for the tests. It signs in through
// net/http with a cookie jar, hop by hop, as the setup guide's browser does,
// and records every exchange as a HAR 1.2 entry shaped like Chromium's
// export (startedDateTime, request.{method,url,headers,postData.{mimeType,
// text,params}}, response.{status,headers,redirectURL,content.{mimeType,
// text}}): the evidence a support engineer gets from a customer.

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html"
)

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Text     string  `json:"text"`
	Params   []harNV `json:"params,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	Cookies     []harNV      `json:"cookies"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
	PostData    *harPostData `json:"postData,omitempty"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Headers     []harNV    `json:"headers"`
	Cookies     []harNV    `json:"cookies"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harEntry struct {
	StartedDateTime string         `json:"startedDateTime"`
	Time            float64        `json:"time"`
	Request         harRequest     `json:"request"`
	Response        harResponse    `json:"response"`
	Cache           map[string]any `json:"cache"`
	Timings         map[string]any `json:"timings"`
	ResourceType    string         `json:"_resourceType"`
}

// browser is one browser profile: a cookie jar and the HAR it records.
type browser struct {
	client  *http.Client
	now     func() time.Time
	entries []harEntry
}

func newBrowser(now func() time.Time) *browser { return newBrowserVia(now, nil) }

// newBrowserVia is a browser whose requests go through rt (nil: the
// network).
func newBrowserVia(now func() time.Time, rt http.RoundTripper) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{now: now, client: &http.Client{Jar: jar, Timeout: 20 * time.Second, Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// inProcess serves requests for the named hosts with their handlers, in
// this process: a world at fixed https URLs, so its recordings do not
// depend on ephemeral ports.
type inProcess map[string]http.Handler

func (ip inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	h, ok := ip[req.URL.Host]
	if !ok {
		return nil, fmt.Errorf("no in-process host %q", req.URL.Host)
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:40000"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if req.URL.Scheme == "https" {
		in.TLS = &tls.ConnectionState{HandshakeComplete: true}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// sortedNV orders name/value pairs, so that recordings are deterministic.
func sortedNV(nv []harNV) []harNV {
	sort.SliceStable(nv, func(i, j int) bool {
		if nv[i].Name != nv[j].Name {
			return nv[i].Name < nv[j].Name
		}
		return nv[i].Value < nv[j].Value
	})
	return nv
}

// exchange is one recorded answer.
type exchange struct {
	status int
	url    *url.URL
	header http.Header
	body   []byte
}

func (b *browser) do(method, target, contentType string, body []byte, kind string) (*exchange, error) {
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	started := b.now()
	entry := harEntry{StartedDateTime: started.UTC().Format("2006-01-02T15:04:05.000Z"), ResourceType: kind,
		Cache: map[string]any{}, Timings: map[string]any{"send": 0, "wait": 1, "receive": 0}}
	entry.Request = harRequest{Method: method, URL: target, HTTPVersion: "HTTP/1.1", Headers: []harNV{}, QueryString: []harNV{}, Cookies: []harNV{}, HeadersSize: -1, BodySize: len(body)}
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			entry.Request.QueryString = append(entry.Request.QueryString, harNV{k, v})
		}
	}
	if contentType != "" {
		entry.Request.Headers = append(entry.Request.Headers, harNV{"Content-Type", contentType})
		pd := &harPostData{MimeType: contentType, Text: string(body)}
		if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
			// Chromium lists urlencoded fields with their values as sent.
			for _, kv := range strings.Split(string(body), "&") {
				k, v, _ := strings.Cut(kv, "=")
				pd.Params = append(pd.Params, harNV{k, v})
			}
		}
		entry.Request.PostData = pd
	}
	entry.Request.QueryString = sortedNV(entry.Request.QueryString)
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	entry.Response = harResponse{Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode), HTTPVersion: "HTTP/1.1",
		Headers: []harNV{}, Cookies: []harNV{}, HeadersSize: -1, BodySize: len(rb),
		Content:     harContent{Size: len(rb), MimeType: resp.Header.Get("Content-Type"), Text: string(rb)},
		RedirectURL: resp.Header.Get("Location")}
	for k, vs := range resp.Header {
		for _, v := range vs {
			entry.Response.Headers = append(entry.Response.Headers, harNV{k, v})
		}
	}
	entry.Response.Headers = sortedNV(entry.Response.Headers)
	b.entries = append(b.entries, entry)
	return &exchange{status: resp.StatusCode, url: req.URL, header: resp.Header, body: rb}, nil
}

// follow does a request and follows redirects as GETs.
func (b *browser) follow(method, target, contentType string, body []byte, kind string) (*exchange, error) {
	x, err := b.do(method, target, contentType, body, kind)
	for hops := 0; err == nil && x.status >= 300 && x.status < 400; hops++ {
		if hops == 10 {
			return nil, fmt.Errorf("too many redirects")
		}
		loc, perr := x.url.Parse(x.header.Get("Location"))
		if perr != nil {
			return nil, perr
		}
		x, err = b.do(http.MethodGet, loc.String(), "", nil, "document")
	}
	return x, err
}

// HAR returns the recording as a HAR 1.2 file.
func (b *browser) HAR() []byte {
	out, _ := json.MarshalIndent(map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]string{"name": "WebInspector", "version": "537.36"},
		"pages": []any{}, "entries": b.entries,
	}}, "", "  ")
	return out
}

// signInResult is what the user saw.
type signInResult struct {
	samlResponse string
	apiError     string // accounts:signInWithIdp or session error message
	pageError    string // data-error-code of the page that stopped the flow
	email        string // signed in as
}

// signIn performs the guide's SP-initiated sign-in (or, with tile, clicks
// the Okta tile) and records it.
func (b *browser) signIn(spBase, tileURL, username, password, email string, tile bool) (signInResult, error) {
	var res signInResult
	var x *exchange
	var err error
	if tile {
		x, err = b.follow(http.MethodGet, tileURL, "", nil, "document")
	} else {
		x, err = b.follow(http.MethodGet, spBase+"/app/sign-in?use_sso=true&email="+url.QueryEscape(email), "", nil, "document")
	}
	if err != nil {
		return res, err
	}
	if f := findForm(x.body, "form-signin"); f != nil {
		vals := url.Values{}
		for k, v := range f.fields {
			vals.Set(k, v)
		}
		vals.Set("username", username)
		vals.Set("password", password)
		action, _ := x.url.Parse(f.action)
		if x, err = b.follow(http.MethodPost, action.String(), "application/x-www-form-urlencoded", []byte(vals.Encode()), "document"); err != nil {
			return res, err
		}
	}
	f := findForm(x.body, "appForm")
	if f == nil {
		res.pageError = errorCode(x.body)
		if res.pageError == "" {
			res.pageError = fmt.Sprintf("HTTP %d at %s", x.status, x.url)
		}
		return res, nil
	}
	res.samlResponse = f.fields["SAMLResponse"]
	vals := url.Values{}
	for k, v := range f.fields {
		vals.Set(k, v)
	}
	action, _ := x.url.Parse(f.action)
	if x, err = b.follow(http.MethodPost, action.String(), "application/x-www-form-urlencoded", []byte(vals.Encode()), "document"); err != nil {
		return res, err
	}
	state := scriptText(x.body, "gip-handler-state")
	if state == "" {
		res.pageError = errorCode(x.body)
		return res, nil
	}
	var st map[string]string
	if err := json.Unmarshal([]byte(state), &st); err != nil {
		return res, err
	}
	body, _ := json.Marshal(map[string]any{"requestUri": st["requestUri"], "postBody": st["postBody"], "sessionId": st["sessionId"], "returnSecureToken": true})
	if x, err = b.do(http.MethodPost, spBase+"/v1/accounts:signInWithIdp", "application/json", body, "fetch"); err != nil {
		return res, err
	}
	var ans struct {
		IDToken string `json:"idToken"`
		Error   struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(x.body, &ans)
	if ans.IDToken == "" {
		res.apiError = ans.Error.Message
		return res, nil
	}
	body, _ = json.Marshal(map[string]string{"idToken": ans.IDToken})
	if x, err = b.do(http.MethodPost, spBase+"/app/api/session", "application/json", body, "fetch"); err != nil {
		return res, err
	}
	var sess struct {
		Email string `json:"email"`
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(x.body, &sess)
	if sess.Email == "" {
		res.apiError = sess.Error.Message
		return res, nil
	}
	if _, err = b.do(http.MethodGet, spBase+"/app", "", nil, "document"); err != nil {
		return res, err
	}
	res.email = sess.Email
	return res, nil
}

// form is an HTML form's action and hidden/text fields.
type form struct {
	action string
	fields map[string]string
}

func parseHTML(body []byte) *html.Node {
	n, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	return n
}

func walk(n *html.Node, visit func(*html.Node) bool) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && visit(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := walk(c, visit); f != nil {
			return f
		}
	}
	return nil
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func findForm(body []byte, id string) *form {
	el := walk(parseHTML(body), func(n *html.Node) bool { return n.Data == "form" && attrOf(n, "id") == id })
	if el == nil {
		return nil
	}
	f := &form{action: attrOf(el, "action"), fields: map[string]string{}}
	walk(el, func(n *html.Node) bool {
		if n.Data == "input" && attrOf(n, "name") != "" {
			f.fields[attrOf(n, "name")] = attrOf(n, "value")
		}
		return false
	})
	return f
}

func scriptText(body []byte, id string) string {
	el := walk(parseHTML(body), func(n *html.Node) bool { return attrOf(n, "id") == id })
	if el == nil || el.FirstChild == nil {
		return ""
	}
	return el.FirstChild.Data
}

func errorCode(body []byte) string {
	el := walk(parseHTML(body), func(n *html.Node) bool {
		return attrOf(n, "data-error-code") != "" || attrOf(n, "data-okta-error") != ""
	})
	if el == nil {
		return ""
	}
	if c := attrOf(el, "data-error-code"); c != "" {
		return c
	}
	return attrOf(el, "data-okta-error")
}
