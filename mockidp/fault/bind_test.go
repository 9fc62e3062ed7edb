package fault

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/internal/wire"
)

func TestBase64Variants(t *testing.T) {
	t.Parallel()
	strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for variant, check := range map[string]func(raw []byte, v string) bool{
		"wrapped-76": func(raw []byte, v string) bool {
			lines := strings.Split(v, "\r\n")
			b, err := base64.StdEncoding.DecodeString(strip(v))
			return len(lines) > 2 && len(lines[0]) == 76 && err == nil && bytes.Equal(b, raw)
		},
		"whitespace": func(raw []byte, v string) bool {
			b, err := base64.StdEncoding.DecodeString(strip(v))
			return strings.ContainsAny(v, " \t") && err == nil && bytes.Equal(b, raw)
		},
		"url-safe": func(raw []byte, v string) bool {
			b, err := base64.URLEncoding.DecodeString(v)
			_, stdErr := base64.StdEncoding.DecodeString(v)
			return err == nil && bytes.Equal(b, raw) && stdErr != nil
		},
		"invalid-chars": func(raw []byte, v string) bool {
			_, err := base64.StdEncoding.DecodeString(v)
			return err != nil && strings.Contains(v, "*!")
		},
		"plus-as-space": func(raw []byte, v string) bool {
			return !strings.Contains(v, "+") && strings.Contains(v, " ")
		},
		"double-encoded": func(raw []byte, v string) bool {
			once, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return false
			}
			twice, err := base64.StdEncoding.DecodeString(string(once))
			return err == nil && bytes.Equal(twice, raw)
		},
		"truncated": func(raw []byte, v string) bool {
			b, _ := base64.StdEncoding.DecodeString(v)
			return len(v) < len(base64.StdEncoding.EncodeToString(raw)) && !bytes.Equal(b, raw)
		},
		"empty": func(raw []byte, v string) bool { return v == "" },
	} {
		c := run(t, fault("base64", "variant", variant))
		if v := c.Form["SAMLResponse"]; len(v) != 1 || !check(c.Raw, v[0]) {
			t.Errorf("%s: SAMLResponse %.80q", variant, v)
		}
		if c.Form.Get("RelayState") != testRelayState {
			t.Errorf("%s: RelayState lost", variant)
		}
	}
}

func TestBindFaults(t *testing.T) {
	t.Parallel()
	for kind, want := range map[string]string{"text": "this is not XML", "html": "<!DOCTYPE html>", "json": `{"error"`, "wrong-root": "<hello "} {
		c := run(t, fault("not-xml", "kind", kind))
		b, err := base64.StdEncoding.DecodeString(c.Form.Get("SAMLResponse"))
		if err != nil || !strings.Contains(string(b), want) || !bytes.Equal(b, c.Raw) {
			t.Errorf("not-xml %s: %q", kind, b)
		}
	}

	c := run(t, fault("duplicate-param"))
	if v := c.Form["SAMLResponse"]; len(v) != 2 || v[0] != v[1] {
		t.Errorf("duplicate-param body: %d values", len(v))
	}
	c = run(t, fault("duplicate-param", "where", "query", "second", "garbage"))
	if u, err := url.Parse(c.ACS); err != nil || u.Query().Get("SAMLResponse") != "!!not-base64!!" || len(c.Form["SAMLResponse"]) != 1 {
		t.Errorf("duplicate-param query: ACS %q", c.ACS)
	}

	c = run(t, fault("relaystate", "value", "javascript:alert(1)", "length", "81"))
	if rs := c.Form.Get("RelayState"); len(rs) != 81 || !strings.HasPrefix(rs, "javascript:alert(1)AAA") {
		t.Errorf("RelayState %q", rs)
	}
	c = run(t, fault("drop-relaystate"))
	if _, ok := c.Form["RelayState"]; ok {
		t.Error("RelayState kept")
	}
}

func inflate(t *testing.T, b []byte, limit int64) ([]byte, int64) {
	t.Helper()
	r := flate.NewReader(bytes.NewReader(b))
	defer r.Close()
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(r, limit))
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out.Bytes(), n
}

func redirectQuery(t *testing.T, c *Context) (url.Values, []byte) {
	t.Helper()
	if c.Binding != wire.BindingHTTPRedirect {
		t.Fatalf("binding %q", c.Binding)
	}
	if !strings.HasPrefix(c.RedirectURL, testACS+"?SAMLResponse=") {
		t.Fatalf("RedirectURL %.100q", c.RedirectURL)
	}
	u, err := url.Parse(c.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	b, err := base64.StdEncoding.DecodeString(q.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	return q, b
}

func TestRedirectBinding(t *testing.T) {
	t.Parallel()
	c := run(t, fault("relaystate", "value", "a b&c"), fault("redirect-binding"))
	q, deflated := redirectQuery(t, c)
	got, _ := inflate(t, deflated, 1<<20)
	if !bytes.Equal(got, c.Raw) {
		t.Error("inflated SAMLResponse is not the response")
	}
	if q.Get("RelayState") != "a b&c" || !strings.Contains(c.RedirectURL, "&RelayState=a+b%26c") {
		t.Errorf("RelayState in %q", c.RedirectURL)
	}
}

func TestDeflateBomb(t *testing.T) {
	t.Parallel()
	// A small bomb inflates exactly, to zeros.
	c := run(t, fault("deflate-bomb", "mib", "8"))
	_, deflated := redirectQuery(t, c)
	out, n := inflate(t, deflated, 64<<20)
	if n != 8<<20 || bytes.Count(out, []byte{0}) != len(out) {
		t.Errorf("inflated %d bytes, want %d zeros", n, 8<<20)
	}
	// The default is hundreds of MiB behind well under 1 MB on the wire.
	c = run(t, fault("deflate-bomb"))
	_, deflated = redirectQuery(t, c)
	if len(deflated) >= 1<<20 || len(c.RedirectURL) >= 1<<20 {
		t.Errorf("bomb is %d bytes compressed, URL %d bytes", len(deflated), len(c.RedirectURL))
	}
	if _, n := inflate(t, deflated, 16<<20); n != 16<<20 {
		t.Errorf("bomb inflates to only %d bytes", n)
	}
	if ratio := float64(256<<20) / float64(len(deflated)); ratio < 500 {
		t.Errorf("ratio %.0f:1", ratio)
	}
	if err := stages(t, newContext(t), StageBind, fault("deflate-bomb", "mib", "4096")); err == nil {
		t.Error("4 GiB bomb accepted")
	}
}
