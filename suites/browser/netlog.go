package browser

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// maxBody bounds a recorded response body.
const maxBody = 1 << 20

// Entry is one HTTP exchange a tab made, as the browser's Network panel
// shows it: a redirect hop is an entry of its own.
type Entry struct {
	RequestID string `json:"requestId"`
	// Hop counts the redirects before this exchange (0: the first request).
	Hop             int               `json:"hop"`
	Type            string            `json:"type"` // Document, Fetch, XHR, Stylesheet, …
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	Started         time.Time         `json:"started"`
	RequestHeaders  map[string]string `json:"requestHeaders,omitempty"`
	PostData        string            `json:"postData,omitempty"`
	PostMIME        string            `json:"postMimeType,omitempty"`
	Status          int               `json:"status"`
	StatusText      string            `json:"statusText,omitempty"`
	MIME            string            `json:"mimeType,omitempty"`
	ResponseHeaders map[string]string `json:"responseHeaders,omitempty"`
	RedirectURL     string            `json:"redirectURL,omitempty"`
	Body            string            `json:"body,omitempty"`
	// BodyBase64 says Body is base64 (a binary body).
	BodyBase64 bool `json:"bodyBase64,omitempty"`
	// Cookies are the cookies the browser considered for the request: sent,
	// or withheld with the browser's reasons (e.g. SameSiteLax).
	Cookies []CookieUse `json:"cookies,omitempty"`
	// BlockedSetCookies are Set-Cookie lines the browser refused, with why.
	BlockedSetCookies []string `json:"blockedSetCookies,omitempty"`
	Failed            string   `json:"failed,omitempty"`
	// Done is true once the response (and its body, when recorded) or the
	// failure is in.
	Done     bool          `json:"done"`
	Duration time.Duration `json:"durationNs"`

	monoStart float64
	needBody  bool
	captured  bool // the body was read while the response was paused
}

// CookieUse is one cookie the browser considered for a request.
type CookieUse struct {
	Name    string   `json:"name"`
	Value   string   `json:"value,omitempty"`
	Sent    bool     `json:"sent"`
	Blocked []string `json:"blockedReasons,omitempty"`
}

// Cookie returns the use of the cookie name, if the browser considered it.
func (e Entry) Cookie(name string) (CookieUse, bool) {
	for _, c := range e.Cookies {
		if c.Name == name {
			return c, true
		}
	}
	return CookieUse{}, false
}

// Path is the URL's path.
func (e Entry) Path() string {
	u, err := url.Parse(e.URL)
	if err != nil {
		return ""
	}
	return u.Path
}

// JSON decodes the response body into v.
func (e Entry) JSON(v any) error {
	if err := json.Unmarshal([]byte(e.Body), v); err != nil {
		return fmt.Errorf("%s %s answered %d with a body that is not JSON (%v): %s", e.Method, e.URL, e.Status, err, abbrev(e.Body, 200))
	}
	return nil
}

// NetLog records the traffic of one tab over the DevTools protocol
// (Network domain events; bodies with Network.getResponseBody as soon as a
// response has finished loading).
type NetLog struct {
	tab *Tab

	mu      sync.Mutex
	entries []*Entry
	byID    map[string]*Entry   // the current hop of each request
	hops    map[string][]*Entry // every hop of each request
	extra   map[string][]*network.EventRequestWillBeSentExtraInfo
	resp    map[string][]*network.EventResponseReceivedExtraInfo
	queue   []job
	wake    chan struct{}
	changed chan struct{} // closed and replaced at every change
}

func newNetLog(t *Tab) *NetLog {
	return &NetLog{tab: t, byID: map[string]*Entry{}, hops: map[string][]*Entry{},
		extra: map[string][]*network.EventRequestWillBeSentExtraInfo{},
		resp:  map[string][]*network.EventResponseReceivedExtraInfo{},
		wake:  make(chan struct{}, 1), changed: make(chan struct{})}
}

