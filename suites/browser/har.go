package browser

// har.go writes what NetLog recorded as a HAR 1.2 document, the format
// Chromium's DevTools export and diagnose read.

import (
	"net/url"
	"sort"
	"strings"
	"time"
)

// HAR is the top level of a HAR 1.2 file.
type HAR struct {
	Log HARLog `json:"log"`
}

// HARLog is a HAR log.
type HARLog struct {
	Version string      `json:"version"`
	Creator HARCreator  `json:"creator"`
	Pages   []any       `json:"pages"`
	Entries []HAREntry  `json:"entries"`
	Comment string      `json:"comment,omitempty"`
	Browser *HARCreator `json:"browser,omitempty"`
}

// HARCreator names the tool that wrote the file.
type HARCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// HAREntry is one exchange.
type HAREntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         HARRequest  `json:"request"`
	Response        HARResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         HARTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
}

// HARRequest is an entry's request.
type HARRequest struct {
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []HARCookie    `json:"cookies"`
	Headers     []HARNameValue `json:"headers"`
	QueryString []HARNameValue `json:"queryString"`
	PostData    *HARPostData   `json:"postData,omitempty"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

// HARResponse is an entry's response.
type HARResponse struct {
	Status      int            `json:"status"`
	StatusText  string         `json:"statusText"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []HARCookie    `json:"cookies"`
	Headers     []HARNameValue `json:"headers"`
	Content     HARContent     `json:"content"`
	RedirectURL string         `json:"redirectURL"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

// HARCookie is a cookie sent with a request; the comment says when the
// browser withheld it, and why.
type HARCookie struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Comment string `json:"comment,omitempty"`
}

// HARNameValue is a header or query parameter.
type HARNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HARPostData is a request body.
type HARPostData struct {
	MimeType string         `json:"mimeType"`
	Text     string         `json:"text"`
	Params   []HARNameValue `json:"params"`
}

// HARContent is a response body.
type HARContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

// HARTimings are an entry's timings in milliseconds (-1: not known).
type HARTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

func nameValues(m map[string]string) []HARNameValue {
	out := []HARNameValue{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range strings.Split(m[k], "\n") { // raw headers join repeats with \n
			out = append(out, HARNameValue{Name: k, Value: v})
		}
	}
	return out
}

// harEntry converts one Entry.
func harEntry(e Entry, tab string) HAREntry {
	ms := float64(e.Duration) / float64(time.Millisecond)
	h := HAREntry{
		StartedDateTime: e.Started.Format("2006-01-02T15:04:05.000Z07:00"),
		Time:            ms,
		Timings:         HARTimings{Send: 0, Wait: ms, Receive: 0},
		Comment:         "tab " + tab,
		Request: HARRequest{Method: e.Method, URL: e.URL, HTTPVersion: "HTTP/1.1", Cookies: []HARCookie{},
			Headers: nameValues(e.RequestHeaders), QueryString: []HARNameValue{}, HeadersSize: -1, BodySize: len(e.PostData)},
		Response: HARResponse{Status: e.Status, StatusText: e.StatusText, HTTPVersion: "HTTP/1.1", Cookies: []HARCookie{},
			Headers: nameValues(e.ResponseHeaders), RedirectURL: e.RedirectURL, HeadersSize: -1, BodySize: -1,
			Content: HARContent{Size: len(e.Body), MimeType: e.MIME, Text: e.Body}},
	}
	if e.BodyBase64 {
		h.Response.Content.Encoding = "base64"
	}
	if u, err := url.Parse(e.URL); err == nil {
		for k, vs := range u.Query() {
			for _, v := range vs {
				h.Request.QueryString = append(h.Request.QueryString, HARNameValue{Name: k, Value: v})
			}
		}
		sort.Slice(h.Request.QueryString, func(i, j int) bool { return h.Request.QueryString[i].Name < h.Request.QueryString[j].Name })
	}
	if e.Method != "GET" && (e.PostData != "" || e.PostMIME != "") {
		pd := &HARPostData{MimeType: e.PostMIME, Text: e.PostData, Params: []HARNameValue{}}
		if strings.HasPrefix(e.PostMIME, "application/x-www-form-urlencoded") {
			if vals, err := url.ParseQuery(e.PostData); err == nil {
				for k, vs := range vals {
					for _, v := range vs {
						pd.Params = append(pd.Params, HARNameValue{Name: k, Value: v})
					}
				}
				sort.Slice(pd.Params, func(i, j int) bool { return pd.Params[i].Name < pd.Params[j].Name })
			}
		}
		h.Request.PostData = pd
	}
	for _, c := range e.Cookies {
		hc := HARCookie{Name: c.Name, Value: c.Value}
		if !c.Sent {
			hc.Comment = "not sent: " + strings.Join(c.Blocked, ", ")
		}
		h.Request.Cookies = append(h.Request.Cookies, hc)
	}
	if e.Failed != "" {
		h.Comment += "; failed: " + e.Failed
	}
	return h
}

// BuildHAR merges the logs of tabs into one HAR 1.2 document, entries in
// start order. Each entry's comment names its tab; withheld cookies are
// listed with a comment giving the browser's reasons.
func BuildHAR(browserVersion string, tabs ...*Tab) HAR {
	var entries []HAREntry
	type stamped struct {
		t time.Time
		h HAREntry
	}
	var all []stamped
	for _, t := range tabs {
		for _, e := range t.Net.Entries() {
			all = append(all, stamped{e.Started, harEntry(e, t.Session.Name+"/"+t.Name)})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
	for _, s := range all {
		entries = append(entries, s.h)
	}
	if entries == nil {
		entries = []HAREntry{}
	}
	h := HAR{Log: HARLog{Version: "1.2", Creator: HARCreator{Name: "samlharness browser tier", Version: "1"}, Pages: []any{}, Entries: entries}}
	if browserVersion != "" {
		h.Log.Browser = &HARCreator{Name: "Chromium", Version: browserVersion}
	}
	return h
}
