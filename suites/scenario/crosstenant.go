package scenario

import "github.com/samlharness/samlharness/sp"

// Several workspaces under one SP (attack catalogue §6.2,
// audience-cross-tenant and issuer-other-trusted-idp). The SP serves a
// second workspace under the same Service Provider Entity Id and Redirect
// URL (SPSide.SecondWorkspace), as an Identity Platform project does for
// every tenant and provider when configured with one SP entity ID, so a
// response for one workspace names the right Audience, Destination and
// Recipient at every workspace. What binds it to its workspace is the
// sign-in it answers (InResponseTo, the AuthnRequest of the pending
// sign-in behind the browser's sessionId) and the IdP each workspace
// trusts. Each response is fresh: it was never posted to its own
// workspace, so no replay cache stands in for these checks.

const (
	refMultiTenant = "saml-profiles §4.1.4.3"
	// srcCrossTenant and srcOtherIdP say why the expectations hold,
	// although no recording shows Identity Platform answering a
	// cross-tenant post.
	srcCrossTenant = ". The browser's sessionId names the second workspace's pending sign-in, whose AuthnRequest the response does not answer; Identity Platform's answer to a cross-tenant post is unobserved (its InResponseTo check and message are recorded by fireemu)"
	srcOtherIdP    = ". The browser's sessionId names the second workspace's pending sign-in, and that workspace trusts another IdP: another signing key and another Issuer. The SP checks the signature first, so the refusal names the key; Identity Platform's answer to a cross-tenant post, and the order of its checks, are unobserved (its signature message is recorded by fireemu)"
	// secondWorkspaceUser is an identity the second workspace lets in.
	secondWorkspaceUser = "alice@" + SecondWorkspaceDomain
)

func init() {
	mt := func(id, title, second string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatProtocol,
			Tags: []string{"area:multi-tenant", "area:in-response-to", "area:audience", "attack:replay"},
			Refs: []string{refMultiTenant, refAudience, refGIPChecks},
			SP:   SPSide{SecondWorkspace: second}, IdP: IdPSide{Faults: f}, Delivery: DeliverIntoOtherWorkspace, Expect: e}
	}
	irt := Both(RejectsWith(sp.ReasonInResponseToMismatch, MsgInResponseToWrong).Because(Specified, clauseInResponseTo+srcCrossTenant))
	key := Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed).Because(Specified, clauseSigTrust+srcOtherIdP))
	// The IdP itself asserts a user of the second workspace's domain (it
	// signs what it is configured to): the workspace policy then lets the
	// identity in, and only the SAML checks stand between it and a session.
	secondUser := F("set-nameid", "value", secondWorkspaceUser)
	add(
		// The controls: the first workspace's own sign-in while a second
		// workspace shares the SP entity ID. They are the twins of the
		// cross-tenant deliveries below.
		Scenario{ID: "second-workspace-same-idp-valid-login", Title: "A valid login at one workspace while another workspace of the SP trusts the same IdP",
			Category: CatProtocol, Tags: []string{"area:multi-tenant"}, Refs: []string{refGIPChecks},
			SP: SPSide{SecondWorkspace: SecondWorkspaceSameIdP}, Expect: Both(Accepts())},
		Scenario{ID: "second-workspace-other-idp-valid-login", Title: "A valid login at one workspace while another workspace of the SP trusts another IdP",
			Category: CatProtocol, Tags: []string{"area:multi-tenant"}, Refs: []string{refGIPChecks},
			SP: SPSide{SecondWorkspace: SecondWorkspaceOtherIdP}, Expect: Both(Accepts())},

		mt("cross-tenant-same-idp-response-into-other-workspace",
			"A response the shared IdP issued for one workspace's sign-in, posted into another workspace's pending sign-in (one SP entity ID)",
			SecondWorkspaceSameIdP, irt).
			Covering("audience-cross-tenant", "inresponseto-mismatch"),
		mt("cross-tenant-same-idp-second-workspace-user",
			"A response the shared IdP issued for one workspace's sign-in, naming a user of another workspace, posted into that workspace's pending sign-in",
			SecondWorkspaceSameIdP, irt, secondUser).
			Covering("audience-cross-tenant", "inresponseto-mismatch"),
		mt("cross-tenant-other-idp-response-into-other-workspace",
			"A response of one workspace's IdP posted into the pending sign-in of another workspace, which trusts another IdP (one SP entity ID)",
			SecondWorkspaceOtherIdP, key).
			Covering("audience-cross-tenant", "issuer-other-trusted-idp"),
		mt("cross-tenant-other-idp-asserts-second-workspace-user",
			"One workspace's IdP asserts a user of another workspace, which trusts another IdP, and the response is posted into that workspace's pending sign-in",
			SecondWorkspaceOtherIdP, key, secondUser).
			Covering("audience-cross-tenant", "issuer-other-trusted-idp"),
	)
}