// job is a command fetchBodies sends for an entry.
type job struct {
	ent  *Entry
	post bool // Network.getRequestPostData, else Network.getResponseBody
	// paused is a fetch or XHR response held at the response stage: its
	// body is read (Fetch.getResponseBody) before the page gets it, then
	// it is released, so a page that navigates away at once cannot take
	// the body with it.
	paused *fetch.EventRequestPaused
}

// InterceptPatterns are the responses NetLog holds until it has read their
// bodies: the page's API calls (fetch and XHR).
var InterceptPatterns = []*fetch.RequestPattern{
	{URLPattern: "*", ResourceType: network.ResourceTypeFetch, RequestStage: fetch.RequestStageResponse},
	{URLPattern: "*", ResourceType: network.ResourceTypeXHR, RequestStage: fetch.RequestStageResponse},
}

// touchLocked wakes the waiters.
func (n *NetLog) touchLocked() {
	close(n.changed)
	n.changed = make(chan struct{})
}

func headerMap(h network.Headers) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func wallTime(t float64) time.Time {
	sec, frac := math.Modf(t)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// listen handles the tab's events; it runs in the tab's read loop, so it
// only records.
func (n *NetLog) listen(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		id := string(e.RequestID)
		hop := 0
		if prev := n.byID[id]; prev != nil && e.RedirectResponse != nil {
			// The previous hop ended with a redirect.
			n.respondLocked(prev, e.RedirectResponse)
			prev.RedirectURL = e.Request.URL
			prev.Done, prev.Duration = true, monoDuration(prev.monoStart, float64(e.Timestamp))
			hop = prev.Hop + 1
		}
		ent := &Entry{RequestID: id, Hop: hop, Type: string(e.Type), Method: e.Request.Method, URL: e.Request.URL + e.Request.URLFragment,
			Started: wallTime(float64(e.WallTime)), RequestHeaders: headerMap(e.Request.Headers), monoStart: float64(e.Timestamp)}
		if ct, ok := e.Request.Headers["Content-Type"]; ok {
			ent.PostMIME = fmt.Sprint(ct)
		}
		var post strings.Builder
		for _, p := range e.Request.PostDataEntries {
			post.Write(p.Bytes)
		}
		ent.PostData = redactPasswords(ent.PostMIME, post.String())
		if e.Request.HasPostData && ent.PostData == "" {
			n.queue = append(n.queue, job{ent: ent, post: true}) // too long to be inlined: ask for it
		}
		switch e.Type {
		case network.ResourceTypeDocument, network.ResourceTypeFetch, network.ResourceTypeXHR, network.ResourceTypeOther:
			ent.needBody = true
		}
		n.entries = append(n.entries, ent)
		n.byID[id] = ent
		n.hops[id] = append(n.hops[id], ent)
		n.applyExtraLocked(ent)
	case *network.EventRequestWillBeSentExtraInfo:
		id := string(e.RequestID)
		n.extra[id] = append(n.extra[id], e)
		for _, ent := range n.hops[id] {
			n.applyExtraLocked(ent)
		}
	case *network.EventResponseReceivedExtraInfo:
		id := string(e.RequestID)
		n.resp[id] = append(n.resp[id], e)
		for _, ent := range n.hops[id] {
			n.applyExtraLocked(ent)
		}
	case *network.EventResponseReceived:
		if ent := n.byID[string(e.RequestID)]; ent != nil {
			n.respondLocked(ent, e.Response)
			if e.Type != "" {
				ent.Type = string(e.Type)
			}
		}
	case *fetch.EventRequestPaused:
		// Held until fetchBodies releases it: first in the queue.
		n.queue = append([]job{{ent: n.byID[string(e.NetworkID)], paused: e}}, n.queue...)
	case *network.EventLoadingFinished:
		if ent := n.byID[string(e.RequestID)]; ent != nil {
			ent.Duration = monoDuration(ent.monoStart, float64(e.Timestamp))
			if ent.needBody && !ent.captured && ent.Status != 0 && ent.Status != 204 && !(ent.Status >= 300 && ent.Status < 400) {
				n.queue = append(n.queue, job{ent: ent})
			} else {
				ent.Done = true
			}
		}
	case *network.EventLoadingFailed:
		if ent := n.byID[string(e.RequestID)]; ent != nil {
			ent.Failed = e.ErrorText
			if e.BlockedReason != "" {
				ent.Failed += " (blocked: " + string(e.BlockedReason) + ")"
			}
			ent.Done, ent.Duration = true, monoDuration(ent.monoStart, float64(e.Timestamp))
		}
	default:
		return
	}
	select {
	case n.wake <- struct{}{}:
	default:
	}
	n.touchLocked()
}

