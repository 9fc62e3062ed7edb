// Package crewjamhardened is a peer SP built on github.com/crewjam/saml's
// samlsp middleware with every hardening option a careful team would set:
//
//   - an assertion replay cache (samlsp.NewMemoryReplayCache);
//   - SHA-1 signatures and digests refused (RejectSHA1Signatures);
//   - unknown Conditions refused (RejectUnknownConditions, saml-core
//     §2.5.1.1);
//   - CBC-encrypted assertions only inside a signed Response
//     (RequireSignedResponseForCBC, saml-core errata E93);
//   - RelayState bounded to 80 bytes (LimitRelayStateLength);
//   - IdP certificates with RSA keys under 2048 bits refused when the IdP
//     is configured;
//   - before samlsp sees a response: HTTP-POST only, exactly one
//     SAMLResponse parameter, and the shared document checks (package
//     precheck): XML, not DEFLATE; no DOCTYPE or processing instruction;
//     no attribute twice; exactly one assertion per Response (samlsp
//     reads the first valid assertion of a signed Response with several);
//     IDs present, XML names and unique;
//   - no session after an AuthnStatement's SessionNotOnOrAfter (samlsp
//     keeps its own session lifetime).
package crewjamhardened

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/peers/internal/crewjamlib"
	"github.com/samlharness/samlharness/suites/peers/internal/precheck"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

// replayCacheSize bounds the replay cache (IDs expire with their
// assertions).
const replayCacheSize = 100000

// New returns the peer SP. The replay cache outlives configuration changes.
func New(cfg peerkit.Config) (http.Handler, error) {
	cache := samlsp.NewMemoryReplayCache(replayCacheSize)
	cache.Clock = crewjamlib.Clock(cfg)
	return peerkit.New(cfg, crewjamlib.Builder(crewjamlib.Tune{
		Options: func(o *samlsp.Options) {
			o.ReplayCache = cache
			o.RejectUnknownConditions = true
			o.RequireSignedResponseForCBC = true
			o.LimitRelayStateLength = true
		},
		ServiceProvider: func(sp *saml.ServiceProvider) {
			sp.RejectSHA1Signatures = true
		},
		WrapACS: guard,
		Middleware: func(m *samlsp.Middleware) {
			m.Session = sessionBound{SessionProvider: m.Session, now: crewjamlib.Clock(cfg).Now}
		},
	}, strongKeysOnly))
}

// minRSABits is the smallest IdP signing key the hardened peer trusts.
const minRSABits = 2048

// strongKeysOnly refuses an IdP configuration whose certificates hold RSA
// keys under minRSABits.
func strongKeysOnly(certs []*x509.Certificate) error {
	for _, c := range certs {
		if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
			return peerkit.ReasonError{Reason: string(sp.ReasonSignatureAlgorithm),
				Err: fmt.Errorf("the IdP certificate %q has an RSA-%d key: at least %d bits are required", c.Subject.CommonName, k.N.BitLen(), minRSABits)}
		}
	}
	return nil
}

// The precheck's own refusals, with the reason each carries on the page.
const (
	msgBinding            = "the ACS takes the SAMLResponse by HTTP-POST only"
	msgDuplicateParameter = "the POST must carry exactly one SAMLResponse parameter"
)

