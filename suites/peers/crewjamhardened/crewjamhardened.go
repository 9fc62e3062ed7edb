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
//     SAMLResponse parameter,
//     no DOCTYPE or processing instruction, and exactly one assertion per
//     Response (samlsp reads the first valid assertion of a signed
//     Response with several).
package crewjamhardened

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/peers/internal/crewjamlib"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

// replayCacheSize bounds the replay cache (IDs expire with their
// assertions).
const replayCacheSize = 100000

// maxResponse bounds the Response the one-assertion check parses.
const maxResponse = 1 << 20

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
		WrapACS: precheck,
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
	msgXMLForbidden       = "the Response must not carry a DOCTYPE or processing instructions"
	msgAssertionCount     = "the Response must carry exactly one Assertion or EncryptedAssertion, directly under the Response"
)

// precheck refuses, before samlsp parses it, a response that does not come
// by HTTP-POST, a POST with several SAMLResponse parameters, and a Response
// with a DOCTYPE, a processing instruction, or more or fewer than one
// assertion (not counting any inside an assertion's Advice). A response it
// cannot read is left to samlsp to refuse.
func precheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			peerkit.Refuse(w, http.StatusMethodNotAllowed, string(sp.ReasonBindingUnsupported), msgBinding)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4*maxResponse)
		if err := r.ParseForm(); err == nil {
			if len(r.PostForm["SAMLResponse"]) > 1 {
				peerkit.Refuse(w, http.StatusForbidden, string(sp.ReasonResponseMalformed), msgDuplicateParameter)
				return
			}
			if raw, err := base64.StdEncoding.DecodeString(r.PostForm.Get("SAMLResponse")); err == nil && len(raw) <= maxResponse {
				doc := etree.NewDocument()
				if _, err := doc.ReadFrom(bytes.NewReader(raw)); err == nil && doc.Root() != nil {
					if forbiddenTokens(doc) {
						peerkit.Refuse(w, http.StatusForbidden, string(sp.ReasonXMLForbidden), msgXMLForbidden)
						return
					}
					if reason := assertionProblem(doc); reason != "" {
						peerkit.Refuse(w, http.StatusForbidden, string(reason), msgAssertionCount)
						return
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// forbiddenTokens reports a DOCTYPE (or any directive) or a processing
// instruction other than the XML declaration, anywhere in the document.
func forbiddenTokens(doc *etree.Document) bool {
	var walk func(etree.Token) bool
	walk = func(t etree.Token) bool {
		switch v := t.(type) {
		case *etree.Directive:
			return true
		case *etree.ProcInst:
			return v.Target != "xml"
		case *etree.Element:
			for _, c := range v.Child {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	for _, t := range doc.Child {
		if walk(t) {
			return true
		}
	}
	return false
}

const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	statusOK    = "urn:oasis:names:tc:SAML:2.0:status:Success"
)

// assertionProblem returns why the document is not one Response carrying
// exactly one assertion: STRUCTURE for another root, a second root, several
// or misplaced assertions; ASSERTION_MISSING for a successful Response with
// none (a Response that reports a failure is left to samlsp, which names
// its status).
func assertionProblem(doc *etree.Document) sp.Reason {
	root := doc.Root()
	if len(doc.ChildElements()) != 1 || root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return sp.ReasonStructure
	}
	switch countAssertions(root) {
	case 1:
		return ""
	case 0:
		if code := root.FindElement("./Status/StatusCode"); code != nil && code.SelectAttrValue("Value", "") != statusOK {
			return ""
		}
		return sp.ReasonAssertionMissing
	}
	return sp.ReasonStructure
}

// countAssertions counts the assertions of a Response: -1 when one is
// anywhere but directly under the root (inside an Advice excepted).
func countAssertions(root *etree.Element) int {
	direct := 0
	for _, c := range root.ChildElements() {
		if isAssertion(c) {
			direct++
		}
	}
	total := 0
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		for _, c := range e.ChildElements() {
			if c.Tag == "Advice" && c.NamespaceURI() == nsAssertion {
				continue
			}
			if isAssertion(c) {
				total++
			}
			walk(c)
		}
	}
	walk(root)
	if total != direct {
		return -1
	}
	return direct
}

func isAssertion(e *etree.Element) bool {
	return (e.Tag == "Assertion" || e.Tag == "EncryptedAssertion") && e.NamespaceURI() == nsAssertion
}

// PolicyChoices are the catalogue scenarios the hardened peer accepts (or,
// for one, refuses) against their strict expectation, each a documented
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
}
