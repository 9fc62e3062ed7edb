package peers

import (
	"github.com/samlharness/samlharness/suites/peers/crewjamhardened"
	"github.com/samlharness/samlharness/suites/presets"
)

// Part says whose behaviour a peer's failure is.
type Part string

// Parts.
const (
	// PartLibrary: what the library does whatever its caller does (no
	// option changes it); the peer of the same library written as a careful
	// integrator fails it too.
	PartLibrary Part = "library"
	// PartIntegrator: what the library leaves to its caller (request state,
	// replay, options it does not set, routing, a size bound) or the peers'
	// shared shell decides; the hardened peer of the same library fixes it,
	// unless Why says otherwise.
	PartIntegrator Part = "integrator"
)

// Known is a documented failure of a peer: whose it is and why. A failure
// is either an acceptance the strict profile refuses, or a refusal for
// another reason than the expected one ("refused as X").
type Known struct {
	Part Part
	Why  string
}

const (
	whyDigestFirst  = "refused as SIGNATURE_INVALID: goxmldsig computes the digest of what the Reference names and finds it changed before anything checks the Signature's shape"
	whyKeyInfoFirst = "refused as SIGNATURE_UNTRUSTED_KEY: goxmldsig takes the key from KeyInfo and trusts it only as a configured certificate"
	whyRoundTrip    = "refused as SIGNATURE_INVALID: the parser reads the odd name, canonicalization changes it, the digest fails"
	whyCiphertext   = "refused as SIGNATURE_INVALID: the Response signature covers the ciphertext, so the tampering fails it before decryption"
	whyChainCAFirst = "the peers' shell trusts every certificate of a pasted chain, not only the first"
	whyOversize     = "refused as SIGNATURE_INVALID: the peers bound the POST at 4 MiB, so a 2 MiB response reaches the library"
	whyNoSHA1Option = "gosaml2 has no option to refuse SHA-1 signatures or digests"
	whyXPath        = "refused as SIGNATURE_INVALID: goxmldsig does not run an XPath transform and fails the verification before anything names the Reference's shape"
	whyEncoding     = "etree reads every document as UTF-8 whatever its declaration (or byte order mark) says; refusing another declared encoding or a BOM is the strict workspace's plain-UTF-8 policy, which neither library offers and a careful integrator is not expected to add"
	whyEmptyStmt    = "neither library validates the assertion against the schema: an AttributeStatement without Attribute reads as no attributes (the identity is the NameID)"
	whySCDNotBefore = "the library does not check that a bearer SubjectConfirmationData carries no NotBefore (saml-profiles §4.1.4.2); a NotBefore in the past restricts nothing"
	whyUnsignedEnc  = "refused as SIGNATURE_MISSING: the library requires a signature before it decrypts anything"
	whyPreDocument  = "no document check before the library (the hardened peer's precheck refuses it)"
	whyCDATA        = "refused as RESPONSE_MALFORMED|XML_FORBIDDEN: the library runs mattermost/xml-roundtrip-validator over the document, which refuses the CDATA section before the NameID is read — a safe refusal, for another reason than the forged domain"
)

// goxmldsigLibrary is what both libraries do because both verify with
// goxmldsig and read with the same XML stack: it belongs to each library's
// list (see init).
var goxmldsigLibrary = map[string]Known{
	"sig-extra-reference":                        {PartLibrary, whyDigestFirst},
	"sig-extra-signedinfo":                       {PartLibrary, whyDigestFirst},
	"sig-reference-other-element":                {PartLibrary, whyDigestFirst},
	"sig-reference-uri-empty":                    {PartLibrary, whyDigestFirst},
	"sig-reference-uri-without-hash":             {PartLibrary, whyDigestFirst},
	"sig-xslt-transform":                         {PartLibrary, whyDigestFirst},
	"sig-keyinfo-swapped-inside-signed-response": {PartLibrary, whyKeyInfoFirst},
	"xml-round-trip-attr-empty-local":            {PartLibrary, whyRoundTrip},
	"xml-round-trip-xmlns-empty-prefix":          {PartLibrary, whyRoundTrip},
	"encrypted-assertion-corrupt-ciphertext":     {PartLibrary, whyCiphertext},
	"oversize-2mb":                               {PartIntegrator, whyOversize},
	"sig-xpath-transform":                        {PartLibrary, whyXPath},
	"encrypted-assertion-cbc-bad-padding":        {PartLibrary, whyCiphertext},
	"encrypted-assertion-gcm-tag-damaged":        {PartLibrary, whyCiphertext},
	"encrypted-key-truncated":                    {PartLibrary, whyCiphertext},
	"cdata-in-nameid-after-signing":              {PartLibrary, whyCDATA},
}

