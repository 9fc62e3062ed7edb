package scenario

import "github.com/samlharness/samlharness/sp"

// The HTTP bindings (attack catalogue §6.5, saml-bindings §3.4–3.5): how the
// SAMLResponse is encoded and delivered.

const refBinding = "saml-bindings §3.5"

func init() {
	b := func(id, title string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatBinding, Tags: []string{"area:binding"},
			Refs: []string{refBinding, "saml-bindings §3.5.4"}, IdP: IdPSide{Faults: f}, Expect: e}
	}
	malformed := Both(Rejects(sp.ReasonResponseMalformed))
	add(
		b("base64-wrapped-76", "SAMLResponse base64 wrapped at 76 columns (MIME style)", Both(Accepts()), F("base64", "variant", "wrapped-76")).Covering("binding-base64-malformed"),
		b("base64-url-safe-alphabet", "SAMLResponse in the URL-safe base64 alphabet", malformed, F("base64", "variant", "url-safe")).Covering("binding-base64-malformed"),
		b("base64-invalid-characters", "SAMLResponse with characters outside base64", malformed, F("base64", "variant", "invalid-chars")).Covering("binding-base64-malformed"),
		b("base64-double-encoded", "SAMLResponse base64-encoded twice", malformed, F("base64", "variant", "double-encoded")).Covering("binding-base64-malformed"),
		b("base64-truncated", "SAMLResponse cut short", malformed, F("base64", "variant", "truncated")).Covering("binding-base64-malformed"),
		b("saml-response-empty", "An empty SAMLResponse", malformed, F("base64", "variant", "empty")).Covering("binding-base64-malformed"),
		b("saml-response-not-xml", "A SAMLResponse that decodes to something other than XML", malformed, F("not-xml")).Covering("binding-not-xml"),
		b("saml-response-duplicated-parameter", "Two SAMLResponse parameters in one POST", malformed, F("duplicate-param")).Covering("binding-duplicate-param"),
		b("response-on-redirect-binding", "A Response sent on the HTTP-Redirect binding (forbidden for responses)", Both(Rejects(sp.ReasonBindingUnsupported)), F("redirect-binding")).Covering("binding-response-via-redirect"),
		b("deflate-bomb-on-redirect-binding", "A deflate bomb on the HTTP-Redirect binding", Both(Rejects(sp.ReasonBindingUnsupported)), F("deflate-bomb")).Covering("deflate-bomb-redirect"),
		b("relaystate-absolute-url", "RelayState replaced by an absolute URL of another site (never followed)", Both(Accepts().OnSP()),
			F("relaystate", "value", "https://evil.example/")).Covering("relaystate-open-redirect"),
		b("saml-response-deflated-on-post", "A DEFLATE-compressed SAMLResponse on the POST binding (only Redirect deflates)", malformed,
			F("deflate-on-post")).Covering("binding-base64-malformed", "deflate-bomb-redirect"),
		b("relaystate-dropped", "RelayState dropped by the IdP", Both(Accepts()), F("drop-relaystate")),
	)
}
