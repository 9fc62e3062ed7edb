package fault

// Delivery faults are instructions to whoever delivers the response (the
// scenario driver): Apply only checks their parameters; the IdP records them
// (OfStage(StageDelivery, …)) and the driver carries them out.

func init() {
	Register(Spec{
		Name: "replay", Stage: StageDelivery,
		Summary: "deliver the identical response count times in all (replay-same-response; with add-condition one-time-use, replay-onetimeuse): every delivery after the first must be refused (REPLAY)",
		Params:  []ParamSpec{{Name: "count", Default: "2", Summary: "total deliveries, 2 to 100"}},
		Apply: func(c *Context, f Fault) error {
			_, err := intParam(f, "count", 2, 2, 100)
			return err
		},
	})
	Register(Spec{
		Name: "replay-after-signout", Stage: StageDelivery,
		Summary: "deliver the response, sign out of the SP, then deliver the same response again: the second delivery must be refused (REPLAY), sign-out does not reset the replay cache",
		Apply:   func(c *Context, f Fault) error { return nil },
	})
	Register(Spec{
		Name: "unsolicited", Stage: StageDelivery,
		Summary: "start from the IdP (the Okta tile, IdP-initiated): the response has no InResponseTo and the browser carries no SP state (unsolicited-when-disabled, cfg-idp-initiated-tile)",
		Apply:   func(c *Context, f Fault) error { return nil },
	})
	Register(Spec{
		Name: "deliver-to", Stage: StageDelivery,
		Summary: "post the response to another ACS than the one it was issued for (audience-cross-tenant, cfg-wrong-acs-url): the SP must refuse on Destination, Recipient or Audience",
		Params:  []ParamSpec{{Name: "acs", Required: true, Summary: "the URL the driver posts to"}},
		Apply:   func(c *Context, f Fault) error { return nil },
	})
	Register(Spec{
		Name: "deliver-after", Stage: StageDelivery,
		Summary: "hold the response for delay before delivering it (the driver advances the SP clock): with Okta's 5-minute windows, delay=6m gives an expired assertion with an untouched IdP (time-conditions-expired)",
		Params:  []ParamSpec{{Name: "delay", Required: true, Summary: "Go duration, e.g. 6m"}},
		Apply: func(c *Context, f Fault) error {
			_, err := durationParam(f, "delay")
			return err
		},
	})
}