// Redacted replaces the value of every password field of a recorded form.
const Redacted = "[redacted]"

// redactPasswords keeps passwords out of logs and HAR files: in a form
// body, the values of fields whose name contains "password" are replaced.
func redactPasswords(mime, body string) string {
	if !strings.HasPrefix(mime, "application/x-www-form-urlencoded") || !strings.Contains(strings.ToLower(body), "password") {
		return body
	}
	vals, err := url.ParseQuery(body)
	if err != nil {
		return body
	}
	for k := range vals {
		if strings.Contains(strings.ToLower(k), "password") {
			for i := range vals[k] {
				vals[k][i] = Redacted
			}
		}
	}
	return vals.Encode()
}

func monoDuration(start, end float64) time.Duration {
	if start == 0 || end < start {
		return 0
	}
	return time.Duration((end - start) * float64(time.Second))
}

func (n *NetLog) respondLocked(ent *Entry, r *network.Response) {
	ent.Status, ent.StatusText, ent.MIME = int(r.Status), r.StatusText, r.MimeType
	if ent.ResponseHeaders == nil {
		ent.ResponseHeaders = headerMap(r.Headers)
	}
}

// applyExtraLocked attaches the raw headers and cookie decisions of the
// entry's hop (extra-info events come once per hop, in order).
func (n *NetLog) applyExtraLocked(ent *Entry) {
	if xs := n.extra[ent.RequestID]; ent.Hop < len(xs) && ent.Cookies == nil {
		x := xs[ent.Hop]
		if h := headerMap(x.Headers); h != nil {
			ent.RequestHeaders = h
		}
		for _, c := range x.AssociatedCookies {
			if c.Cookie == nil {
				continue
			}
			use := CookieUse{Name: c.Cookie.Name, Value: c.Cookie.Value, Sent: len(c.BlockedReasons) == 0}
			for _, r := range c.BlockedReasons {
				use.Blocked = append(use.Blocked, string(r))
			}
			ent.Cookies = append(ent.Cookies, use)
		}
		if ent.Cookies == nil {
			ent.Cookies = []CookieUse{}
		}
	}
	if rs := n.resp[ent.RequestID]; ent.Hop < len(rs) && ent.BlockedSetCookies == nil {
		r := rs[ent.Hop]
		if h := headerMap(r.Headers); h != nil {
			ent.ResponseHeaders = h
		}
		ent.BlockedSetCookies = []string{}
		for _, b := range r.BlockedCookies {
			var why []string
			for _, reason := range b.BlockedReasons {
				why = append(why, string(reason))
			}
			ent.BlockedSetCookies = append(ent.BlockedSetCookies, b.CookieLine+" — "+strings.Join(why, ", "))
		}
	}
}

// fetchBodies asks for the bodies (and long POST bodies) the listener
// queued, until ctx ends.
func (n *NetLog) fetchBodies(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		}
		for {
			n.mu.Lock()
			if len(n.queue) == 0 {
				n.mu.Unlock()
				break
			}
			j := n.queue[0]
			n.queue = n.queue[1:]
			n.mu.Unlock()
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if j.paused != nil {
				n.release(cctx, j)
				cancel()
				continue
			}
			ent, id := j.ent, network.RequestID(j.ent.RequestID)
			if j.post {
				res, err := chromedp.Call(cctx, network.GetRequestPostData, network.GetRequestPostDataParams{RequestID: id})
				n.mu.Lock()
				if err == nil {
					ent.PostData = redactPasswords(ent.PostMIME, string(res.PostData))
				}
				n.touchLocked()
				n.mu.Unlock()
			} else {
				res, err := chromedp.Call(cctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
				n.mu.Lock()
				if err == nil {
					ent.Body, ent.BodyBase64 = bodyText(res.Body)
				} else {
					ent.Body = "(body not available: " + err.Error() + ")"
				}
				ent.Done = true
				n.touchLocked()
				n.mu.Unlock()
			}
			cancel()
		}
	}
}

