// Package diagnose explains a customer's SSO failure from the SP's side: given
// the workspace's SSO settings (the admin UI's fields), optionally Okta's
// metadata and the Okta app's SAML settings, and the evidence — a captured
// SAMLResponse or a browser HAR export — it reports
//
//   - the result the SP gives, computed by the SP's own verification code
//     (sp.Explain), with Identity Platform's exact message;
//   - every finding, most likely cause first, each naming the field as the
//     setup guide's field-mapping table does ("Audience URI (SP Entity ID) in
//     Okta ↔ Service Provider Entity Id in the workspace"), what was
//     expected, what was found, and the fix in the admin UIs' words.
//
// diagnose is a client of the SP's checklist: sp.Explain runs every named
// verification step in collect-all mode under each profile, and a finding
// is raised when a step refuses the response with its typed reason
// (sp.Reason); nothing here re-decides a rule. What is diagnose's own:
// reading the settings, the response, HARs and Okta's metadata and
// settings (each reader bounded in size and linear in time), mapping each
// reason to the admin UIs' fields with the values the response carries,
// telling which certificate made the signatures (every configured
// certificate, the KeyInfo's and the metadata's are tried with goxmldsig)
// and what that says about the pasted ones (rotated, not yet active,
// altered, another certificate), the SP's typed certificate shapes,
// ranking, and the fix text.
// Nothing leaves the machine: the package does no I/O beyond what its
// caller hands it.
//
// Report is the stable, documented structure behind `samlharness diagnose
// --json`; Report.WriteText renders it for people.
package diagnose
