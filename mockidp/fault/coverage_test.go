package fault

import (
	"bytes"
	"compress/flate"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/internal/wire"
)

// Samples for the registry test of the coverage faults.
func init() {
	samples["hmac-signature"] = []Fault{fault("hmac-signature")}
	samples["sign-assertion-with"] = []Fault{fault("sign-assertion-with")}
	samples["xml-declaration"] = []Fault{fault("xml-declaration")}
	samples["duplicate-attribute"] = []Fault{fault("duplicate-attribute")}
	samples["deflate-on-post"] = []Fault{fault("deflate-on-post")}
}

func TestHMACSignatureKeyedWithCertificate(t *testing.T) {
	for _, bits := range []string{"0", "8"} {
		c := run(t, fault("hmac-signature", "bits", bits))
		doc := reparse(t, c.Raw)
		sig := child(doc.Root(), wire.NSDSig, "Signature")
		si := child(sig, wire.NSDSig, "SignedInfo")
		method := child(si, wire.NSDSig, "SignatureMethod")
		if got := method.SelectAttrValue("Algorithm", ""); got != covHMACSHA1 {
			t.Fatalf("bits=%s: SignatureMethod %q", bits, got)
		}
		canonical, err := canonicalSignedInfo(sig)
		if err != nil {
			t.Fatal(err)
		}
		mac := hmac.New(sha1.New, c.Signer.Certificate(*c.Plan).Raw)
		mac.Write(canonical)
		want := mac.Sum(nil)
		if bits == "8" {
			want = want[:1]
			if l := child(method, wire.NSDSig, "HMACOutputLength"); l == nil || l.Text() != "8" {
				t.Errorf("bits=8: no HMACOutputLength 8")
			}
		}
		got, err := base64.StdEncoding.DecodeString(child(sig, wire.NSDSig, "SignatureValue").Text())
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("bits=%s: SignatureValue is not the HMAC of SignedInfo keyed with the certificate", bits)
		}
	}
	if err := stages(t, newContext(t), StageBind, fault("hmac-signature", "bits", "7")); err == nil {
		t.Error("bits=7 (not a whole number of bytes) must be refused")
	}
}

func TestSignAssertionWithAttackerInsideIdPSignedResponse(t *testing.T) {
	c := run(t, fault("sign-assertion-with", "key", "attacker"))
	doc := reparse(t, c.Raw)
	root := doc.Root()
	if err := verify(t, root); err != nil {
		t.Errorf("the Response signature must verify with the IdP certificate: %v", err)
	}
	a := child(root, wire.NSAssertion, "Assertion")
	if a == nil || signatureOf(a) == nil {
		t.Fatal("the Assertion lost its signature")
	}
	if err := verify(t, a); err == nil {
		t.Error("the Assertion's signature must not verify with the IdP certificate")
	}
}

func TestXMLDeclarationForms(t *testing.T) {
	for form, decl := range covDeclarations {
		c := run(t, fault("xml-declaration", "form", form))
		if !bytes.HasPrefix(c.Raw, []byte(decl)) {
			t.Errorf("%s: the document starts %q", form, abbreviate(c.Raw[:min(len(c.Raw), 60)]))
		}
		if n := bytes.Count(c.Raw, []byte("<?xml ")); n != 1 {
			t.Errorf("%s: %d XML declarations", form, n)
		}
	}
}

func TestDuplicateAttributeOnRoot(t *testing.T) {
	c := run(t, fault("duplicate-attribute", "attr", "Destination", "value", `https://evil.example/"x`))
	end := bytes.IndexByte(c.Raw[covRootNameEnd(c.Raw):], '>')
	start := string(c.Raw[:covRootNameEnd(c.Raw)+end])
	if strings.Count(start, " Destination=") != 2 || !strings.Contains(start, `Destination="https://evil.example/&quot;x"`) {
		t.Errorf("the root start tag does not carry Destination twice: %s", start)
	}
	c2 := newContext(t)
	if err := stages(t, c2, StageBind, fault("duplicate-attribute", "attr", "NoSuchAttr")); err == nil {
		t.Error("duplicating an absent attribute must be an error")
	}
}

func TestDeflateOnPost(t *testing.T) {
	for _, mode := range []string{"stored", "compressed"} {
		c := run(t, fault("deflate-on-post", "mode", mode))
		data, err := base64.StdEncoding.DecodeString(c.Form.Get("SAMLResponse"))
		if err != nil {
			t.Fatal(err)
		}
		inflated, err := io.ReadAll(flate.NewReader(bytes.NewReader(data)))
		if err != nil || !bytes.Equal(inflated, c.Raw) {
			t.Errorf("%s: the posted value does not inflate to the response (%v)", mode, err)
		}
	}
	// Stored blocks of every length keep '<' and '&' out of their headers.
	for n := 1; n < 20000; n += 37 {
		raw := bytes.Repeat([]byte("x"), n)
		data := covStoredDeflate(raw)
		if bytes.ContainsAny(data, "<&") {
			t.Fatalf("length %d: a block header holds '<' or '&'", n)
		}
		if inflated, err := io.ReadAll(flate.NewReader(bytes.NewReader(data))); err != nil || !bytes.Equal(inflated, raw) {
			t.Fatalf("length %d: does not inflate back (%v)", n, err)
		}
	}
}
