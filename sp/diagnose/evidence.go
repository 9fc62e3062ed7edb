package diagnose

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Evidence is the SAMLResponse to diagnose and what is known about the
// sign-in it belongs to.
type Evidence struct {
	// Source is "response" (a --response file) or "har".
	Source string
	// SAMLResponse is the form value the SP received (base64). For a
	// response given as XML, URL-encoded or doubly encoded it is the
	// response re-encoded as the HTTP-POST binding would carry it.
	SAMLResponse string
	// XML is the decoded document (nil when it cannot be decoded).
	XML []byte
	// Encoding says how the input carried the response.
	Encoding string
	// Notes are things about the input the reader should know.
	Notes []string
	// RequestID is the AuthnRequest ID of the sign-in when the evidence
	// shows it (a HAR), with where it was read.
	RequestID       string
	RequestIDSource string
	// At is when the SP judged the response, if the evidence says (a HAR).
	At time.Time
	// Recorded is what the SP answered in the capture (a HAR).
	Recorded *Recorded
	// Login describes the sign-in picked from a HAR; Logins lists all of
	// its sign-ins.
	Login  *Login
	Logins []Login
	// ProviderID is the workspace's provider ID when the capture shows it.
	ProviderID string
}

// Encodings of a response input.
const (
	EncBase64       = "base64"
	EncURLBase64    = "URL-encoded base64"
	EncXML          = "XML"
	EncFormBody     = "form body"
	EncDoubleBase64 = "base64 of base64"
)

// ParseResponse reads a captured SAMLResponse: the base64 form value (as
// copied from the browser's network tab), the same URL-encoded, a whole
// form body (SAMLResponse=…&RelayState=…), or the decoded XML. Bad input
// gets an *Error saying what was found and what was expected.
func ParseResponse(data []byte) (*Evidence, error) {
	if err := checkSize("response file", len(data), MaxResponseInputBytes,
		"one SAMLResponse: an Okta response is 5–15 KB of base64, and the SP refuses more than 1 MiB"); err != nil {
		return nil, err
	}
	s := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	ev := &Evidence{Source: "response"}
	if s == "" {
		return nil, errorf(ErrResponseEmpty, "the response file is empty. Expected the SAMLResponse the IdP posted to the Redirect URL: base64 (PHNhbWxwOlJlc3BvbnNl… or PD94bWwg…), URL-encoded base64, or the decoded XML")
	}
	if !utf8.ValidString(s) {
		return nil, errorf(ErrResponseNotBase64, "the response file is binary data, not text. Expected the SAMLResponse as base64 text or XML")
	}
	switch {
	case strings.HasPrefix(s, "<"):
		if err := checkSAMLXML([]byte(s)); err != nil {
			return nil, err
		}
		ev.Encoding, ev.XML = EncXML, []byte(s)
		ev.SAMLResponse = base64.StdEncoding.EncodeToString(ev.XML)
		return ev, nil
	case strings.HasPrefix(s, "{"):
		return nil, errorf(ErrResponseNotSAML, "the response file is JSON. Expected the SAMLResponse itself; for a browser capture pass the HAR with --har, for the workspace settings use --config")
	}
	value := s
	ev.Encoding = EncBase64
	if strings.Contains(s, "SAMLResponse=") {
		form, err := url.ParseQuery(s[strings.Index(s, "SAMLResponse="):])
		if err != nil || form.Get("SAMLResponse") == "" {
			return nil, errorf(ErrResponseNotBase64, "the response file looks like a form body but its SAMLResponse cannot be read. Expected SAMLResponse=<URL-encoded base64>&RelayState=…")
		}
		value, ev.Encoding = form.Get("SAMLResponse"), EncFormBody
	} else if looksURLEncoded(s) {
		v, notes, err := urlDecode(s)
		if err != nil {
			return nil, err
		}
		value, ev.Encoding = v, EncURLBase64
		ev.Notes = append(ev.Notes, notes...)
	}
	dec, err := decodeSAMLValue(value)
	if err != nil {
		return nil, err
	}
	ev.XML = dec.xml
	ev.Notes = append(ev.Notes, dec.notes...)
	if dec.double {
		ev.Encoding = EncDoubleBase64
	}
	if ev.Encoding == EncBase64 && len(dec.notes) == 0 {
		ev.SAMLResponse = value
	} else {
		ev.SAMLResponse = base64.StdEncoding.EncodeToString(ev.XML)
	}
	return ev, nil
}

// looksURLEncoded reports percent-escapes of base64's special characters.
func looksURLEncoded(s string) bool {
	u := strings.ToUpper(s)
	return strings.Contains(u, "%2B") || strings.Contains(u, "%2F") || strings.Contains(u, "%3D") || strings.Contains(u, "%25")
}

