package mockidp

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Return addresses and echoed input.
//
// Every address the IdP sends a browser back to after a step (fromURI after
// signing in, to the org or to the admin console) goes through
// sameOriginPath: only a path on the IdP itself passes. Browsers repair
// URLs before they follow them — they drop tabs and line breaks, read a
// backslash as a slash and undo percent-encoding in some places — so the
// check refuses every form that could become "//host" or "scheme:" after
// such a repair, not only the literal ones (WHATWG URL Standard, "basic URL
// parser": ASCII tab or newline is removed, "\" is a path separator in
// special schemes).

// maxReturnAddress bounds a return address; longer ones are refused. An SSO
// URL with its SAMLRequest fits (maxEncodedRequest, percent-encoded).
const maxReturnAddress = 3*maxEncodedRequest + 1024

// maxPercentDecodes is how many rounds of percent-decoding the check looks
// through (a value decoded once by the query parser, once more by a
// careless hop, …).
const maxPercentDecodes = 3

// sameOriginPath returns target as a path (with its query) on the IdP when
// it is one: a path starting with exactly one "/", or an absolute URL whose
// scheme and host are base's (then its path and query). Anything else —
// another origin, a scheme-relative "//host", a backslash, a control or
// invisible character, an encoded form of those, another scheme such as
// javascript: — gives ok=false.
func sameOriginPath(base, target string) (path string, ok bool) {
	if target == "" || len(target) > maxReturnAddress || !utf8.ValidString(target) {
		return "", false
	}
	if !strings.HasPrefix(target, "/") {
		// An absolute URL is accepted only on the IdP's own origin.
		b, err := url.Parse(base)
		if base == "" || err != nil || b.Scheme == "" || b.Host == "" {
			return "", false
		}
		if hasHostileRune(target) {
			return "", false
		}
		u, err := url.Parse(target)
		if err != nil || u.Opaque != "" || u.User != nil || !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Host, b.Host) {
			return "", false
		}
		target = u.EscapedPath()
		if u.RawQuery != "" || u.ForceQuery {
			target += "?" + u.RawQuery
		}
		if target == "" {
			target = "/"
		}
	}
	if hasHostileRune(target) || strings.ContainsRune(target, '\\') {
		return "", false
	}
	// Look through a few rounds of percent-decoding of the path: no round
	// may reveal a scheme-relative start, a backslash or a hostile
	// character. (The query cannot change where the browser goes.)
	s, _, _ := strings.Cut(target, "?")
	for i := 0; ; i++ {
		if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') || hasHostileRune(s) {
			return "", false
		}
		if i == maxPercentDecodes || !strings.Contains(s, "%") {
			break
		}
		next, err := url.PathUnescape(s)
		if err != nil {
			return "", false
		}
		if next == s {
			break
		}
		s = next
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	return target, true
}

// hasHostileRune reports a character a browser drops or reinterprets in a
// URL: C0 and C1 controls (tab, CR, LF, NUL, …), DEL, spaces and other
// separators, format characters (zero-width, bidi), and the replacement
// character.
func hasHostileRune(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return true
		case r == ' ' || unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			return true
		case unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			return true
		}
	}
	return false
}

// maxEcho is how much of a received value an error message or page repeats.
const maxEcho = 80

// echo returns a short, printable prefix of a received value for an error
// message: at most maxEcho characters, control and invisible characters
// shown as Go escapes, "…" when cut. Pages escape it again for HTML.
func echo(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxEcho {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) {
			b.WriteString(strings.Trim(strconv.QuoteRune(r), "'"))
		} else {
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}
