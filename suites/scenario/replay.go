package scenario

import "github.com/samlharness/samlharness/sp"

// Replay, unsolicited responses and delivery (attack catalogue §6.3): the
// same signed response delivered again, or a response nobody asked for.

func init() {
	d := func(id, title string, delivery Delivery, tags []string, e map[Profile]Expect) Scenario {
		return Scenario{ID: id, Title: title, Category: CatReplay, Tags: tags,
			Refs: []string{refCorr, refGIPChecks, "saml-profiles §4.1.4.5"}, Delivery: delivery, Expect: e}
	}
	add(
		d("replay-same-browser-after-sign-out", "The captured response posted again in the same browser after signing out", DeliverReplay,
			[]string{"attack:replay", "area:in-response-to"}, Both(RejectsWith(sp.ReasonReplay, MsgReplay))).Covering("replay-same-response"),
		d("replay-against-new-request", "The captured response posted against a new sign-in request", DeliverReplayNewRequest,
			[]string{"attack:replay", "area:in-response-to"}, Both(RejectsWith(sp.ReasonInResponseToMismatch, MsgInResponseToWrong))).Covering("inresponseto-mismatch"),
		d("idp-initiated-okta-tile", "Okta tile clicked (IdP-initiated): Identity Platform's missing initial state page", DeliverIdPInitiated,
			[]string{"attack:unsolicited", "area:in-response-to"}, Both(Rejects(sp.ReasonMissingInitialState))).Covering("unsolicited-when-disabled", "unsolicited-login-csrf", "cfg-idp-initiated-tile"),
		d("unsolicited-into-pending-request", "IdP-initiated response posted into a browser with a pending sign-in", DeliverUnsolicitedIntoPending,
			[]string{"attack:unsolicited", "area:in-response-to"}, Both(RejectsWith(sp.ReasonInResponseToMissing, MsgInResponseToGone))).Covering("unsolicited-when-disabled", "unsolicited-login-csrf"),
		Scenario{ID: "replay-one-time-use-assertion", Title: "A OneTimeUse assertion posted twice",
			Category: CatReplay, Tags: []string{"attack:replay"}, Refs: []string{refCorr, "saml-core §2.5.1.5"},
			IdP:      Faults(F("add-condition", "kind", "one-time-use")),
			Delivery: DeliverReplay, Expect: Both(RejectsWith(sp.ReasonReplay, MsgReplay))}.Covering("replay-onetimeuse"),
	)
}
