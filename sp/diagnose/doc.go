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
// The findings come from reading the response with etree, trying every
// configured certificate (and the certificates the response and the
// metadata carry) with goxmldsig, and the SP's certificate diagnostics.
// Nothing leaves the machine: the package does no I/O beyond what its
// caller hands it.
//
// Report is the stable, documented structure behind `samlharness diagnose
// --json`; Report.WriteText renders it for people.
package diagnose
