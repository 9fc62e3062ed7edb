package fault

import (
	"fmt"
	"sort"
	"strings"

	"github.com/samlharness/samlharness/internal/wire"
)

// Sign-stage faults edit the SignPlan the IdP signs with (catalogue §5 and
// §14 "Signing"); the IdP's Signer does the signing.

// signatureMethods and digestMethods map short names to algorithm URIs.
var (
	signatureMethods = map[string]string{
		"rsa-sha1":   wire.AlgRSASHA1,
		"rsa-sha256": wire.AlgRSASHA256,
		"rsa-sha512": wire.AlgRSASHA512,
	}
	digestMethods = map[string]string{
		"sha1":   wire.AlgDigestSHA1,
		"sha256": wire.AlgDigestSHA256,
		"sha512": wire.AlgDigestSHA512,
	}
)

// algorithm expands a short algorithm name; URIs pass through.
func algorithm(names map[string]string, v string) (string, error) {
	if u, ok := names[v]; ok {
		return u, nil
	}
	if strings.Contains(v, "://") || strings.HasPrefix(v, "urn:") {
		return v, nil
	}
	known := make([]string, 0, len(names))
	for k := range names {
		known = append(known, k)
	}
	sort.Strings(known)
	return "", fmt.Errorf("algorithm %q is not a URI or one of %s", v, strings.Join(known, ", "))
}

// plan returns the context's SignPlan or a clear error.
func plan(c *Context) (*SignPlan, error) {
	if c == nil || c.Plan == nil {
		return nil, fmt.Errorf("no signing plan in the context (sign-stage faults need Context.Plan)")
	}
	return c.Plan, nil
}

var whatParam = ParamSpec{Name: "what", Default: "both", Values: []string{"response", "assertion", "both"},
	Summary: "response, assertion or both"}

func init() {
	registerAll(
		unsignedFault,
		signOnlyFault,
		signWithFault,
		signatureMethodFault,
		digestMethodFault,
		c14nWithCommentsFault,
		omitKeyinfoFault,
		signaturePlacementFault,
	)
}

func unsignedFault() Spec {
	return Spec{
		Name: "unsigned", Stage: StageSign,
		Summary: "do not sign the Response, the Assertion, or either (sig-strip-all, sig-signed-response-unsigned-assertion, cfg-signing-mismatch)",
		Params:  []ParamSpec{whatParam},
		Apply:   applyUnsigned,
	}
}

func applyUnsigned(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	r, a, err := whichTargets(f.Param("what", "both"))
	if err != nil {
		return err
	}
	if r {
		p.SignResponse = false
	}
	if a {
		p.SignAssertion = false
	}
	return nil
}

func signOnlyFault() Spec {
	return Spec{
		Name: "sign-only", Stage: StageSign,
		Summary: "sign exactly the Response or exactly the Assertion (both: sign both), whatever the app settings say",
		Params: []ParamSpec{{Name: "what", Required: true, Values: []string{"response", "assertion", "both"},
			Summary: "response, assertion or both"}},
		Apply: applySignOnly,
	}
}

func applySignOnly(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	r, a, err := whichTargets(f.Param("what", ""))
	if err != nil {
		return err
	}
	p.SignResponse, p.SignAssertion = r, a
	return nil
}

func signWithFault() Spec {
	return Spec{
		Name: "sign-with", Stage: StageSign,
		Summary: "sign with another key: attacker (its own self-signed certificate in KeyInfo: sig-keyinfo-attacker-cert), attacker-with-idp-cert (the IdP's certificate in KeyInfo), idp-rotated (the IdP's other key: cfg-wrong-cert-after-rotation), weak-1024 (RSA-1024: sig-md5-dsa-weak-rsa), active",
		Params: []ParamSpec{{Name: "key", Required: true,
			Values:  []string{"attacker", "attacker-with-idp-cert", KeyRotated, KeyWeak1024, "active"},
			Summary: "which key signs"}},
		Apply: applySignWith,
	}
}

func applySignWith(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	p.Key = f.Param("key", "")
	return nil
}

func signatureMethodFault() Spec {
	return Spec{
		Name: "signature-method", Stage: StageSign,
		Summary: "sign with another SignatureMethod (sig-sha1, cfg-sha1-only-idp)",
		Params: []ParamSpec{{Name: "alg", Default: "rsa-sha1",
			Summary: "rsa-sha1, rsa-sha256, rsa-sha512 or an algorithm URI"}},
		Apply: applySignatureMethod,
	}
}

func applySignatureMethod(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	u, err := algorithm(signatureMethods, f.Param("alg", ""))
	if err != nil {
		return err
	}
	p.SignatureMethod = u
	return nil
}

func digestMethodFault() Spec {
	return Spec{
		Name: "digest-method", Stage: StageSign,
		Summary: "digest References with another DigestMethod (sig-sha1)",
		Params: []ParamSpec{{Name: "alg", Default: "sha1",
			Summary: "sha1, sha256, sha512 or an algorithm URI"}},
		Apply: applyDigestMethod,
	}
}

func applyDigestMethod(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	u, err := algorithm(digestMethods, f.Param("alg", ""))
	if err != nil {
		return err
	}
	p.DigestMethod = u
	return nil
}

func c14nWithCommentsFault() Spec {
	return Spec{
		Name: "c14n-with-comments", Stage: StageSign,
		Summary: "canonicalize with exclusive C14N #WithComments (c14n-with-comments-method): comments then count in the digest",
		Apply:   applyC14nWithComments,
	}
}

func applyC14nWithComments(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	p.Canonicalization = wire.AlgExcC14NComments
	return nil
}

func omitKeyinfoFault() Spec {
	return Spec{
		Name: "omit-keyinfo", Stage: StageSign,
		Summary: "leave KeyInfo out of the signatures (cfg-rotation-two-certs-no-keyinfo, cfg-fingerprint-mode-without-keyinfo)",
		Apply:   applyOmitKeyinfo,
	}
}

func applyOmitKeyinfo(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	p.OmitKeyInfo = true
	return nil
}

func signaturePlacementFault() Spec {
	return Spec{
		Name: "signature-placement", Stage: StageSign,
		Summary: "put ds:Signature as the signed element's last child instead of after Issuer (xsw-invalid-signature-position)",
		Params: []ParamSpec{{Name: "where", Default: "last-child", Values: []string{"last-child", "after-issuer"},
			Summary: "last-child, or after-issuer (Okta's, the schema position)"}},
		Apply: applySignaturePlacement,
	}
}

func applySignaturePlacement(c *Context, f Fault) error {
	p, err := plan(c)
	if err != nil {
		return err
	}
	p.Placement = f.Param("where", "")
	return nil
}
