// Package sp is the harness's Service Provider: a SaaS workspace app
// (modelled on ElevenLabs) whose SAML SSO runs on an emulation of Google
// Identity Platform (GIP). It reproduces, over HTTP and as Go methods:
//
//   - the admin side: workspaces, verified domains and Workspace settings →
//     Security & SSO (SSO Provider, Service Provider Entity Id, Redirect URL,
//     Identity Provider Entity Id, Identity Provider Sign-In URL,
//     certificates kept exactly as pasted, allowed domains, the
//     acknowledgement, Update SSO), as an HTML page and a JSON API;
//   - the SP-initiated flow: /app/sign-in?use_sso=true → createAuthUri →
//     AuthnRequest (HTTP-Redirect) → the IdP → POST to the Redirect URL
//     /__/auth/handler → accounts:signInWithIdp → /app/api/session → /app;
//   - GIP's verification of the SAMLResponse with its exact error envelope
//     and messages, plus a stable harness reason code (ReasonTable).
//
// # Profiles
//
// Each workspace runs one profile; PolicyFor(profile) turns it into the
// named behaviours the checklist's steps read. ProfileIdentityPlatform
// models Identity Platform: what public recordings of production show is
// recorded (the messages and checks of signatures, status, Destination,
// issuers, audience, time bounds and InResponseTo; no Recipient check; an
// expired IdP certificate accepted), the rest is assumed and says so (each
// step's Rule, each reason's MessageProvenance). ProfileStrict also
// enforces what the SAML specifications and the attack catalogue require.
// Both read identity only from the bytes goxmldsig verified.
//
// # Checklist
//
// verifySAMLResponse runs the checklist (Checklist() describes it; the
// steps live in check_*.go by concern) fail-fast: size cap (before
// decoding), strict base64, a raw-byte scan refusing DOCTYPE/entities/
// processing instructions and bounding depth, element and attribute
// counts, one etree parse, structure (one samlp:Response root, IDs present
// and unique, Version 2.0, at most one signature per element),
// EncryptedAssertion, the strict structure steps, certificate parsing
// (CERT_PARSE), the SAML signature profile and goxmldsig verification with
// one ValidationContext per configured certificate (SIGNATURE_*), strict
// key/validity/KeyInfo checks, then Identity Platform's recorded order:
// status → destination → issuer → audience → NotBefore → NotOnOrAfter
// (Conditions, then SubjectConfirmationData) → InResponseTo → replay →
// NameID. The workspace policy (NameID is an email of an allowed domain)
// is the checklist's session stage. Explain runs the same steps
// collect-all.
//
// # Bounded state and the admin surface
//
// Everything a client can make the SP keep is bounded (store.go): pending
// sign-ins (Config.MaxPending, oldest evicted), ID tokens (single-use,
// Config.MaxIDTokens, purged at expiry), sessions (Config.SessionIdleTimeout,
// Config.SessionMaxAge, Config.MaxSessions) and replay-cache IDs (dropped at
// the assertion's NotOnOrAfter, at most PendingTTL after use), all on the
// injected clock. The Security & SSO page and the /api/workspaces API
// answer only a signed-in admin of the workspace (AddAdmin; password
// sign-in at PathPasswordSignIn), and changes need the session's CSRF
// token and a same-origin request (adminauth.go); Config.InsecureOpenAdmin
// opts out for library use in tests.
//
// Only verify.go touches goxmldsig; no canonicalization or signature code is
// written here.
package sp
