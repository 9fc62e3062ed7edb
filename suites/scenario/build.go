package scenario

import "github.com/samlharness/samlharness/mockidp/fault"

// faultT shortens fault.Fault in catalogue entries.
type faultT = fault.Fault

// F names a fault with key/value parameters: F("shift-time", "attr",
// "NotBefore", "offset", "1m"). It keeps catalogue entries one line each.
func F(name string, kv ...string) fault.Fault {
	f := fault.Fault{Name: name}
	if len(kv) > 0 {
		f.Params = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Params[kv[i]] = kv[i+1]
		}
	}
	return f
}

// Faults lists faults.
func Faults(f ...fault.Fault) IdPSide { return IdPSide{Faults: f} }

// Settings overrides Okta settings by their JSON names.
func Settings(kv ...any) IdPSide {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return IdPSide{Settings: m}
}

// Exact Identity Platform messages the catalogue asserts, as public sources
// show them (provenance.go names the sources; the " : " in MsgCertParse is
// inferred from every other message, the guide prints it without the space).
const (
	MsgCertParse         = "INVALID_IDP_RESPONSE : Error when parsing certificate"
	MsgSignatureFailed   = "INVALID_IDP_RESPONSE : Failed to verify the signature in SAMLResponse"
	MsgSignatureMissing  = "INVALID_IDP_RESPONSE : Missing signature in Assertion and Response enclosing it (if present)."
	MsgResponseIssuer    = "INVALID_IDP_RESPONSE : SAML Response <Issuer> mismatch."
	MsgAudience          = "INVALID_IDP_RESPONSE : All <AudienceRestriction>s should contain the SAML RP entity ID: '{spEntityId}'."
	MsgInResponseToGone  = "INVALID_IDP_RESPONSE : InResponseTo attribute must be present in both Response and SubjectConfirmationData."
	MsgInResponseToWrong = "INVALID_IDP_RESPONSE : InResponseTo in both Response and SubjectConfirmationData must match the request ID."
	MsgReplay            = "MISSING_OR_INVALID_NONCE : Duplicate credential received. Please try again with a new credential."
	MsgProviderDisabled  = "OPERATION_NOT_ALLOWED : The identity provider configuration is disabled."
	MsgStatusPrefix      = "INVALID_IDP_RESPONSE : SAMLResponse status code not SUCCESS, instead it is: "
)
