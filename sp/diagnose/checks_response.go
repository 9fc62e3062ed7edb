package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/sp"
)

// checks_response.go: what the SP's checklist refuses in the response's
// protocol, time, identity and workspace-policy steps, mapped to the admin
// UIs' fields with the values the response carries. Whether a rule holds
// is the SP's answer (a.sp, by typed reason), never re-checked here.

func (a *analysis) checkStatus() {
	f := a.facts
	if _, _, ok := a.sp.failed(sp.ReasonStatusNotSuccess); !ok {
		if a.sp.passed(sp.ReasonStatusNotSuccess) {
			a.pass("status: Success")
		}
		return
	}
	found := f.Status
	if f.SubStatus != "" {
		found += " / " + f.SubStatus
	}
	if f.StatusMessage != "" {
		found += fmt.Sprintf(" (StatusMessage %q)", f.StatusMessage)
	}
	a.add(Finding{Code: string(sp.ReasonStatusNotSuccess), Reason: string(sp.ReasonStatusNotSuccess), Title: "Okta answered with a failure status instead of signing the user in",
		Field: FieldStatus, Expected: wire.StatusSuccess, Found: found,
		Fix:  "Look up this sign-in in Okta's System Log (Reports → System Log, filter by the user and the app): it says why Okta refused. A Requester status usually means Okta could not accept the workspace's request.",
		step: stepStatus})
}

func (a *analysis) checkStructure() {
	if _, _, ok := a.sp.failed(sp.ReasonEncryptedAssertion); ok {
		found := "the Response carries an EncryptedAssertion"
		if a.okta != nil && a.okta.AssertionEncryption != "" {
			found += "; Okta's settings say Assertion Encryption = " + a.okta.AssertionEncryption
		}
		a.add(Finding{Code: string(sp.ReasonEncryptedAssertion), Reason: string(sp.ReasonEncryptedAssertion), Title: "The assertion is encrypted; the workspace cannot decrypt it",
			Field: FieldEncryption, Expected: "Assertion Encryption = Unencrypted", Found: found,
			Fix: oktaSAMLSettings + ", Show Advanced Settings, and set Assertion Encryption to Unencrypted: Identity Platform holds no decryption key.", step: stepEncryption})
	}
}

func (a *analysis) checkDestination() {
	d, want := a.facts.Destination, a.cfg.RedirectURL
	if _, _, ok := a.sp.failed(sp.ReasonDestinationMismatch); !ok {
		switch {
		case !a.sp.passed(sp.ReasonDestinationMismatch):
		case d == "":
			a.pass("Destination: absent (Identity Platform checks it only when present)")
		default:
			a.pass("Destination = Redirect URL")
		}
		return
	}
	field, fix := FieldSSOURL, oktaSAMLSettings+", set Single sign-on URL to "+want+" (the workspace's Redirect URL) and select \"Use this for Recipient URL and Destination URL\", then Save."
	if a.okta != nil && a.okta.SeparateRecipientAndDestination {
		field, fix = FieldDestination, oktaSAMLSettings+", set Destination URL to "+want+" (the workspace's Redirect URL), or select \"Use this for Recipient URL and Destination URL\" with Single sign-on URL = "+want+", then Save."
	}
	a.add(Finding{Code: string(sp.ReasonDestinationMismatch), Reason: string(sp.ReasonDestinationMismatch), Title: "The response's Destination is not the workspace's Redirect URL",
		Field: field, Expected: want, Found: d + " (" + urlRelation(d, want, a.cfg) + ")", Fix: fix, step: stepDestination})
}

func (a *analysis) checkRecipient() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	want := a.cfg.RedirectURL
	if _, _, ok := a.sp.failed(sp.ReasonRecipientMismatch); !ok {
		if a.sp.passed(sp.ReasonRecipientMismatch) {
			a.pass("Recipient = Redirect URL")
		}
		return
	}
	found := as.Recipient
	if found == "" {
		found = "no Recipient"
	} else {
		found += " (" + urlRelation(found, want, a.cfg) + ")"
	}
	a.add(Finding{Code: string(sp.ReasonRecipientMismatch), Reason: string(sp.ReasonRecipientMismatch), StrictOnly: true,
		Title: "The SubjectConfirmationData Recipient is not the workspace's Redirect URL", Field: FieldRecipient,
		Expected: want, Found: found + "; Identity Platform does not check Recipient, the strict profile does",
		Fix:  oktaSAMLSettings + ", select \"Use this for Recipient URL and Destination URL\" with Single sign-on URL = " + want + ", or set Recipient URL to it, then Save.",
		step: stepRecipient})
}