// guard refuses, before samlsp parses it, a response that does not come
// by HTTP-POST, a POST with several SAMLResponse parameters, and a
// Response the shared document checks refuse (package precheck: DEFLATE,
// DOCTYPE or processing instruction, an attribute twice, more or fewer
// than one assertion, IDs missing, not XML names or shared). A response it
// cannot read is left to samlsp to refuse.
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			peerkit.Refuse(w, http.StatusMethodNotAllowed, string(sp.ReasonBindingUnsupported), msgBinding)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4*precheck.MaxResponse)
		if err := r.ParseForm(); err == nil {
			if len(r.PostForm["SAMLResponse"]) > 1 {
				peerkit.Refuse(w, http.StatusForbidden, string(sp.ReasonResponseMalformed), msgDuplicateParameter)
				return
			}
			if ref := precheck.Encoded(r.PostForm.Get("SAMLResponse")); ref.Reason != "" {
				peerkit.Refuse(w, http.StatusForbidden, string(ref.Reason), ref.Message)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sessionBound refuses to start a session after an AuthnStatement's
// SessionNotOnOrAfter (saml-core §2.7.2: no session derived from the
// assertion may last past it; samlsp keeps its own session lifetime and
// does not read it).
type sessionBound struct {
	samlsp.SessionProvider
	now func() time.Time
}

func (s sessionBound) CreateSession(w http.ResponseWriter, r *http.Request, a *saml.Assertion) error {
	now := s.now()
	for _, st := range a.AuthnStatements {
		if st.SessionNotOnOrAfter != nil && !now.Before(*st.SessionNotOnOrAfter) {
			return peerkit.ReasonError{Reason: string(sp.ReasonExpired),
				Err: fmt.Errorf("the AuthnStatement's SessionNotOnOrAfter %s has passed", st.SessionNotOnOrAfter.UTC().Format(time.RFC3339))}
		}
	}
	return s.SessionProvider.CreateSession(w, r, a)
}

// PolicyChoices are the catalogue scenarios the hardened peer accepts (or,
// for a few, refuses) against their strict expectation, each a documented
// choice of crewjam/saml (or of the peers' application shell) that no option
// changes. peers.KnownFailures builds on them, adding the scenarios crewjam
// refuses for another reason than the expected one; a suite that reads no
// reasons (ginkgospec's example) can allow exactly these.
var PolicyChoices = map[string]string{
	"cert-pasted-chain-ca-first":          "the shell trusts every certificate of a pasted chain, not only the first",
	"sig-c14n-with-comments":              "goxmldsig accepts exclusive canonicalization WithComments; crewjam has no option to refuse it",
	"sig-placed-last-child":               "the position of ds:Signature inside its parent is not checked",
	"issuer-assertion-format-unspecified": "the Format of the assertion's Issuer is not checked",
	"issuer-response-missing":             "a Response without an Issuer is accepted (its assertion's Issuer is checked)",
	"time-idp-clock-behind-4m":            "saml.MaxIssueDelay (90 s) refuses a response issued four minutes earlier, inside Okta's ±5 min window",
	"time-not-before-1m-ahead":            "saml.MaxClockSkew (180 s) tolerates NotBefore up to three minutes ahead",
	"time-not-before-1ms-ahead":           "saml.MaxClockSkew (180 s)",
	"time-not-on-or-after-now":            "saml.MaxClockSkew (180 s) tolerates NotOnOrAfter up to three minutes past",
	"time-not-on-or-after-past":           "saml.MaxClockSkew (180 s)",
	"time-scd-not-on-or-after-now":        "saml.MaxClockSkew (180 s), on SubjectConfirmationData",
	"time-scd-not-on-or-after-past":       "saml.MaxClockSkew (180 s), on SubjectConfirmationData",
	"xml-declaration-euc-jp":              whyEncoding,
	"xml-declaration-utf16-on-utf8":       whyEncoding,
	"xml-utf8-byte-order-mark":            whyEncoding,
	"attribute-statement-empty":           "crewjam does not validate the assertion against the schema: an AttributeStatement without Attribute reads as no attributes (the identity is the NameID)",
	"time-scd-not-before-present":         "crewjam does not check that a bearer SubjectConfirmationData carries no NotBefore (saml-profiles §4.1.4.2); a NotBefore in the past restricts nothing",
	"nameid-child-element-signed-by-idp":  "encoding/xml's chardata reads the NameID's own text (alice@acme.test) and skips the element inside it; crewjam does not validate NameIDType as text only",
	"relaystate-absolute-url":             "refused: samlsp's request tracker finds the pending request's cookie by RelayState, so a RelayState it did not issue finds none (\"named cookie not present\"); the workspace ignores RelayState",
	"relaystate-protocol-relative-url":    "refused: samlsp's request tracker finds the pending request's cookie by RelayState, so a RelayState it did not issue finds none (\"named cookie not present\"); the workspace ignores RelayState",
	"relaystate-backslash-url":            "refused: samlsp's request tracker finds the pending request's cookie by RelayState, so a RelayState it did not issue finds none (\"named cookie not present\"); the workspace ignores RelayState",
	"relaystate-javascript-url":           "refused: samlsp's request tracker finds the pending request's cookie by RelayState, so a RelayState it did not issue finds none (\"named cookie not present\"); the workspace ignores RelayState",
	"relaystate-over-long":                "refused: samlsp's request tracker finds the pending request's cookie by RelayState, so a RelayState it did not issue finds none (\"named cookie not present\"); the workspace ignores RelayState",
}

// whyEncoding: the XML declaration scenarios.
const whyEncoding = "etree reads every document as UTF-8 whatever its declaration (or byte order mark) says; refusing another declared encoding or a BOM is the strict workspace's plain-UTF-8 policy, which crewjam does not offer and a careful integrator is not expected to add"
