package scenario

// RelayState as an open redirect (attack catalogue §6.5,
// relaystate-open-redirect): the IdP returns a RelayState the SP never
// sent — another site, a protocol-relative or backslashed URL a browser
// resolves to another host, a javascript: URL, an over-long value. The
// RelayState is not covered by the response's signature, so anyone can set
// it. The user signs in, and the browser must end the sign-in on the SP's
// own origin (Expect.LandsOnSP: the driver follows the SP's redirects after
// the response and records where they end).

// policyRelayState is the rule these expectations rest on.
const policyRelayState = "attack catalogue relaystate-open-redirect: never redirect to an unvalidated RelayState; the workspace sends every signed-in user to its own app and never to a RelayState value (saml-bindings §3.5.3 leaves RelayState opaque to the SAML checks, so the sign-in itself succeeds)"

func init() {
	rs := func(id, title string, f faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatBinding, Tags: []string{"area:binding", "area:relaystate"},
			Refs: []string{refBinding, "saml-bindings §3.5.3"}, IdP: IdPSide{Faults: []faultT{f}},
			Expect: Both(Accepts().OnSP().Because(Policy, policyRelayState))}.Covering("relaystate-open-redirect")
	}
	add(
		rs("relaystate-protocol-relative-url", "RelayState a protocol-relative URL of another site (//evil.example/): the browser stays on the SP",
			F("relaystate", "value", "//evil.example/")),
		rs("relaystate-backslash-url", "RelayState a backslashed path a browser reads as another host (/\\evil.example/): the browser stays on the SP",
			F("relaystate", "value", `/\evil.example/`)),
		rs("relaystate-javascript-url", "RelayState a javascript: URL: the browser stays on the SP and runs nothing",
			F("relaystate", "value", "javascript:alert(document.domain)")),
		rs("relaystate-over-long", "RelayState of 81 bytes, one more than saml-bindings allows: the browser stays on the SP",
			F("relaystate", "value", "https://evil.example/", "length", "81")),
	)
}