// urlDecode undoes URL encoding, once or twice.
func urlDecode(s string) (string, []string, error) {
	var notes []string
	for i := 0; i < 2 && looksURLEncoded(s); i++ {
		var v string
		var err error
		if strings.Contains(strings.ToUpper(s), "%2B") {
			v, err = url.QueryUnescape(s) // '+' was escaped, so a bare '+' is a space
		} else {
			v, err = url.PathUnescape(s)
		}
		if err != nil {
			return "", nil, errorf(ErrResponseNotBase64, "the response looks URL-encoded but cannot be decoded: %v. Expected the SAMLResponse value as base64, or URL-encoded once", err)
		}
		if i == 1 {
			notes = append(notes, "the SAMLResponse was URL-encoded twice (%252B…); it was decoded twice")
		}
		s = v
	}
	return s, notes, nil
}

// decoded is a SAMLResponse value decoded to XML.
type decoded struct {
	xml    []byte
	notes  []string
	double bool
}

// decodeSAMLValue decodes a SAMLResponse form value (base64) to the XML
// document, tolerating — with a note — what a copy or a broken IdP adds:
// the URL-safe alphabet, a second layer of base64, deflate. Truncation and
// characters that are not base64 are errors that say where.
func decodeSAMLValue(v string) (*decoded, error) {
	compact := stripSpace(v)
	if compact == "" {
		return nil, errorf(ErrResponseEmpty, "the SAMLResponse is empty. Expected the base64 value the IdP posted")
	}
	out := &decoded{}
	b, err := base64.StdEncoding.Strict().DecodeString(compact)
	if err != nil {
		b, err = decodeLenient(compact, out)
		if err != nil {
			return nil, err
		}
	}
	b = trimXMLPrefix(b)
	if !bytes.HasPrefix(b, []byte("<")) {
		if inner, ok := base64Layer(b); ok {
			out.notes = append(out.notes, "the SAMLResponse is base64 of base64 (encoded twice): it was decoded twice. An IdP must encode the response once; if the browser posted it like this, the SP cannot read it")
			out.double = true
			b = inner
		} else if inflated, ok, tooBig := inflate(b, inflateLimit(len(b))); ok || tooBig {
			if tooBig {
				return nil, errorf(ErrInputTooLarge, "the SAMLResponse is deflated and inflates to more than %s from %s: a deflated response shrinks a few times, not more than %d times. Expected base64 of a <samlp:Response> document", byteSize(inflateLimit(len(b))), byteSize(len(b)), maxInflateRatio)
			}
			out.notes = append(out.notes, "the SAMLResponse is deflated (the HTTP-Redirect binding's encoding): it was inflated. Responses must be POSTed, base64 without deflate")
			b = inflated
		} else {
			return nil, errorf(ErrResponseNotSAML, "the SAMLResponse decodes to %d bytes that are not XML (they start with %s). Expected base64 of a <samlp:Response> document", len(b), quoteStart(b))
		}
	}
	if err := checkSAMLXML(b); err != nil {
		return nil, err
	}
	out.xml = b
	return out, nil
}

// decodeLenient explains a value that is not strict standard base64.
func decodeLenient(compact string, out *decoded) ([]byte, error) {
	if strings.ContainsAny(compact, "-_") && !strings.ContainsAny(compact, "+/") {
		if b, err := base64.URLEncoding.DecodeString(compact); err == nil {
			out.notes = append(out.notes, "the SAMLResponse uses the URL-safe base64 alphabet (- and _ instead of + and /): it was decoded anyway; the HTTP-POST binding uses the standard alphabet")
			return b, nil
		}
	}
	bad := -1
	for i := 0; i < len(compact); i++ {
		if !isBase64Byte(compact[i]) {
			bad = i
			break
		}
	}
	if bad >= 0 {
		r, _ := utf8.DecodeRuneInString(compact[bad:])
		hint := ""
		switch r {
		case '%':
			hint = " (a percent-escape: the value is URL-encoded in a way this tool could not undo)"
		case '"', '\'', '<', '&':
			hint = " (quoting or markup: copy only the SAMLResponse value)"
		case '\u2026':
			hint = " (an ellipsis: the value was shortened when it was copied)"
		}
		return nil, errorf(ErrResponseNotBase64, "the SAMLResponse is not base64: character %q at position %d of %d%s. Expected only A–Z, a–z, 0–9, +, / and = padding", r, bad+1, len(compact), hint)
	}
	// Only base64 characters: a length that is not a multiple of 4 or
	// padding in the middle means the value was cut.
	body := strings.TrimRight(compact, "=")
	if strings.Contains(body, "=") {
		i := strings.Index(body, "=")
		return nil, errorf(ErrResponseNotBase64, "the SAMLResponse has '=' padding at position %d of %d, before its end: two values were joined, or the copy is damaged. Expected one base64 value", i+1, len(compact))
	}
	whole := body[:len(body)/4*4]
	prefix, _ := base64.StdEncoding.DecodeString(whole)
	return nil, truncatedError(len(compact), prefix)
}

