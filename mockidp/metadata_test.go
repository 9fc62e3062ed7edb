package mockidp

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/internal/wire"
)

func TestMetadataShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		format  NameIDFormat
		formats []string
	}{
		{"default unspecified", "", []string{wire.NameIDUnspecified, wire.NameIDEmailAddress}},
		{"email", NameIDEmailAddress, []string{wire.NameIDEmailAddress, wire.NameIDUnspecified}},
		{"persistent", NameIDPersistent, []string{wire.NameIDPersistent, wire.NameIDUnspecified}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := defaultSettings()
			s.NameIDFormat = tc.format
			idp, app, _ := setup(t, s)
			md, err := idp.Metadata(app.ID)
			if err != nil {
				t.Fatal(err)
			}
			text := string(md)
			const decl = `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/` + "exk"
			if !strings.HasPrefix(text, decl) {
				t.Fatalf("metadata starts %q, want %q", text[:120], decl)
			}
			// One line apart from the certificate's 76-character wrapping.
			cert := between(t, text, "<ds:X509Certificate>", "</ds:X509Certificate>")
			if strings.Contains(strings.Replace(text, cert, "", 1), "\n") {
				t.Errorf("metadata has line breaks outside the certificate")
			}
			lines := strings.Split(cert, "\n")
			for i, l := range lines {
				if i < len(lines)-1 && len(l) != 76 || len(l) > 76 {
					t.Errorf("certificate line %d has %d characters, want 76", i+1, len(l))
				}
			}
			der, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(cert, "\n", ""))
			if err != nil {
				t.Fatal(err)
			}
			active, _ := idp.ActiveCertificate(app.ID)
			if string(der) != string(active.X509.Raw) {
				t.Errorf("metadata certificate is not the active one")
			}

			doc := parseDoc(t, md)
			root := doc.Root()
			if got := root.SelectAttrValue("entityID", ""); got != app.EntityID || got != "http://www.okta.com/"+app.ExternalKey {
				t.Errorf("entityID = %q, want http://www.okta.com/%s", got, app.ExternalKey)
			}
			desc := root.FindElement("./IDPSSODescriptor")
			if desc.SelectAttrValue("WantAuthnRequestsSigned", "") != "false" || desc.SelectAttrValue("protocolSupportEnumeration", "") != wire.NSProtocol {
				t.Errorf("IDPSSODescriptor attributes: %v", desc.Attr)
			}
			if kds := desc.FindElements("./KeyDescriptor"); len(kds) != 1 || kds[0].SelectAttrValue("use", "") != "signing" {
				t.Errorf("want exactly one KeyDescriptor use=signing, got %d", len(kds))
			}
			var formats []string
			for _, f := range desc.FindElements("./NameIDFormat") {
				formats = append(formats, f.Text())
			}
			if strings.Join(formats, ",") != strings.Join(tc.formats, ",") {
				t.Errorf("NameIDFormat = %v, want %v", formats, tc.formats)
			}
			ssos := desc.FindElements("./SingleSignOnService")
			if len(ssos) != 2 || ssos[0].SelectAttrValue("Binding", "") != wire.BindingHTTPPost || ssos[1].SelectAttrValue("Binding", "") != wire.BindingHTTPRedirect {
				t.Fatalf("SingleSignOnService: want POST then Redirect")
			}
			want := testBase + "/app/dev-123456_elevenlabs_1/" + app.ExternalKey + "/sso/saml"
			for _, s := range ssos {
				if got := s.SelectAttrValue("Location", ""); got != want || got != app.SignOnURL {
					t.Errorf("Location = %q, want %q", got, want)
				}
			}
		})
	}
}

func TestMetadataNeedsBaseURL(t *testing.T) {
	t.Parallel()
	cfg := testConfig(1)
	cfg.BaseURL = ""
	idp, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app, err := idp.CreateApp("x", defaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.Metadata(app.ID); ErrorCode(err) != CodeBaseURLUnset {
		t.Fatalf("Metadata without base URL: %v, want %s", err, CodeBaseURLUnset)
	}
	if _, err := idp.Metadata("0oanothere"); ErrorCode(err) != CodeAppNotFound {
		t.Fatalf("Metadata of unknown app: %v, want %s", err, CodeAppNotFound)
	}
}

func between(t testing.TB, s, open, close string) string {
	t.Helper()
	i := strings.Index(s, open)
	j := strings.Index(s, close)
	if i < 0 || j < i {
		t.Fatalf("no %s…%s in %s", open, close, s)
	}
	return s[i+len(open) : j]
}