// crewjamLibrary is crewjam/saml's (with goxmldsig) own behaviour: the
// refusals for another reason below, and crewjamhardened.PolicyChoices
// (what crewjam accepts whatever its options).
var crewjamLibrary = map[string]Known{
	"issuer-assertion-removed":         {PartLibrary, "refused as ISSUER_MISMATCH: crewjam compares the missing Issuer with the IdP's entity ID"},
	"time-scd-not-on-or-after-removed": {PartLibrary, "refused as EXPIRED: crewjam reads the missing NotOnOrAfter as the zero time, so the confirmation has expired"},
	"c14n-namespace-heavy-nesting":     {PartLibrary, "refused as XML_LIMIT: crewjam's XML reader refuses more than 64 namespace declarations in scope before the signature is checked"},
}

// gosaml2Library is gosaml2's (with goxmldsig) own behaviour.
var gosaml2Library = map[string]Known{
	"okta-rsa-sha1-digest-sha1":                 {PartLibrary, whyNoSHA1Option},
	"okta-rsa-sha1-digest-sha256":               {PartLibrary, whyNoSHA1Option},
	"okta-rsa-sha1-response-only":               {PartLibrary, whyNoSHA1Option},
	"okta-rsa-sha256-digest-sha1":               {PartLibrary, whyNoSHA1Option},
	"cert-okta-rsa-1024":                        {PartLibrary, "gosaml2 has no option to refuse small keys (neither peer vets the certificate at configuration)"},
	"cert-pasted-chain-ca-first":                {PartIntegrator, whyChainCAFirst},
	"sig-c14n-with-comments":                    {PartLibrary, "goxmldsig accepts exclusive canonicalization WithComments; gosaml2 has no option to refuse it"},
	"sig-placed-last-child":                     {PartLibrary, "the position of ds:Signature inside its parent is not checked"},
	"sig-assertion-signature-moved-to-response": {PartLibrary, "refused as SIGNATURE_MISSING: neither the Response nor the assertion has a signature that references it"},
	"sig-decoy-signature":                       {PartLibrary, whyDigestFirst},
	"condition-unknown":                         {PartLibrary, "gosaml2 ignores Conditions it does not know"},
	"destination-missing":                       {PartLibrary, "gosaml2 checks the Destination only when present, also on a signed Response"},
	"issuer-assertion-format-unspecified":       {PartLibrary, "the Format of the assertion's Issuer is not checked"},
	"time-not-on-or-after-now":                  {PartLibrary, "gosaml2 compares now.After(NotOnOrAfter): the instant itself is still accepted"},
	"time-scd-not-on-or-after-now":              {PartLibrary, "gosaml2 compares now.After(NotOnOrAfter): the instant itself is still accepted (SubjectConfirmationData)"},
	"encrypted-assertion-response-unsigned":     {PartLibrary, "gosaml2 decrypts CBC assertions in an unsigned Response"},
	"encrypted-assertion-rsa1-5-key-transport":  {PartLibrary, "gosaml2 accepts RSA1_5 key transport"},
	"sig-keyinfo-rsa-key-value-only":            {PartLibrary, "refused as SIGNATURE_SHAPE: gosaml2 requires an X509Certificate in a KeyInfo that is present, though it verifies with the configured certificate"},
	"sig-rotation-two-certificates-no-keyinfo":  {PartLibrary, "refused: with several configured certificates and no KeyInfo, goxmldsig does not try each in turn (\"Missing x509 Element\")"},
	"xml-declaration-euc-jp":                    {PartLibrary, whyEncoding},
	"xml-declaration-utf16-on-utf8":             {PartLibrary, whyEncoding},
	"xml-utf8-byte-order-mark":                  {PartLibrary, whyEncoding},
	"attribute-statement-empty":                 {PartLibrary, whyEmptyStmt},
	"time-conditions-not-on-or-after-removed":   {PartLibrary, "refused: gosaml2 requires NotOnOrAfter on Conditions, which saml-core makes optional (the confirmation's NotOnOrAfter still bounds the assertion)"},
	"time-scd-not-before-present":               {PartLibrary, whySCDNotBefore},
	"encrypted-assertion-nothing-signed":        {PartLibrary, whyUnsignedEnc},
	"encrypted-assertion-rsa1-5-fault":          {PartLibrary, "gosaml2 accepts RSA1_5 key transport"},
	"nameid-child-element-signed-by-idp":        {PartLibrary, "encoding/xml's chardata reads the NameID's own text (alice@acme.test) and skips the element inside it; gosaml2 does not validate NameIDType as text only"},
}