// truncatedError describes a response cut short.
func truncatedError(chars int, prefix []byte) error {
	where := ""
	if open := openElements(prefix); open != "" {
		where = fmt.Sprintf("; the XML stops inside %s after %s", open, byteSize(len(prefix)))
	}
	return errorf(ErrResponseTruncated, "the SAMLResponse is truncated: %d base64 characters is not a whole response%s. Expected the complete value (DevTools → Network → the POST to the Redirect URL → Payload → view source, or a HAR export)", chars, where)
}

// openElements returns the elements still open where a document ends
// early, as "<saml2:Assertion> › <saml2:Subject>", or "" when it does not
// end early (complete, or malformed in another way).
func openElements(b []byte) string {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var stack []string
	depth := 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			if depth == 0 || !(errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected EOF")) {
				return ""
			}
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			name := t.Name.Local
			if t.Name.Space != "" {
				name = t.Name.Space + ":" + name
			}
			if len(stack) < 256 {
				stack = append(stack, "<"+name+">")
			}
		case xml.EndElement:
			depth--
			if depth < len(stack) && depth >= 0 {
				stack = stack[:depth]
			}
		}
	}
	if len(stack) > 3 {
		stack = append([]string{"…"}, stack[len(stack)-3:]...)
	}
	return strings.Join(stack, " › ")
}

// checkSAMLXML refuses decoded data that is clearly not a SAMLResponse and
// reports a document that was cut short.
func checkSAMLXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var root *xml.StartElement
	for root == nil {
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errorf(ErrResponseNotSAML, "the SAMLResponse decodes to XML without a root element. Expected a <samlp:Response> document")
			}
			return errorf(ErrResponseNotSAML, "the SAMLResponse does not decode to XML (%v); it starts with %s. Expected a <samlp:Response> document", err, quoteStart(b))
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = &se
		}
	}
	switch strings.ToLower(root.Name.Local) {
	case "response":
	case "authnrequest":
		return errorf(ErrResponseNotSAML, "this is a SAMLRequest (AuthnRequest), the SP's request to the IdP. Expected the SAMLResponse the IdP posted back to the Redirect URL")
	case "entitydescriptor", "entitiesdescriptor":
		return errorf(ErrResponseNotSAML, "this is SAML metadata, not a response: pass it with --okta-metadata. Expected the SAMLResponse the IdP posted to the Redirect URL")
	case "html":
		return errorf(ErrResponseNotSAML, "this is an HTML page, not a SAMLResponse. Expected the SAMLResponse form value the page posted")
	case "assertion":
		return errorf(ErrResponseNotSAML, "this is a bare <Assertion>, not the <samlp:Response> around it. Expected the whole SAMLResponse as posted")
	default:
		// Anything else: the SP judges it (a wrong root is its STRUCTURE).
		return nil
	}
	if open := openElements(b); open != "" {
		return truncatedError(base64.StdEncoding.EncodedLen(len(b)), b)
	}
	return nil
}

// base64Layer reports whether b is itself base64 of an XML document.
func base64Layer(b []byte) ([]byte, bool) {
	s := stripSpace(string(b))
	if len(s) < 16 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if !isBase64Byte(s[i]) {
			return nil, false
		}
	}
	inner, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	inner = trimXMLPrefix(inner)
	return inner, bytes.HasPrefix(inner, []byte("<"))
}

// maxInflateRatio bounds how many times deflated data may grow: XML
// deflates a few times (an Okta response about 4×), so more is a bomb.
const maxInflateRatio = 32

// inflateLimit is the most a deflated input of n bytes may inflate to: a
// fixed multiple, so inflating costs time in proportion to the input.
func inflateLimit(n int) int { return min(MaxResponseInputBytes, maxInflateRatio*n+64<<10) }

// inflate undoes raw deflate up to limit bytes. ok reports XML; tooBig that
// the data inflates beyond limit (nothing more is read).
func inflate(b []byte, limit int) (out []byte, ok, tooBig bool) {
	r := flate.NewReader(bytes.NewReader(b))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if len(out) > limit {
		return nil, false, true
	}
	if err != nil || len(out) == 0 {
		return nil, false, false
	}
	out = trimXMLPrefix(out)
	return out, bytes.HasPrefix(out, []byte("<")), false
}

func trimXMLPrefix(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(b, " \t\r\n")
}

func isBase64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

// quoteStart shows the first bytes of data.
func quoteStart(b []byte) string {
	n := min(len(b), 24)
	if utf8.Valid(b[:n]) {
		return fmt.Sprintf("%q", string(b[:n]))
	}
	return fmt.Sprintf("bytes % x", b[:min(n, 8)])
}
