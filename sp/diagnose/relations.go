package diagnose

import (
	"net/mail"
	"net/url"
	"strings"

	"github.com/samlharness/samlharness/internal/wire"
)

// ---- helpers ----

// urlRelation says how a URL found relates to the one expected, in the
// workspace's terms.
func urlRelation(found, want string, c Config) string {
	switch {
	case found == want:
		return "the same"
	case found == c.RedirectURL:
		return "the workspace's Redirect URL, not its Service Provider Entity Id"
	case found == c.ServiceProviderEntityID:
		return "the workspace's Service Provider Entity Id, not its Redirect URL"
	case strings.TrimRight(found, "/") == strings.TrimRight(want, "/"):
		return "a trailing slash differs"
	case strings.EqualFold(found, want):
		return "differs only in letter case"
	case strings.TrimSpace(found) == want:
		return "extra whitespace around it"
	}
	fu, err1 := url.Parse(found)
	wu, err2 := url.Parse(want)
	if err1 == nil && err2 == nil && fu.Host != "" {
		switch {
		case fu.Host == wu.Host && fu.Scheme != wu.Scheme:
			return fu.Scheme + " instead of " + wu.Scheme
		case strings.EqualFold(fu.Host, wu.Host) && fu.Path != wu.Path:
			return "the right host, another path"
		case !strings.EqualFold(fu.Host, wu.Host):
			return "another host: " + fu.Host
		}
	}
	return "another value"
}

// entityRelation says how the configured IdP entity ID relates to Okta's.
func entityRelation(configured, issuer string, c Config, md *Metadata) string {
	configured = strings.TrimSpace(configured)
	switch {
	case configured == strings.TrimSpace(c.IdentityProviderSignInURL) && configured != "":
		return "it is the Identity Provider Sign-In URL, not the entity ID"
	case md != nil && contains(md.SSOLocations, configured):
		return "it is the metadata's SingleSignOnService Location, not its entityID"
	case strings.HasSuffix(configured, "/sso/saml/metadata"):
		return "it is the metadata URL, not the entityID"
	case strings.TrimRight(configured, "/") == strings.TrimRight(issuer, "/"):
		return "a trailing slash differs"
	case strings.Replace(configured, "https://", "http://", 1) == issuer:
		return "https instead of Okta's http://www.okta.com/…"
	case strings.EqualFold(configured, issuer):
		return "differs only in letter case"
	case strings.HasPrefix(configured, "http://www.okta.com/exk") && strings.HasPrefix(issuer, "http://www.okta.com/exk"):
		return "another Okta app's entity ID"
	}
	return ""
}

func signInURL(c Config) string {
	u, err := url.Parse(c.ServiceProviderEntityID)
	if err != nil || u.Host == "" {
		return "the workspace's /app/sign-in?use_sso=true"
	}
	return strings.TrimRight(c.ServiceProviderEntityID, "/") + "/app/sign-in?use_sso=true"
}

// isEmail mirrors the SP's rule: a bare local@domain with a dot in the domain.
func isEmail(s string) bool {
	if strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	ad, err := mail.ParseAddress(s)
	if err != nil || ad.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	d := s[at+1:]
	return at > 0 && strings.Contains(d, ".") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}

func shortFormat(urn string) string {
	switch urn {
	case wire.NameIDEmailAddress:
		return "emailAddress"
	case wire.NameIDUnspecified:
		return "unspecified"
	case wire.NameIDPersistent:
		return "persistent"
	case wire.NameIDTransient:
		return "transient"
	case wire.NameIDX509SubjectName:
		return "X509SubjectName"
	}
	return urn
}

func algName(uri string) string {
	names := map[string]string{
		wire.AlgRSASHA256: "RSA-SHA256", wire.AlgRSASHA1: "RSA-SHA1", wire.AlgRSASHA512: "RSA-SHA512", wire.AlgRSASHA384: "RSA-SHA384",
		wire.AlgDigestSHA256: "SHA-256", wire.AlgDigestSHA1: "SHA-1", wire.AlgDigestSHA512: "SHA-512", wire.AlgDigestSHA384: "SHA-384",
		wire.AlgExcC14N: "exclusive c14n", wire.AlgExcC14NComments: "exclusive c14n with comments",
		wire.AlgC14N10: "c14n 1.0", wire.AlgC14N10Comments: "c14n 1.0 with comments", wire.AlgC14N11: "c14n 1.1",
	}
	if n, ok := names[uri]; ok {
		return n
	}
	if uri == "" {
		return "none"
	}
	return uri
}
