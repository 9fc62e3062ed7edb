package sp

// check_policy.go: the workspace's own policy, applied by the session step
// (POST /app/api/session) after Identity Platform signed the user in: the
// NameID must be the user's email and its domain one of the workspace's
// allowed SSO domains. Both refusals read "Unable to login with
// saml.workspace-… : …", the message the workspace's users see.

import (
	"slices"
	"strings"
)

// Step names of the workspace-policy concern.
const (
	stepNameIDIsEmail       = "nameid-is-email"
	stepEmailDomainAllowed  = "email-domain-allowed"
	sourceWorkspaceSSOGuide = "the workspace's SSO setup guide (ElevenLabs: \"make <saml:NameID> the user's email\"; \"Domain must match a verified domain\"; users see \"Unable to login with saml.workspace...\")"
)

var checkNameIDIsEmail = &check{
	StepInfo: StepInfo{Name: stepNameIDIsEmail, Concern: ConcernPolicy, Stage: ExplainStageSession,
		Summary: "the NameID is an email address",
		Rule:    Rule{Kind: RulePolicy, Source: sourceWorkspaceSSOGuide},
		Reasons: []Reason{ReasonNameIDNotEmail}},
	needs: []string{stepNameIDPresent},
	run: func(st *checkState) *APIError {
		if !isEmailAddress(st.nameID) || (st.policy.NameIDVisibleOnly && hasInvisibleCharacter(st.nameID)) {
			return newError(ReasonNameIDNotEmail, map[string]string{"providerId": st.providerID, "nameId": st.nameID},
				"the IdP sent NameID %q, which is not an email address: in Okta set Name ID format = EmailAddress and Application username = Email", st.nameID)
		}
		return nil
	},
}

var checkDomainAllowed = &check{
	StepInfo: StepInfo{Name: stepEmailDomainAllowed, Concern: ConcernPolicy, Stage: ExplainStageSession,
		Summary: "the email's domain is one of the workspace's allowed SSO domains",
		Rule:    Rule{Kind: RulePolicy, Source: sourceWorkspaceSSOGuide},
		Reasons: []Reason{ReasonDomainNotAllowed}},
	needs: []string{stepNameIDPresent},
	run: func(st *checkState) *APIError {
		domain := strings.ToLower(st.nameID[strings.LastIndexByte(st.nameID, '@')+1:])
		if !slices.Contains(st.domains, domain) {
			return newError(ReasonDomainNotAllowed, map[string]string{"providerId": st.providerID, "nameId": st.nameID, "domain": domain},
				"%s signed in through the IdP, but %s is not among the workspace's allowed SSO domains (%s): add it with Add Domain (it must be verified first)",
				st.nameID, domain, strings.Join(st.domains, ", "))
		}
		return nil
	},
}

// checkWorkspacePolicy runs the session stage of the checklist for a
// signed-in NameID (the session step's call).
func (s *Server) checkWorkspacePolicy(profile Profile, providerID, nameID string, domains []string) *APIError {
	st := &checkState{s: s, policy: PolicyFor(profile), providerID: providerID, nameID: nameID, domains: domains}
	return s.runChecklist(st, ExplainStageSession)
}