// release reads a held response's body into its entry and lets the
// response go on to the page, whatever happens.
func (n *NetLog) release(ctx context.Context, j job) {
	e := j.paused
	if e.ResponseErrorReason == "" && (e.ResponseStatusCode < 300 || e.ResponseStatusCode >= 400) {
		res, err := chromedp.Call(ctx, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: e.RequestID})
		n.mu.Lock()
		if ent := j.ent; ent != nil && err == nil {
			ent.Body, ent.BodyBase64 = bodyText(res.Body)
			ent.captured = true
			n.touchLocked()
		}
		n.mu.Unlock()
	}
	// An error means the page or the request is gone: nothing waits.
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
}

// bodyText keeps a body as text when it is UTF-8, else as base64.
func bodyText(body []byte) (string, bool) {
	if len(body) > maxBody {
		body = body[:maxBody]
	}
	if utf8.Valid(body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// Entries returns a copy of what was recorded, in request order.
func (n *NetLog) Entries() []Entry {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Entry, len(n.entries))
	for i, e := range n.entries {
		out[i] = *e
		out[i].Cookies = append([]CookieUse(nil), e.Cookies...)
	}
	return out
}

// Find returns the last finished entry with the method whose URL path is
// path (or ends with it).
func (n *NetLog) Find(method, path string) (Entry, bool) {
	es := n.Entries()
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Done && es[i].Method == method && strings.HasSuffix(es[i].Path(), path) {
			return es[i], true
		}
	}
	return Entry{}, false
}

// Wait waits until the most recent entry with the method and path (see
// Find), counting only entries recorded after since (0: any), has finished,
// and returns it.
func (n *NetLog) Wait(method, path string, since int) (Entry, error) {
	ctx, cancel := context.WithTimeout(n.tab.ctx, n.tab.Timeout)
	defer cancel()
	for {
		n.mu.Lock()
		ch := n.changed
		// The most recent matching request decides, once it has finished:
		// an earlier finished one (a redirect before the final answer) is not
		// the answer the page shows.
		for i := len(n.entries) - 1; i >= since && i >= 0; i-- {
			e := n.entries[i]
			if e.Method != method || !strings.HasSuffix(Entry{URL: e.URL}.Path(), path) {
				continue
			}
			if e.Done {
				out := *e
				n.mu.Unlock()
				return out, nil
			}
			break
		}
		n.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Entry{}, fmt.Errorf("tab %s: no %s %s in the network log within %s; it has:\n%s", n.tab.Name, method, path, n.tab.Timeout, n.Summary())
		}
	}
}

// Mark is the number of entries so far, for Wait's since.
func (n *NetLog) Mark() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.entries)
}

// Summary lists the entries one a line: method, URL, status, cookies.
func (n *NetLog) Summary() string {
	var b strings.Builder
	for _, e := range n.Entries() {
		status := fmt.Sprint(e.Status)
		if e.Failed != "" {
			status = "failed: " + e.Failed
		}
		fmt.Fprintf(&b, "%s %s %s → %s", e.Started.Format("15:04:05.000"), e.Method, abbrev(e.URL, 110), status)
		for _, c := range e.Cookies {
			if c.Sent {
				fmt.Fprintf(&b, " [cookie %s sent]", c.Name)
			} else {
				fmt.Fprintf(&b, " [cookie %s blocked: %s]", c.Name, strings.Join(c.Blocked, ", "))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ---- HAR 1.2 ----