func (a *analysis) checkIssuer() {
	f := a.facts
	assertionIssuer := ""
	if f.Assertion != nil {
		assertionIssuer = f.Assertion.Issuer
	}
	var issuer string
	var step int
	var reason sp.Reason
	switch {
	case a.sp.failedAny(sp.ReasonResponseIssuer):
		issuer, step, reason = f.Issuer, stepResponseIssuer, sp.ReasonResponseIssuer
	case a.sp.failedAny(sp.ReasonIssuerMismatch):
		issuer, step, reason = assertionIssuer, stepAssertionIssuer, sp.ReasonIssuerMismatch
	default:
		if assertionIssuer != "" && a.sp.passed(sp.ReasonIssuerMismatch) {
			a.pass("Issuer = Identity Provider Entity Id")
		}
		a.metadataEntityID(orDefault(assertionIssuer, f.Issuer))
		return
	}
	code := string(reason)
	found := fmt.Sprintf("the workspace has %q", a.cfg.IdentityProviderEntityID)
	if rel := entityRelation(a.cfg.IdentityProviderEntityID, issuer, a.cfg, a.md); rel != "" {
		found += " (" + rel + ")"
	}
	if a.md != nil {
		if a.md.EntityID == issuer {
			found += "; Okta's metadata has entityID " + a.md.EntityID + ", the response's Issuer"
		} else {
			found += "; Okta's metadata has entityID " + a.md.EntityID
		}
	}
	a.add(Finding{Code: code, Reason: code, Title: "The Identity Provider Entity Id in the workspace is not Okta's issuer",
		Field: FieldIssuer, Expected: orDefault(issuer, "an Issuer") + " (the Issuer of the response)", Found: found,
		Fix: fmt.Sprintf("In %s, set Identity Provider Entity Id to %s — the entityID of Okta's IdP metadata (Okta: Sign On tab → View SAML setup instructions → Identity Provider Issuer) — then %s.",
			securitySSO, issuer, updateSSO),
		step: step})
}

// metadataEntityID warns when the metadata given is another IdP's.
func (a *analysis) metadataEntityID(issuer string) {
	if a.md == nil || issuer == "" || a.md.EntityID == issuer {
		return
	}
	a.add(Finding{Code: "METADATA_OTHER_APP", Title: "The metadata given is not this app's", Field: FieldIssuer,
		Expected: issuer, Found: "the metadata's entityID is " + a.md.EntityID,
		Fix: "Pass the metadata of the Okta app the workspace signs in with (Sign On tab → View IdP metadata).", step: stepAdvice})
}

func (a *analysis) checkAudience() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	want := a.cfg.ServiceProviderEntityID
	if _, _, ok := a.sp.failed(sp.ReasonAudienceMismatch); !ok {
		if len(as.Audiences) > 0 && a.sp.passed(sp.ReasonAudienceMismatch) {
			a.pass("Audience = Service Provider Entity Id")
		}
		return
	}
	for i, ar := range as.Audiences {
		if contains(ar, want) {
			continue
		}
		found := fmt.Sprintf("AudienceRestriction %d of %d lists %s", i+1, len(as.Audiences), quoteList(ar))
		if len(ar) == 1 {
			found += " (" + urlRelation(ar[0], want, a.cfg) + ")"
		}
		if a.okta != nil && a.okta.AudienceURI != "" {
			found += "; Okta's settings say Audience URI = " + a.okta.AudienceURI
		}
		a.add(Finding{Code: string(sp.ReasonAudienceMismatch), Reason: string(sp.ReasonAudienceMismatch), Title: "Okta's Audience URI (SP Entity ID) is not the workspace's Service Provider Entity Id",
			Field: FieldAudience, Expected: want, Found: found,
			Fix:  oktaSAMLSettings + ", set Audience URI (SP Entity ID) to " + want + " (copy the Service Provider Entity Id from " + securitySSO + "), then Save.",
			step: stepAudience})
		return
	}
}

