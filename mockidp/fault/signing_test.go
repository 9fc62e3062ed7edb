package fault

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/internal/wire"
)

func TestSignStagePlanEdits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		f    Fault
		want func(p SignPlan) bool
	}{
		{fault("unsigned"), func(p SignPlan) bool { return !p.SignResponse && !p.SignAssertion }},
		{fault("unsigned", "what", "response"), func(p SignPlan) bool { return !p.SignResponse && p.SignAssertion }},
		{fault("sign-only", "what", "response"), func(p SignPlan) bool { return p.SignResponse && !p.SignAssertion }},
		{fault("sign-with", "key", "attacker-with-idp-cert"), func(p SignPlan) bool { return p.Key == "attacker-with-idp-cert" }},
		{fault("signature-method", "alg", "rsa-sha512"), func(p SignPlan) bool { return p.SignatureMethod == wire.AlgRSASHA512 }},
		{fault("signature-method", "alg", "http://www.w3.org/2000/09/xmldsig#hmac-sha1"), func(p SignPlan) bool {
			return p.SignatureMethod == "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
		}},
		{fault("digest-method"), func(p SignPlan) bool { return p.DigestMethod == wire.AlgDigestSHA1 }},
		{fault("c14n-with-comments"), func(p SignPlan) bool { return p.Canonicalization == wire.AlgExcC14NComments }},
		{fault("omit-keyinfo"), func(p SignPlan) bool { return p.OmitKeyInfo }},
		{fault("signature-placement"), func(p SignPlan) bool { return p.Placement == "last-child" }},
	}
	for _, tc := range cases {
		c := newContext(t)
		if err := Apply(StageSign, c, []Fault{tc.f}); err != nil {
			t.Errorf("%s: %v", tc.f, err)
			continue
		}
		if !tc.want(*c.Plan) {
			t.Errorf("%s: plan %+v", tc.f, *c.Plan)
		}
	}
	c := newContext(t)
	c.Plan = nil
	if err := Apply(StageSign, c, []Fault{fault("unsigned")}); err == nil || !strings.Contains(err.Error(), "Context.Plan") {
		t.Errorf("no plan: %v", err)
	}
	if err := Apply(StageSign, newContext(t), []Fault{fault("digest-method", "alg", "md5")}); err == nil {
		t.Error("unknown short algorithm accepted")
	}
}

// What the test IdP produces with each plan, checked with goxmldsig.
func TestSignStageOutcomes(t *testing.T) {
	t.Parallel()
	c := run(t, fault("unsigned"))
	resp, a := delivered(t, c)
	if signatureOf(resp) != nil || signatureOf(a) != nil {
		t.Error("unsigned response carries a signature")
	}

	c = run(t, fault("sign-with", "key", "attacker"))
	resp, _ = delivered(t, c)
	if err := verify(t, resp); err == nil || !strings.Contains(err.Error(), "Could not verify certificate") {
		t.Errorf("attacker signature: %v", err)
	}
	if !signedInfoVerifies(t, signatureOf(resp), keys(t)["attacker"].cert) {
		t.Error("not signed by the attacker key")
	}

	c = run(t, fault("sign-with", "key", "attacker-with-idp-cert"))
	resp, _ = delivered(t, c)
	if err := verify(t, resp); err == nil {
		t.Error("attacker key with the IdP certificate verified")
	}
	if x := dsChild(dsChild(dsChild(signatureOf(resp), "KeyInfo"), "X509Data"), "X509Certificate"); x == nil || x.Text() != base64.StdEncoding.EncodeToString(keys(t)["idp"].cert.Raw) {
		t.Error("KeyInfo does not carry the IdP certificate")
	}

	c = run(t, fault("signature-method", "alg", "rsa-sha1"), fault("c14n-with-comments"), fault("signature-placement"), fault("omit-keyinfo"))
	resp, a = delivered(t, c)
	sig := signatureOf(resp)
	si := dsChild(sig, "SignedInfo")
	if dsChild(si, "SignatureMethod").SelectAttrValue("Algorithm", "") != wire.AlgRSASHA1 ||
		dsChild(si, "CanonicalizationMethod").SelectAttrValue("Algorithm", "") != wire.AlgExcC14NComments {
		t.Error("algorithms not in SignedInfo")
	}
	if kids := resp.ChildElements(); kids[len(kids)-1] != sig {
		t.Error("signature is not the last child")
	}
	if dsChild(sig, "KeyInfo") != nil {
		t.Error("KeyInfo present")
	}
	if err := verify(t, resp); err != nil {
		t.Errorf("SHA-1 / WithComments / last-child / no KeyInfo should still verify with one pinned cert: %v", err)
	}
	if err := verify(t, a); err != nil {
		t.Errorf("assertion: %v", err)
	}
}
