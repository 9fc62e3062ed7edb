package scenario

// Category groups scenarios as the attack catalogue does.
type Category string

// The categories, in report order.
const (
	CatInterop       Category = "interop"            // valid responses in Okta's setting combinations
	CatConfiguration Category = "configuration"      // what customers get wrong in the two admin UIs
	CatSignature     Category = "signature"          // presence, trust, algorithms, tampering
	CatWrapping      Category = "signature-wrapping" // XSW1-8 and reference confusion
	CatInjection     Category = "comment-injection"  // comments, CDATA, canonicalization
	CatParser        Category = "parser-differential"
	CatProtocol      Category = "protocol" // time, audience, destination, issuer, correlation, subject
	CatReplay        Category = "replay"   // replay, unsolicited, delivery
	CatEncryption    Category = "encryption"
	CatDangerousXML  Category = "dangerous-xml"
	CatBinding       Category = "binding"
)

// Categories lists every category in report order.
var Categories = []Category{
	CatInterop, CatConfiguration, CatSignature, CatWrapping, CatInjection, CatParser,
	CatProtocol, CatReplay, CatEncryption, CatDangerousXML, CatBinding,
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// LabelNeedsSPConfig marks scenarios that change the SP's own configuration.
const LabelNeedsSPConfig = "needs:sp-config"

// Tags is the closed vocabulary of labels a scenario may carry besides its
// category (which is a label too). Ginkgo's --label-filter and the CLI's
// --filter both take them.
var Tags = map[string]string{
	"baseline":                 "the foundation set: a valid login and the setup guide's troubleshooting cases",
	"guide:troubleshooting":    "a failure the setup guide's Troubleshooting section names",
	"area:certificate":         "the IdP certificate pasted into the SP",
	"area:signature":           "XML signature presence, trust, algorithms and shape",
	"area:time":                "NotBefore / NotOnOrAfter windows and clock skew",
	"area:audience":            "Audience URI (SP Entity ID)",
	"area:destination":         "Response Destination",
	"area:recipient":           "SubjectConfirmationData Recipient",
	"area:issuer":              "Issuer of the Response and the Assertion",
	"area:in-response-to":      "request correlation",
	"area:status":              "StatusCode",
	"area:subject":             "Subject, NameID and its format",
	"area:structure":           "document shape: roots, assertion count, IDs, version",
	"area:binding":             "HTTP-POST / HTTP-Redirect encoding",
	"area:xml":                 "XML parser features and limits",
	"area:encryption":          "EncryptedAssertion",
	"area:workspace-policy":    "the workspace's email and domain rules",
	"area:idp":                 "the IdP refuses before the SP sees anything",
	"area:multi-tenant":        "several workspaces of the SP under one SP entity ID and Redirect URL",
	"area:relaystate":          "RelayState and where the browser lands after the sign-in",
	"attack:xsw":               "XML signature wrapping",
	"attack:forgery":           "content changed after signing, or signed by an untrusted key",
	"attack:comment-injection": "text split by comments or CDATA to fool canonicalization",
	"attack:downgrade":         "weak algorithms or keys",
	"attack:xxe":               "external entities and DTDs",
	"attack:dos":               "resource exhaustion",
	"attack:replay":            "reuse of a captured response",
	"attack:unsolicited":       "IdP-initiated or injected responses",
	"okta:setting":             "an Okta app setting combination",
}

func knownTag(t string) bool {
	_, ok := Tags[t]
	return ok
}