// peerKnown is each peer's own part, beside its library's.
var peerKnown = map[string]map[string]Known{
	"crewjam-default": {
		"okta-rsa-sha1-digest-sha1":                 {PartIntegrator, "RejectSHA1Signatures not set"},
		"okta-rsa-sha1-digest-sha256":               {PartIntegrator, "RejectSHA1Signatures not set"},
		"okta-rsa-sha1-response-only":               {PartIntegrator, "RejectSHA1Signatures not set"},
		"okta-rsa-sha256-digest-sha1":               {PartIntegrator, "RejectSHA1Signatures not set"},
		"cert-okta-rsa-1024":                        {PartIntegrator, "the IdP certificate's key size is not vetted at configuration"},
		"assertion-duplicated":                      {PartIntegrator, "samlsp reads the first valid assertion of a signed Response with several; no one-assertion check"},
		"xsw7":                                      {PartIntegrator, "no one-assertion check before samlsp"},
		"xsw-forged-assertion-hidden-in-extensions": {PartIntegrator, "no one-assertion check before samlsp"},
		"xsw1":                             {PartIntegrator, "refused as SIGNATURE_SHAPE by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw2":                             {PartIntegrator, "refused as SIGNATURE_SHAPE by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw6":                             {PartIntegrator, "refused as SIGNATURE_SHAPE by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw-concealed-signed-assertion":   {PartIntegrator, "refused as SIGNATURE_SHAPE by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw4":                             {PartIntegrator, "refused as SIGNATURE_MISSING by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw-response-wrapped-in-response": {PartIntegrator, "refused as SIGNATURE_MISSING by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw-signed-assertion-hidden-in-extensions": {PartIntegrator, "refused as SIGNATURE_MISSING by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw8": {PartIntegrator, "refused as SIGNATURE_INVALID by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw-signed-error-response-assertion-in-signature": {PartIntegrator, "refused as STATUS_NOT_SUCCESS by crewjam; the one-assertion pre-check would name the wrapping"},
		"xsw-signed-error-response-second-root":            {PartIntegrator, "refused as STATUS_NOT_SUCCESS by crewjam; the pre-check would name the second root"},
		"xml-round-trip-directive-comment":                 {PartIntegrator, "refused as SIGNATURE_INVALID; the pre-check refusing directives would name it"},
		"condition-unknown":                                {PartIntegrator, "RejectUnknownConditions not set"},
		"encrypted-assertion-response-unsigned":            {PartIntegrator, "RequireSignedResponseForCBC not set"},
		"doctype-internal-subset":                          {PartIntegrator, "no DOCTYPE check before samlsp"},
		"processing-instruction":                           {PartIntegrator, "no processing-instruction check before samlsp"},
		"xxe-parameter-entity":                             {PartIntegrator, "no DOCTYPE check before samlsp"},
		"saml-response-duplicated-parameter":               {PartIntegrator, "samlsp reads the first of several SAMLResponse parameters"},
		"replay-one-time-use-assertion":                    {PartIntegrator, "no ReplayCache set"},
		"replay-same-browser-after-sign-out":               {PartIntegrator, "no ReplayCache set"},
		"response-on-redirect-binding":                     {PartIntegrator, "refused as RESPONSE_MALFORMED: samlsp reads only the POST form, so a GET arrives empty; the ACS is not routed by method"},
		"deflate-bomb-on-redirect-binding":                 {PartIntegrator, "refused as RESPONSE_MALFORMED: samlsp reads only the POST form, so a GET arrives empty; the ACS is not routed by method"},
		"assertion-id-equals-response-id":                  {PartIntegrator, whyPreDocument + ": two elements share an ID"},
		"assertion-id-xpath-injection":                     {PartIntegrator, whyPreDocument + ": the ID is not an XML name (goxmldsig looks IDs up as strings, so the quotes are harmless here)"},
		"duplicate-destination-attribute":                  {PartIntegrator, whyPreDocument + ": an attribute written twice; etree keeps the last value"},
		"duplicate-id-attribute":                           {PartIntegrator, whyPreDocument + ": an attribute written twice; etree keeps the last value"},
		"encrypted-assertion-beside-signed-plaintext":      {PartIntegrator, "no one-assertion check before samlsp, which reads the signed plaintext assertion"},
		"assertion-id-removed-response-signed":             {PartIntegrator, whyPreDocument + ": the Assertion has no ID (nothing for a replay cache to key on)"},
		"encrypted-assertion-nothing-signed":               {PartIntegrator, "refused as SIGNATURE_MISSING by crewjam; RequireSignedResponseForCBC, unset, names the unsigned Response around an encrypted assertion"},
		"time-session-not-on-or-after-past":                {PartIntegrator, "samlsp keeps its own session lifetime and does not read SessionNotOnOrAfter; the hardened peer bounds the session by it"},
	},
	"crewjam-hardened": {
		"sig-decoy-signature": {PartIntegrator, "refused as STRUCTURE by the peer's one-assertion pre-check: the decoy signature carries an assertion outside the Response's children"},
	},
	"gosaml2": {
		"in-response-to-foreign":                           {PartIntegrator, "gosaml2 leaves InResponseTo to its caller; the example tracks no requests"},
		"in-response-to-missing-both":                      {PartIntegrator, "gosaml2 leaves InResponseTo to its caller; the example tracks no requests"},
		"in-response-to-missing-on-response":               {PartIntegrator, "gosaml2 leaves InResponseTo to its caller; the example tracks no requests"},
		"in-response-to-missing-on-scd":                    {PartIntegrator, "gosaml2 leaves InResponseTo to its caller; the example tracks no requests"},
		"in-response-to-scd-disagrees":                     {PartIntegrator, "gosaml2 leaves InResponseTo to its caller; the example tracks no requests"},
		"idp-initiated-okta-tile":                          {PartIntegrator, "no request tracking: an unsolicited response signs in"},
		"unsolicited-into-pending-request":                 {PartIntegrator, "no request tracking: an unsolicited response signs in"},
		"replay-against-new-request":                       {PartIntegrator, "no request tracking and no replay cache"},
		"replay-one-time-use-assertion":                    {PartIntegrator, "gosaml2 leaves replay to its caller (WarningInfo.OneTimeUse is a flag); the example keeps no cache"},
		"replay-same-browser-after-sign-out":               {PartIntegrator, "gosaml2 leaves replay to its caller; the example keeps no cache"},
		"assertion-duplicated":                             {PartIntegrator, "gosaml2 returns every assertion and names the first; the example does not check there is one"},
		"saml-response-duplicated-parameter":               {PartIntegrator, "FormValue reads the first of several SAMLResponse parameters"},
		"response-on-redirect-binding":                     {PartIntegrator, "FormValue also reads the query and gosaml2 inflates a DEFLATE-encoded response: the example's ACS takes the HTTP-Redirect binding"},
		"deflate-bomb-on-redirect-binding":                 {PartIntegrator, "refused as RESPONSE_TOO_LARGE: FormValue reads the query and gosaml2 inflates it (up to 5 MiB) before refusing"},
		"assertion-id-equals-response-id":                  {PartIntegrator, whyPreDocument + ": two elements share an ID"},
		"assertion-id-xpath-injection":                     {PartIntegrator, whyPreDocument + ": the ID is not an XML name (goxmldsig looks IDs up as strings, so the quotes are harmless here)"},
		"duplicate-destination-attribute":                  {PartIntegrator, whyPreDocument + ": an attribute written twice; encoding/xml keeps both"},
		"duplicate-id-attribute":                           {PartIntegrator, whyPreDocument + ": an attribute written twice; encoding/xml keeps both"},
		"response-id-removed":                              {PartIntegrator, whyPreDocument + ": the Response has no ID"},
		"assertion-id-removed":                             {PartIntegrator, "the example keeps no replay cache, so it never needs the assertion's ID"},
		"assertion-id-removed-response-signed":             {PartIntegrator, whyPreDocument + ": the Assertion has no ID (nothing for a replay cache to key on)"},
		"saml-response-deflated-on-post":                   {PartIntegrator, "gosaml2 inflates a SAMLResponse that is not XML, also on the POST binding; the example does not check the binding's encoding"},
		"audience-restrictions-all-removed":                {PartIntegrator, "gosaml2 checks the AudienceRestrictions present; the example does not require one"},
		"authn-statement-removed":                          {PartIntegrator, "gosaml2 does not require an AuthnStatement; the example does not check for one"},
		"time-issue-instant-future":                        {PartIntegrator, "gosaml2 does not read IssueInstant; the example does not check it"},
		"time-session-not-on-or-after-past":                {PartIntegrator, "gosaml2 reports SessionNotOnOrAfter in AssertionInfo; the example ignores it"},
		"audience-missing":                                 {PartIntegrator, "gosaml2 checks the AudienceRestrictions present: an assertion without one is for any SP; the example does not require one"},
		"xsw-signed-error-response-assertion-in-signature": {PartIntegrator, "refused as ASSERTION_MISSING by gosaml2 (it reads only the Response's children); the one-assertion precheck would name the wrapping"},
		"xsw-concealed-signed-assertion":                   {PartIntegrator, "refused as SIGNATURE_MISSING by gosaml2 (it reads the unsigned Response's first assertion); the one-assertion precheck would name the wrapping"},
		"xsw-duplicate-id":                                 {PartIntegrator, "refused as SIGNATURE_MISSING by gosaml2 (it reads the unsigned Response's first assertion); the one-assertion precheck would name the wrapping"},
		"xsw-unsigned-sibling-assertion":                   {PartIntegrator, "refused as SIGNATURE_MISSING by gosaml2 (it reads the unsigned Response's first assertion); the one-assertion precheck would name the wrapping"},
		"xsw3":                                             {PartIntegrator, "refused as SIGNATURE_MISSING by gosaml2 (it reads the unsigned Response's first assertion); the one-assertion precheck would name the wrapping"},
		"xsw4":                                             {PartIntegrator, "refused as SIGNATURE_MISSING by gosaml2 (the wrapping Response and the assertion it reads are unsigned); the one-assertion precheck would name the wrapping"},
		"xsw5":                                             {PartIntegrator, "refused as SIGNATURE_MISSING by gosaml2 (it reads the unsigned Response's first assertion); the one-assertion precheck would name the wrapping"},
		"xsw6":                                             {PartIntegrator, "refused as SIGNATURE_MISSING by gosaml2 (it reads the unsigned Response's first assertion); the one-assertion precheck would name the wrapping"},
		"xsw8":                                             {PartIntegrator, "refused as SIGNATURE_INVALID by gosaml2 (goxmldsig finds the digest changed); the one-assertion precheck would name the wrapping"},
		"xsw-signed-error-response-second-root":            {PartIntegrator, "refused as ASSERTION_MISSING by gosaml2 (it reads the first root); the precheck would name the second root"},
		"xml-round-trip-directive-comment":                 {PartIntegrator, "refused as SIGNATURE_INVALID by gosaml2; the precheck refusing directives would name it"},
		"doctype-internal-subset":                          {PartIntegrator, "no DOCTYPE check before gosaml2 (etree reads it without complaint)"},
		"processing-instruction":                           {PartIntegrator, "no processing-instruction check before gosaml2 (etree reads it without complaint)"},
		"xxe-parameter-entity":                             {PartIntegrator, "no DOCTYPE check before gosaml2 (the parameter entity is never expanded, the DOCTYPE accepted)"},
	},
	"gosaml2-hardened": {},
}

func init() {
	for id, k := range goxmldsigLibrary {
		crewjamLibrary[id], gosaml2Library[id] = k, k
	}
	for id, why := range crewjamhardened.PolicyChoices {
		part := PartLibrary
		if id == "cert-pasted-chain-ca-first" {
			part = PartIntegrator // the shell's choice, not crewjam's
		}
		crewjamLibrary[id] = Known{part, why}
	}
}

// KnownFailures returns the documented failures of the named peer: its
// library's behaviour and its own part.
func KnownFailures(peer string) map[string]Known {
	out := map[string]Known{}
	p, ok := ByName(peer)
	if !ok {
		return out
	}
	var lib map[string]Known
	switch p.Preset {
	case presets.NameCrewjam:
		lib = crewjamLibrary
	case presets.NameGosaml2:
		lib = gosaml2Library
	}
	for id, k := range lib {
		out[id] = k
	}
	for id, k := range peerKnown[peer] {
		out[id] = k
	}
	return out
}
