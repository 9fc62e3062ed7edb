package sp

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func newBareServer(t *testing.T) *Server {
	t.Helper()
	srv, err := New(Config{BaseURL: testBase, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.CreateWorkspace(WorkspaceSpec{ID: "ws1", Name: "Acme", VerifiedDomains: []string{testDomain}}); err != nil {
		t.Fatal(err)
	}
	return srv
}

func problemCodes(err error) []string {
	var ce *ConfigError
	if !errors.As(err, &ce) {
		return nil
	}
	var out []string
	for _, p := range ce.Problems {
		out = append(out, p.Field+":"+p.Code)
	}
	return out
}

func TestUpdateSSOListsEveryProblem(t *testing.T) {
	t.Parallel()
	srv := newBareServer(t)
	good := SSOSettings{SSOProvider: "SAML", IdentityProviderEntityID: testIdPEntity, IdentityProviderSignInURL: testIdPSSO,
		Certificates: []string{idpSigner(t).certPEM}, Domains: []string{testDomain}, Acknowledge: true}
	if _, err := srv.UpdateSSO("ws1", good); err != nil {
		t.Fatal(err)
	}
	before, _ := srv.SSO("ws1")

	cases := []struct {
		name string
		in   SSOSettings
		want []string
	}{
		{"everything missing", SSOSettings{}, []string{
			"ssoProvider:MISSING_FIELD", "identityProviderEntityId:MISSING_FIELD", "identityProviderSignInUrl:MISSING_FIELD",
			"certificates:MISSING_FIELD", "acknowledge:NOT_ACKNOWLEDGED", "domains:MISSING_FIELD"}},
		{"everything wrong", SSOSettings{SSOProvider: "OIDC", IdentityProviderEntityID: " ", IdentityProviderSignInURL: "okta.com/app/x/sso/saml",
			Certificates: []string{"", "junk"}, Domains: []string{"acme-labs.test", "not a domain"}, Profile: "lenient"}, []string{
			"ssoProvider:UNSUPPORTED_PROVIDER", "identityProviderEntityId:MISSING_FIELD", "identityProviderSignInUrl:INVALID_URL",
			"certificates[0]:MISSING_FIELD", "acknowledge:NOT_ACKNOWLEDGED", "profile:UNKNOWN_PROFILE", "domains[0]:DOMAIN_NOT_VERIFIED", "domains[1]:INVALID_DOMAIN"}},
		{"only the acknowledgement missing", func() SSOSettings { s := good; s.Acknowledge = false; return s }(), []string{"acknowledge:NOT_ACKNOWLEDGED"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := srv.UpdateSSO("ws1", tc.in)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Code != ErrCodeInvalidConfig {
				t.Fatalf("got %v", err)
			}
			if got := problemCodes(err); !slices.Equal(got, tc.want) {
				t.Fatalf("problems\n got %v\nwant %v", got, tc.want)
			}
			for _, p := range ce.Problems {
				if p.Message == "" {
					t.Fatalf("problem %s has no message", p.Code)
				}
			}
			after, _ := srv.SSO("ws1")
			if after.Revision != before.Revision || !slices.Equal(after.Certificates, before.Certificates) {
				t.Fatal("a refused update changed the stored configuration")
			}
		})
	}
	t.Run("unknown workspace", func(t *testing.T) {
		_, err := srv.UpdateSSO("nope", good)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Code != ErrCodeWorkspaceNotFound {
			t.Fatalf("got %v", err)
		}
	})
}

func TestCertificatesKeptAsPasted(t *testing.T) {
	t.Parallel()
	srv := newBareServer(t)
	okta := idpSigner(t).certPEM
	pasted := []string{
		"  \r\n" + strings.ReplaceAll(okta, "\n", "\r\n") + "\t \n",                             // CRLF, surrounding whitespace
		"Bag Attributes\n" + okta + "trailing words",                                            // text around the block
		strings.Replace(okta, "-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE----- ", 1), // trailing space on the header
		strings.Replace(okta, "M", "*", 1),                                                      // broken: kept, with a warning
	}
	cfg, err := srv.UpdateSSO("ws1", SSOSettings{SSOProvider: "saml", IdentityProviderEntityID: testIdPEntity, IdentityProviderSignInURL: testIdPSSO,
		Certificates: pasted, Domains: []string{"ACME.test"}, Acknowledge: true})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := srv.SSO("ws1")
	for i := range pasted {
		if stored.Certificates[i] != pasted[i] || cfg.Certificates[i] != pasted[i] {
			t.Fatalf("certificate %d changed:\n got %q\nwant %q", i, stored.Certificates[i], pasted[i])
		}
	}
	if stored.SSOProvider != "SAML" || !slices.Equal(stored.Domains, []string{testDomain}) {
		t.Fatalf("provider %q domains %v", stored.SSOProvider, stored.Domains)
	}
	codes := map[string]string{}
	for _, w := range stored.Warnings {
		codes[w.Field] += w.Code + " "
	}
	if !strings.Contains(codes["certificates[1]"], CertLeadingText) || !strings.Contains(codes["certificates[3]"], CertBase64Char) || !strings.Contains(codes["certificates[1]"], CertDuplicate) {
		t.Fatalf("warnings %v", stored.Warnings)
	}
	// Returned slices are copies.
	stored.Certificates[0] = "mutated"
	again, _ := srv.SSO("ws1")
	if again.Certificates[0] != pasted[0] {
		t.Fatal("SSO() exposes internal state")
	}
}

func TestCertificateWarnings(t *testing.T) {
	t.Parallel()
	expired := newSigner(t, "idp-primary", testNow.AddDate(-10, 0, 0), testNow.AddDate(0, 0, -1))
	weak := newSigner(t, "weak-1024", testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0))
	spare := newSigner(t, "spare", testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0))
	ws := certificateWarnings([]string{expired.certPEM, weak.certPEM, spare.certPEM + expired.certPEM, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"}, testNow)
	want := []string{"certificates[0]:CERT_EXPIRED", "certificates[1]:CERT_WEAK_KEY", "certificates[2]:CERT_CHAIN", "certificates[3]:CERT_IS_PRIVATE_KEY"}
	var got []string
	for _, w := range ws {
		got = append(got, w.Field+":"+w.Code)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	srv := newBareServer(t)
	_, err := srv.CreateWorkspace(WorkspaceSpec{ID: "ws1", Name: "", VerifiedDomains: []string{"acme.test", "x"}, Profile: "nope"})
	if got := problemCodes(err); !slices.Equal(got, []string{"name:MISSING_FIELD", "profile:UNKNOWN_PROFILE", "verifiedDomains[1]:INVALID_DOMAIN", "id:WORKSPACE_EXISTS", "verifiedDomains[0]:DOMAIN_TAKEN"}) {
		t.Fatalf("got %v", got)
	}
	ws, err := srv.CreateWorkspace(WorkspaceSpec{Name: "Labs", Profile: ProfileStrict})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.ID) != 16 || ws.ProviderID != "saml.workspace-"+ws.ID || ws.Profile != ProfileStrict {
		t.Fatalf("workspace %+v", ws)
	}
	if _, err := srv.VerifyDomain(ws.ID, "acme.test"); !slices.Equal(problemCodes(err), []string{"domain:DOMAIN_TAKEN"}) {
		t.Fatalf("got %v", err)
	}
	if ws, err = srv.VerifyDomain(ws.ID, "@Labs.Test."); err != nil || !slices.Equal(ws.VerifiedDomains, []string{"labs.test"}) {
		t.Fatalf("got %+v %v", ws, err)
	}
	if err := srv.SetProfile(ws.ID, ProfileIdentityPlatform); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Workspace(ws.ID); got.Profile != ProfileIdentityPlatform {
		t.Fatalf("profile %s", got.Profile)
	}
	if cfg, err := srv.SSO(ws.ID); err != nil || cfg.Configured || cfg.RedirectURL != callback || cfg.ServiceProviderEntityID != testBase {
		t.Fatalf("unconfigured SSO %+v %v", cfg, err)
	}
}
