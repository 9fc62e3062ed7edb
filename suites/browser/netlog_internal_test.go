package browser

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// The network log's conversions, without a browser.

func TestRedactPasswords(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	got := redactPasswords(form, "username=a%40b.test&password=s3cret&fromURI=%2Fapp")
	vals, _ := url.ParseQuery(got)
	if vals.Get("password") != Redacted || vals.Get("username") != "a@b.test" || vals.Get("fromURI") != "/app" {
		t.Errorf("redacted form = %q", got)
	}
	for _, tc := range []struct{ mime, body string }{
		{form, "SAMLResponse=abc&RelayState=x"},
		{"application/json", `{"password":"s3cret"}`},
		{form, "%zz=password"},
	} {
		if got := redactPasswords(tc.mime, tc.body); got != tc.body {
			t.Errorf("redactPasswords(%q, %q) = %q, want it unchanged", tc.mime, tc.body, got)
		}
	}
}

func TestHAREntry(t *testing.T) {
	e := Entry{
		Method: "POST", URL: "http://127.0.0.1:9/__/auth/handler?x=1", Started: time.Date(2026, 1, 15, 9, 30, 0, 123e6, time.UTC),
		PostMIME: "application/x-www-form-urlencoded", PostData: "SAMLResponse=PHNhbWw%2B&RelayState=r",
		Status: 200, MIME: "text/html", Body: "<html>", Duration: 1500 * time.Microsecond,
		RequestHeaders:  map[string]string{"Origin": "http://127.0.0.2:8"},
		ResponseHeaders: map[string]string{"Set-Cookie": "a=1\nb=2"},
		Cookies:         []CookieUse{{Name: "gip_session", Value: "s", Blocked: []string{"SameSiteLax"}}},
	}
	h := harEntry(e, "alice/alice")
	if h.StartedDateTime != "2026-01-15T09:30:00.123Z" || h.Time != 1.5 {
		t.Errorf("time: %q %v", h.StartedDateTime, h.Time)
	}
	if h.Request.PostData == nil || h.Request.PostData.Text != e.PostData || len(h.Request.PostData.Params) != 2 ||
		h.Request.PostData.Params[1] != (HARNameValue{"SAMLResponse", "PHNhbWw+"}) {
		t.Errorf("postData: %+v", h.Request.PostData)
	}
	if len(h.Request.QueryString) != 1 || h.Request.QueryString[0] != (HARNameValue{"x", "1"}) {
		t.Errorf("queryString: %+v", h.Request.QueryString)
	}
	if h.Response.Status != 200 || h.Response.Content.Text != "<html>" || h.Response.Content.MimeType != "text/html" {
		t.Errorf("response: %+v", h.Response)
	}
	if len(h.Response.Headers) != 2 || h.Response.Headers[1].Value != "b=2" {
		t.Errorf("repeated headers are split: %+v", h.Response.Headers)
	}
	if len(h.Request.Cookies) != 1 || !strings.Contains(h.Request.Cookies[0].Comment, "SameSiteLax") {
		t.Errorf("a withheld cookie says why: %+v", h.Request.Cookies)
	}
	if get := harEntry(Entry{Method: "GET", URL: "http://127.0.0.1:9/"}, "x"); get.Request.PostData != nil {
		t.Error("a GET has no postData")
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"the setup guide configures Okta": "the-setup-guide-configures-okta",
		"SameSite: a/b\\c ..":             "samesite-a-b-c",
		"..":                              "spec",
		"":                                "spec",
		strings.Repeat("x", 300):          strings.Repeat("x", 100),
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
