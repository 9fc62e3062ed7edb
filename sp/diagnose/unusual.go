package diagnose

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/samlharness/samlharness/sp"
)

// unusual.go: settings values that are unusual but not unusable. The
// diagnosis never stops for them: each becomes a finding and every check
// still runs with the value as given.

// Codes of the unusual-value findings.
const (
	CodeEntityIDNotURL    = "CONFIG_SP_ENTITY_ID_NOT_URL"
	CodeRedirectURLNotURL = "CONFIG_REDIRECT_URL_NOT_URL"
	CodeProfileUnknown    = "CONFIG_PROFILE_UNKNOWN"
)

// absoluteURL reports an absolute URL with a host.
func absoluteURL(v string) bool {
	u, err := url.Parse(strings.TrimSpace(v))
	return err == nil && u.Scheme != "" && u.Host != ""
}

// checkUnusualValues reports settings values the workspace's admin UI would
// not show but that the SP still works with.
func (a *analysis) checkUnusualValues() {
	c := a.cfg
	if v := strings.TrimSpace(c.ServiceProviderEntityID); v != "" && !absoluteURL(v) {
		a.add(Finding{Code: CodeEntityIDNotURL, Title: "The Service Provider Entity Id is not a URL",
			Field:    FieldAudience,
			Expected: "any string Okta's Audience URI (SP Entity ID) repeats exactly: Identity Platform's console calls the SP entity ID \"typically your app's URL\" (cloud.google.com/identity-platform/docs/web/saml), not necessarily one, and an Identity Platform-backed service documents www.codeium.com as its SP entity ID; the workspace usually shows a URL such as https://elevenlabs.io",
			Found:    fmt.Sprintf("%q: not an absolute URL; the diagnosis goes on with it as given", v),
			Fix:      "Nothing to change if Okta's Audience URI (SP Entity ID) is exactly " + v + "; if the settings were copied by hand, copy the Service Provider Entity Id again from " + securitySSO + ".",
			step:     stepAdvice})
	}
	if v := strings.TrimSpace(c.RedirectURL); v != "" && !absoluteURL(v) {
		a.add(Finding{Code: CodeRedirectURLNotURL, Title: "The Redirect URL is not an absolute URL",
			Field:    FieldSSOURL,
			Expected: "the workspace's Redirect URL as " + securitySSO + " shows it, e.g. https://elevenlabs.io/__/auth/handler",
			Found:    fmt.Sprintf("%q; the diagnosis goes on with it as given (Destination and Recipient are compared with it)", v),
			Fix:      "Copy the Redirect URL again from " + securitySSO + " (it is read-only there); Okta's Single sign-on URL must equal it.",
			step:     stepAdvice})
	}
	if p := strings.TrimSpace(c.Profile); p != "" {
		if _, err := sp.ParseProfile(p); err != nil {
			a.add(Finding{Code: CodeProfileUnknown, Title: "The settings name a profile this tool does not know",
				Field:    FieldResponse,
				Expected: fmt.Sprintf("%q or %q", sp.ProfileIdentityPlatform, sp.ProfileStrict),
				Found:    fmt.Sprintf("%q; the diagnosis uses %s (pass --profile to choose)", p, sp.ProfileIdentityPlatform),
				Fix:      "Remove \"profile\" from the settings file, or set it to identity-platform or strict.",
				step:     stepAdvice})
		}
	}
}