func (a *analysis) checkTime() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	atNote := ""
	if a.atSource == "now" {
		atNote = " (the current time: neither --at nor a HAR timestamp was given; pass --at with the time of the failed sign-in)"
	}
	issued := ""
	if t, ok := parseInstant(a.facts.IssueInstant); ok {
		issued = fmt.Sprintf("; Okta issued it at %s", instant(t))
		if gap := a.at.Sub(t); gap > time.Minute || gap < -time.Minute {
			rel := "after"
			if gap < 0 {
				rel = "before"
			}
			issued += fmt.Sprintf(", %s %s the instant judged", roundDur(gap), rel)
			if l := a.ev.Login; l != nil {
				if posted := harTime(l.StartedDateTime); !posted.IsZero() && posted.Sub(a.at).Abs() < time.Minute {
					issued += fmt.Sprintf("; the HAR shows the browser posted it at %s, and a response is posted within seconds of being issued, so Okta's clock and the SP's disagree by about %s", instant(posted), roundDur(gap))
				}
			}
		}
	}
	_, _, notYet := a.sp.failed(sp.ReasonNotYetValid)
	_, _, expired := a.sp.failed(sp.ReasonExpired)
	if nb, ok := parseInstant(as.NotBefore); ok && notYet {
		a.add(Finding{Code: string(sp.ReasonNotYetValid), Reason: string(sp.ReasonNotYetValid), Title: fmt.Sprintf("The response is not valid yet: Okta's clock is %s ahead of the SP's", roundDur(nb.Sub(a.at)+5*time.Minute)),
			Field: FieldClock, Expected: "the SP's clock at or after NotBefore " + instant(nb), Found: "judged at " + instant(a.at) + atNote + ", " + roundDur(nb.Sub(a.at)) + " before NotBefore" + issued,
			Fix:  "Okta's responses are valid from 5 minutes before they are issued: a response that is not valid yet means the clocks disagree by more than that. Check the time of the machine that judged it (and of any proxy); sign in again.",
			step: stepNotBefore})
		return
	}
	for _, w := range []struct{ v, what string }{{as.NotOnOrAfter, "Conditions NotOnOrAfter"}, {as.SCDNotOnOrAfter, "SubjectConfirmationData NotOnOrAfter"}} {
		if noa, ok := parseInstant(w.v); ok && expired && !a.at.Before(noa) {
			a.add(Finding{Code: string(sp.ReasonExpired), Reason: string(sp.ReasonExpired), Title: fmt.Sprintf("The response expired %s before the SP judged it", roundDur(a.at.Sub(noa))),
				Field: FieldClock, Expected: "the SP's clock before " + w.what + " " + instant(noa), Found: "judged at " + instant(a.at) + atNote + ", " + roundDur(a.at.Sub(noa)) + " after it" + issued,
				Fix:  "An Okta response is valid for 5 minutes after it is issued. Sign in again from the workspace's sign-in page; a response replayed later, a tab left open, or an SP clock that runs late all fail this way.",
				step: stepNotOnOrAfter})
			return
		}
	}
	if (as.NotBefore != "" || as.NotOnOrAfter != "") && a.sp.passed(sp.ReasonNotYetValid) && a.sp.passed(sp.ReasonExpired) {
		a.pass(fmt.Sprintf("validity window: %s ≤ %s < %s", orDefault(as.NotBefore, "-∞"), instant(a.at), orDefault(as.NotOnOrAfter, "∞")))
	}
}

func (a *analysis) checkInResponseTo() {
	f, as := a.facts, a.facts.Assertion
	if as == nil {
		return
	}
	resp, scd := f.InResponseTo, as.SCDInResponseTo
	if _, _, ok := a.sp.failed(sp.ReasonInResponseToMissing); ok {
		where := "the Response and the SubjectConfirmationData"
		switch {
		case resp != "":
			where = "the SubjectConfirmationData"
		case scd != "":
			where = "the Response"
		}
		found := "no InResponseTo on " + where
		if resp == "" && scd == "" {
			found += ": the response was not sent for a sign-in the workspace started (IdP-initiated, e.g. the Okta tile)"
		}
		a.add(Finding{Code: string(sp.ReasonInResponseToMissing), Reason: string(sp.ReasonInResponseToMissing), Title: "The response does not answer a sign-in the workspace started",
			Field: FieldSignIn, Expected: "InResponseTo on both the Response and the SubjectConfirmationData, naming the workspace's AuthnRequest", Found: found,
			Fix:  "Start the sign-in from the workspace (" + signInURL(a.cfg) + "), not from the Okta dashboard tile: the workspace supports SP-initiated sign-in only.",
			step: stepInResponseTo})
		return
	}
	want := a.ev.RequestID
	_, _, mismatch := a.sp.failed(sp.ReasonInResponseToMismatch)
	switch {
	case mismatch && resp != scd:
		a.add(Finding{Code: string(sp.ReasonInResponseToMismatch), Reason: string(sp.ReasonInResponseToMismatch), Title: "The response's two InResponseTo values differ",
			Field: FieldSignIn, Expected: "the same request ID on the Response and the SubjectConfirmationData", Found: fmt.Sprintf("Response %q, SubjectConfirmationData %q", resp, scd),
			Fix: "This is not how Okta builds responses: capture the response again, unmodified.", step: stepInResponseTo})
	case mismatch:
		a.add(Finding{Code: string(sp.ReasonInResponseToMismatch), Reason: string(sp.ReasonInResponseToMismatch), Title: "The response answers another sign-in than the one in progress",
			Field: FieldSignIn, Expected: fmt.Sprintf("InResponseTo = %s, the ID of the sign-in's AuthnRequest (%s)", want, a.ev.RequestIDSource),
			Found: "InResponseTo = " + resp,
			Fix:   "Start the sign-in again from the workspace's sign-in page in one tab; a response to an older attempt (back button, a second tab, a stale Okta page) is refused.",
			step:  stepInResponseTo})
	case !a.sp.passed(sp.ReasonInResponseToMismatch):
	case want != "":
		a.pass("InResponseTo = the sign-in's AuthnRequest ID")
	default:
		a.pass("InResponseTo present (the AuthnRequest ID is unknown without a HAR)")
	}
}

