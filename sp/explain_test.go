package sp

import (
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
)

// explainIn is a guide-configured ExplainInput for a response.
func explainIn(t *testing.T, samlResponse string, edit func(*ExplainInput)) ExplainInput {
	in := ExplainInput{
		ServiceProviderEntityID: testBase,
		RedirectURL:             testBase + PathHandler,
		ProviderID:              "saml.workspace-ws1",
		Settings: SSOSettings{
			IdentityProviderEntityID: testIdPEntity,
			Certificates:             []string{idpSigner(t).certPEM},
			Domains:                  []string{testDomain},
		},
		SAMLResponse: samlResponse,
		RequestID:    "_00000000000000000000000000000000",
		At:           testNow,
	}
	if edit != nil {
		edit(&in)
	}
	return in
}

func TestExplain(t *testing.T) {
	t.Parallel()
	both := respSpec{SignResponse: true, SignAssertion: true}
	cases := []struct {
		name      string
		spec      respSpec
		edit      func(*ExplainInput)
		reason    Reason
		stage     string
		message   string
		certIndex int
		assumed   bool
	}{
		{name: "valid", spec: both, stage: ExplainStageApp, certIndex: 0},
		{name: "second certificate verifies", spec: both, stage: ExplainStageApp, certIndex: 1,
			edit: func(in *ExplainInput) {
				in.Settings.Certificates = []string{newSigner(t, fixtures.KeyAttacker, testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0)).certPEM, idpSigner(t).certPEM}
			}},
		{name: "unknown request ID is taken from the response", spec: both, stage: ExplainStageApp, certIndex: 0, assumed: true,
			edit: func(in *ExplainInput) { in.RequestID = "" }},
		{name: "request ID differs", spec: both, reason: ReasonInResponseToMismatch, stage: ExplainStageSignInWithIdp, certIndex: 0,
			edit: func(in *ExplainInput) { in.RequestID = "_ffffffffffffffffffffffffffffffff" }},
		{name: "unparseable certificate", spec: both, reason: ReasonCertParse, stage: ExplainStageSignInWithIdp, certIndex: -1,
			message: "INVALID_IDP_RESPONSE : Error when parsing certificate",
			edit: func(in *ExplainInput) {
				v, err := fixtures.PEMVariant("truncated", idpSigner(t).certPEM)
				if err != nil {
					t.Fatal(err)
				}
				in.Settings.Certificates = []string{v}
			}},
		{name: "audience is the Redirect URL", spec: respSpec{SignResponse: true, SignAssertion: true, Audience: testBase + PathHandler},
			reason: ReasonAudienceMismatch, stage: ExplainStageSignInWithIdp, certIndex: 0,
			message: "INVALID_IDP_RESPONSE : All <AudienceRestriction>s should contain the SAML RP entity ID: '" + testBase + "'."},
		{name: "expired at the instant", spec: both, reason: ReasonExpired, stage: ExplainStageSignInWithIdp, certIndex: 0,
			edit: func(in *ExplainInput) { in.At = testNow.Add(10 * time.Minute) }},
		{name: "NameID is not an email", spec: respSpec{SignResponse: true, SignAssertion: true, NameID: "carol"},
			reason: ReasonNameIDNotEmail, stage: ExplainStageSession, certIndex: 0,
			message: `Unable to login with saml.workspace-ws1 : the SAML NameID "carol" is not an email address.`},
		{name: "domain not allowed", spec: respSpec{SignResponse: true, SignAssertion: true, NameID: "erin@acme-labs.test"},
			reason: ReasonDomainNotAllowed, stage: ExplainStageSession, certIndex: 0,
			message: "Unable to login with saml.workspace-ws1 : the email domain acme-labs.test is not an allowed domain of this workspace."},
		{name: "unsigned", spec: respSpec{}, reason: ReasonSignatureMissing, stage: ExplainStageSignInWithIdp, certIndex: -1},
		{name: "not base64", spec: both, reason: ReasonResponseMalformed, stage: ExplainStageSignInWithIdp, certIndex: -1,
			edit: func(in *ExplainInput) { in.SAMLResponse = "%%%" }},
		{name: "disabled provider", spec: both, reason: ReasonProviderDisabled, stage: ExplainStageSignInWithIdp, certIndex: -1,
			edit: func(in *ExplainInput) { f := false; in.Settings.Enabled = &f }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Explain(explainIn(t, tc.spec.build(t), tc.edit))
			if tc.reason == "" {
				if got.Err != nil {
					t.Fatalf("want a sign-in, got %v", got.Err)
				}
				if got.Email != testEmail {
					t.Fatalf("email %q", got.Email)
				}
			} else {
				if got.Err == nil || got.Err.Reason != tc.reason {
					t.Fatalf("got %v, want %s", got.Err, tc.reason)
				}
				if tc.message != "" && got.Err.Message() != tc.message {
					t.Fatalf("message\n got %q\nwant %q", got.Err.Message(), tc.message)
				}
			}
			if got.Stage != tc.stage {
				t.Errorf("stage %q, want %q", got.Stage, tc.stage)
			}
			if got.CertificateIndex != tc.certIndex {
				t.Errorf("certificate index %d, want %d", got.CertificateIndex, tc.certIndex)
			}
			if got.RequestIDAssumed != tc.assumed {
				t.Errorf("request ID assumed %v, want %v", got.RequestIDAssumed, tc.assumed)
			}
		})
	}
}

func TestExplainStrictProfile(t *testing.T) {
	t.Parallel()
	spec := respSpec{SignResponse: true, SignAssertion: true, Recipient: "https://other.example/acs"}
	in := explainIn(t, spec.build(t), nil)
	if got := Explain(in); got.Err != nil {
		t.Fatalf("identity-platform: %v", got.Err)
	}
	in.Profile = ProfileStrict
	got := Explain(in)
	if got.Err == nil || got.Err.Reason != ReasonRecipientMismatch {
		t.Fatalf("strict: got %v, want RECIPIENT_MISMATCH", got.Err)
	}
	if !got.SignedResponse || !got.SignedAssertion {
		t.Errorf("signatures not reported: %+v", got)
	}
}

func TestDiagnoseCertificate(t *testing.T) {
	t.Parallel()
	good := idpSigner(t).certPEM
	if d := DiagnoseCertificate(good); !d.OK() || d.Code != "" || d.Chain != 1 {
		t.Fatalf("good certificate: %+v", d)
	}
	lines := strings.Split(good, "\n")
	lines[2] = lines[2][:9] + "*" + lines[2][10:]
	d := DiagnoseCertificate(strings.Join(lines, "\n"))
	if d.OK() || d.Code != CertBase64Char || !strings.Contains(d.Message, "line 3, column 10") {
		t.Fatalf("bad character: %+v", d)
	}
	if fp := CertificateFingerprint(idpSigner(t).cert); len(fp) != 64 {
		t.Fatalf("fingerprint %q", fp)
	}
}
