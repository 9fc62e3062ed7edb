package fault

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/samlharness/samlharness/internal/wire"
)

// Bind faults change what the browser delivers (catalogue §6.5 bindings,
// §8 deflate bomb). They read Context.Raw (the serialized Response, with
// post-sign raw edits already applied) and rewrite Context.Form, or switch
// to the HTTP-Redirect binding (Context.Binding, Context.RedirectURL). They
// run in order: put relaystate/drop-relaystate before redirect-binding.

const maxDeflateBomb = 1 << 30

// raw returns the serialized Response or a clear error.
func raw(c *Context) ([]byte, error) {
	if len(c.Raw) == 0 {
		return nil, fmt.Errorf("no serialized response (Context.Raw) at the bind stage")
	}
	return c.Raw, nil
}

// form returns the context's form, creating it when absent.
func form(c *Context) url.Values {
	if c.Form == nil {
		c.Form = url.Values{}
	}
	return c.Form
}

// wrapLines inserts sep every n characters of s.
func wrapLines(s string, n int, sep string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteString(sep)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// deflate compresses b with raw DEFLATE (RFC 1951), as the Redirect binding
// requires.
func deflate(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// zeroBomb returns a raw DEFLATE stream that inflates to mib MiB of zero
// bytes. One MiB of zeros is compressed once (ending in a sync flush, so the
// blocks are byte-aligned and refer only to earlier zeros); the compressed
// blocks are repeated mib times and closed with the writer's final block.
// Nothing close to the inflated size is ever allocated.
func zeroBomb(mib int) ([]byte, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(make([]byte, 1<<20)); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	block := append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	if err := w.Close(); err != nil {
		return nil, err
	}
	tail := buf.Bytes()
	out := make([]byte, 0, len(block)*mib+len(tail))
	for i := 0; i < mib; i++ {
		out = append(out, block...)
	}
	return append(out, tail...), nil
}

// redirectTo switches the context to the HTTP-Redirect binding with the
// given (already deflated) SAMLResponse, keeping the form's RelayState.
func redirectTo(c *Context, deflated []byte) error {
	if c.ACS == "" {
		return fmt.Errorf("no ACS URL in the context to redirect to")
	}
	// SAMLResponse first, then RelayState, as saml-bindings §3.4.4.1 orders them.
	enc := "SAMLResponse=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflated))
	if rs := form(c).Get("RelayState"); rs != "" {
		enc += "&RelayState=" + url.QueryEscape(rs)
	}
	sep := "?"
	if strings.Contains(c.ACS, "?") {
		sep = "&"
	}
	c.Binding = wire.BindingHTTPRedirect
	c.RedirectURL = c.ACS + sep + enc
	return nil
}

func init() {
	registerAll(
		base64Fault,
		notXmlFault,
		duplicateParamFault,
		redirectBindingFault,
		deflateBombFault,
		relaystateFault,
		dropRelaystateFault,
	)
}

func base64Fault() Spec {
	return Spec{
		Name: "base64", Stage: StageBind,
		Summary: "re-encode SAMLResponse (binding-base64-malformed): wrapped-76 (MIME lines of 76 with CRLF: must be accepted), whitespace (spaces and tabs inside: must be accepted), url-safe (- and _ alphabet), invalid-chars (* and ! inserted), plus-as-space (+ turned into spaces, as a double URL-decode does), double-encoded (base64 of the base64), truncated (last quarter cut), empty",
		Params: []ParamSpec{{Name: "variant", Required: true,
			Values:  []string{"wrapped-76", "whitespace", "url-safe", "invalid-chars", "plus-as-space", "double-encoded", "truncated", "empty"},
			Summary: "the encoding"}},
		Apply: applyBase64,
	}
}

func applyBase64(c *Context, f Fault) error {
	b, err := raw(c)
	if err != nil {
		return err
	}
	std := base64.StdEncoding.EncodeToString(b)
	var v string
	switch f.Param("variant", "") {
	case "wrapped-76":
		v = wrapLines(std, 76, "\r\n")
	case "whitespace":
		v = wrapLines(std, 64, " \t\n ")
	case "url-safe":
		v = base64.URLEncoding.EncodeToString(b)
		if !strings.ContainsAny(v, "-_") {
			return fmt.Errorf("this response's base64 has no + or /, so the URL-safe form is identical")
		}
	case "invalid-chars":
		mid := len(std) / 2
		v = std[:mid] + "*!" + std[mid:]
	case "plus-as-space":
		if !strings.Contains(std, "+") {
			return fmt.Errorf("this response's base64 has no +")
		}
		v = strings.ReplaceAll(std, "+", " ")
	case "double-encoded":
		v = base64.StdEncoding.EncodeToString([]byte(std))
	case "truncated":
		v = std[:len(std)*3/4]
	case "empty":
		v = ""
	}
	form(c).Set("SAMLResponse", v)
	return nil
}

func notXmlFault() Spec {
	return Spec{
		Name: "not-xml", Stage: StageBind,
		Summary: "post well-formed base64 of something that is not a SAML Response (binding-not-xml): plain text, an HTML page, JSON, or XML with the wrong root (<hello/>, crewjam's vector)",
		Params:  []ParamSpec{{Name: "kind", Default: "text", Values: []string{"text", "html", "json", "wrong-root"}, Summary: "what is posted"}},
		Apply:   applyNotXml,
	}
}

func applyNotXml(c *Context, f Fault) error {
	var b []byte
	switch f.Param("kind", "text") {
	case "html":
		b = []byte("<!DOCTYPE html><html><head><title>Error</title></head><body><p>Something went wrong.</p></body></html>")
	case "json":
		b = []byte(`{"error":"not a SAML response"}`)
	case "wrong-root":
		b = []byte(`<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:samlharness:not-saml"/>`)
	default:
		b = []byte("this is not XML")
	}
	c.Raw = b
	form(c).Set("SAMLResponse", base64.StdEncoding.EncodeToString(b))
	return nil
}

func duplicateParamFault() Spec {
	return Spec{
		Name: "duplicate-param", Stage: StageBind,
		Summary: "send SAMLResponse twice (binding-duplicate-param): a second form field, or a copy in the ACS URL's query (the form then posts to ACS?SAMLResponse=…)",
		Params: []ParamSpec{
			{Name: "where", Default: "body", Values: []string{"body", "query"}, Summary: "second copy in the POST body or the query"},
			{Name: "second", Default: "same", Values: []string{"same", "empty", "garbage"}, Summary: "the second value: the same response, empty, or non-base64"}},
		Apply: applyDuplicateParam,
	}
}

func applyDuplicateParam(c *Context, f Fault) error {
	fm := form(c)
	first := fm.Get("SAMLResponse")
	if first == "" {
		return fmt.Errorf("no SAMLResponse in the form to duplicate")
	}
	second := first
	switch f.Param("second", "same") {
	case "empty":
		second = ""
	case "garbage":
		second = "!!not-base64!!"
	}
	if f.Param("where", "body") == "query" {
		if c.ACS == "" {
			return fmt.Errorf("no ACS URL in the context")
		}
		sep := "?"
		if strings.Contains(c.ACS, "?") {
			sep = "&"
		}
		c.ACS += sep + "SAMLResponse=" + url.QueryEscape(second)
		return nil
	}
	fm.Add("SAMLResponse", second)
	return nil
}

func redirectBindingFault() Spec {
	return Spec{
		Name: "redirect-binding", Stage: StageBind,
		Summary: "deliver the Response on HTTP-Redirect (binding-response-via-redirect: saml-profiles §4.1.2 forbids it): DEFLATE + base64 in the ACS URL's query with RelayState; sets Binding and RedirectURL, so the IdP answers with a 302",
		Apply:   applyRedirectBinding,
	}
}

func applyRedirectBinding(c *Context, f Fault) error {
	b, err := raw(c)
	if err != nil {
		return err
	}
	d, err := deflate(b)
	if err != nil {
		return err
	}
	return redirectTo(c, d)
}

func deflateBombFault() Spec {
	return Spec{
		Name: "deflate-bomb", Stage: StageBind,
		Summary: "deliver on HTTP-Redirect a tiny DEFLATE stream that inflates to mib MiB of zero bytes (deflate-bomb-redirect; crewjam CVE-2023-28119, gosaml2 CVE-2023-26483): about 1 KB per MiB, so the default 256 MiB is about 260 KB. The SP must bound inflation",
		Params:  []ParamSpec{{Name: "mib", Default: "256", Summary: "inflated size in MiB, 1 to 1024"}},
		Apply:   applyDeflateBomb,
	}
}

func applyDeflateBomb(c *Context, f Fault) error {
	mib, err := intParam(f, "mib", 256, 1, maxDeflateBomb>>20)
	if err != nil {
		return err
	}
	d, err := zeroBomb(mib)
	if err != nil {
		return err
	}
	return redirectTo(c, d)
}

func relaystateFault() Spec {
	return Spec{
		Name: "relaystate", Stage: StageBind,
		Summary: "set RelayState (relaystate-open-redirect): an absolute URL, javascript:, or an over-long value; the SP must never redirect to it unvalidated",
		Params: []ParamSpec{
			{Name: "value", Default: "https://evil.example/", Summary: "the RelayState"},
			{Name: "length", Summary: "pad the value with A to this many bytes (e.g. 81, one more than saml-bindings allows)"}},
		Apply: applyRelaystate,
	}
}

func applyRelaystate(c *Context, f Fault) error {
	v := f.Param("value", "")
	n, err := intParam(f, "length", 0, 0, 1<<20)
	if err != nil {
		return err
	}
	if n > len(v) {
		v += strings.Repeat("A", n-len(v))
	}
	form(c).Set("RelayState", v)
	return nil
}

func dropRelaystateFault() Spec {
	return Spec{
		Name: "drop-relaystate", Stage: StageBind,
		Summary: "leave RelayState out of the delivery",
		Apply:   applyDropRelaystate,
	}
}

func applyDropRelaystate(c *Context, f Fault) error {
	form(c).Del("RelayState")
	return nil
}