func (a *analysis) checkNameID() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	settings := ""
	if a.okta != nil && (a.okta.NameIDFormat != "" || a.okta.ApplicationUsername != "") {
		settings = fmt.Sprintf("; Okta's settings say Name ID format = %s, Application username = %s", orDefault(a.okta.NameIDFormat, "Unspecified"), orDefault(a.okta.ApplicationUsername, "Okta username"))
	}
	fix := oktaSAMLSettings + ", set Name ID format to EmailAddress and Application username to Email, then Save."
	if _, _, ok := a.sp.failed(sp.ReasonNameIDMissing); ok {
		a.add(Finding{Code: string(sp.ReasonNameIDMissing), Reason: string(sp.ReasonNameIDMissing), Title: "The response has no NameID", Field: FieldNameID,
			Expected: "the user's email address as NameID", Found: "no Subject/NameID" + settings, Fix: fix, step: stepNameID})
		return
	}
	if _, _, ok := a.sp.failed(sp.ReasonNameIDNotEmail); ok {
		found := fmt.Sprintf("NameID %q (Format %s)%s", as.NameID, orDefault(shortFormat(as.NameIDFormat), "none"), settings)
		for _, at := range as.Attributes {
			for _, v := range at.Values {
				if isEmail(v) {
					found += fmt.Sprintf("; the attribute %q carries %s, which should be the NameID", at.Name, v)
					break
				}
			}
		}
		a.add(Finding{Code: string(sp.ReasonNameIDNotEmail), Reason: string(sp.ReasonNameIDNotEmail), Title: "Okta sends a NameID that is not the user's email address",
			Field: FieldNameID, Expected: "the user's email address, Name ID format EmailAddress (" + wire.NameIDEmailAddress + ")", Found: found, Fix: fix, step: stepNameIDEmail})
		return
	}
	if !a.sp.passed(sp.ReasonNameIDNotEmail) {
		return
	}
	if as.NameIDFormat != wire.NameIDEmailAddress {
		a.add(Finding{Code: "NAMEID_FORMAT", Title: "The NameID is an email address, but its format is not EmailAddress", Field: FieldNameID,
			Expected: wire.NameIDEmailAddress, Found: orDefault(as.NameIDFormat, "no Format") + settings, Fix: fix, step: stepAdvice})
	} else {
		a.pass("NameID is an email address (Format EmailAddress)")
	}
	a.checkDomain(as.NameID)
}

func (a *analysis) checkDomain(email string) {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	allowed := lowerAll(a.cfg.Domains)
	if _, _, ok := a.sp.failed(sp.ReasonDomainNotAllowed); !ok {
		if a.sp.passed(sp.ReasonDomainNotAllowed) {
			a.pass("email domain " + domain + " is an allowed domain")
		}
		return
	}
	found := fmt.Sprintf("%s: %s is not among the allowed domains (%s)", email, domain, strings.Join(allowed, ", "))
	fix := fmt.Sprintf("If %s users should sign in with SSO, add %s in %s with Add Domain (only verified domains can be added: verify it first with its DNS TXT record), then %s. If the user should use an address on %s, change their email in Okta.",
		domain, domain, securitySSO, updateSSO, strings.Join(allowed, " or "))
	if len(a.cfg.VerifiedDomains) > 0 {
		if contains(lowerAll(a.cfg.VerifiedDomains), domain) {
			found += "; it is a verified domain of the workspace"
			fix = fmt.Sprintf("In %s, click Add Domain, select %s, then %s.", securitySSO, domain, updateSSO)
		} else {
			found += "; it is not a verified domain of the workspace either (verified: " + strings.Join(lowerAll(a.cfg.VerifiedDomains), ", ") + ")"
		}
	}
	a.add(Finding{Code: string(sp.ReasonDomainNotAllowed), Reason: string(sp.ReasonDomainNotAllowed), Title: "The user's email domain is not an allowed SSO domain of the workspace",
		Field: FieldDomain, Expected: "an email on " + strings.Join(allowed, " or "), Found: found, Fix: fix, step: stepDomain})
}
