package sp

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/wire"
)

// Identity Platform messages the tests assert verbatim.
const (
	msgBare          = "INVALID_IDP_RESPONSE"
	msgSigFailed     = "INVALID_IDP_RESPONSE : Failed to verify the signature in SAMLResponse"
	msgSigMissing    = "INVALID_IDP_RESPONSE : Missing signature in Assertion and Response enclosing it (if present)."
	msgCertParse     = "INVALID_IDP_RESPONSE : Error when parsing certificate"
	msgRespIssuer    = "INVALID_IDP_RESPONSE : SAML Response <Issuer> mismatch."
	msgAudience      = "INVALID_IDP_RESPONSE : All <AudienceRestriction>s should contain the SAML RP entity ID: 'http://127.0.0.1:8080'."
	msgIRTMissing    = "INVALID_IDP_RESPONSE : InResponseTo attribute must be present in both Response and SubjectConfirmationData."
	msgIRTMismatch   = "INVALID_IDP_RESPONSE : InResponseTo in both Response and SubjectConfirmationData must match the request ID."
	msgReplay        = "MISSING_OR_INVALID_NONCE : Duplicate credential received. Please try again with a new credential."
	msgNameIDMissing = "INVALID_IDP_RESPONSE : Missing NameID in SAMLResponse."
	msgAsnMissing    = "INVALID_IDP_RESPONSE : Missing Assertion in SAMLResponse."
	callback         = testBase + PathHandler
	forgedEmail      = "admin@acme.test"
)

// outcome is an expected result: Reason "" means a successful sign-in as
// NameID (default alice@acme.test).
type outcome struct {
	Reason Reason
	Msg    string
	NameID string
}

func accept() outcome                     { return outcome{} }
func reject(r Reason, msg string) outcome { return outcome{Reason: r, Msg: msg} }

type pipelineCase struct {
	name   string
	opts   func(t testing.TB) []envOption
	edit   func(t testing.TB, s *respSpec)
	ip     outcome // identity-platform
	strict outcome
}

func both(o outcome) (outcome, outcome) { return o, o }

func pc(name string, edit func(t testing.TB, s *respSpec), ip, strict outcome) pipelineCase {
	return pipelineCase{name: name, edit: edit, ip: ip, strict: strict}
}

func pcBoth(name string, edit func(t testing.TB, s *respSpec), o outcome) pipelineCase {
	return pipelineCase{name: name, edit: edit, ip: o, strict: o}
}

// apply composes spec edits.
func apply(fs ...func(*respSpec)) func(t testing.TB, s *respSpec) {
	return func(_ testing.TB, s *respSpec) {
		for _, f := range fs {
			f(s)
		}
	}
}

func assertionOnly(s *respSpec) { s.SignResponse = false }
func responseOnly(s *respSpec)  { s.SignAssertion = false }

// forgedCopy returns a copy of the Assertion with the forged NameID, its
// signature removed and the given ID.
func forgedCopy(doc *etree.Document, id string) *etree.Element {
	a := doc.Root().SelectElement("saml2:Assertion").Copy()
	if sig := a.SelectElement("ds:Signature"); sig != nil {
		a.RemoveChild(sig)
	}
	a.FindElement("saml2:Subject/saml2:NameID").SetText(forgedEmail)
	a.CreateAttr("ID", id)
	a.CreateAttr("xmlns:saml2", wire.NSAssertion)
	return a
}

func pipelineCases() []pipelineCase {
	return []pipelineCase{
		// Signatures in each position (reference §2.3: all accepted).
		pcBoth("both signed", nil, accept()),
		pcBoth("response signed only", apply(responseOnly), accept()),
		pcBoth("assertion signed only", apply(assertionOnly), accept()),
		pcBoth("unsigned", apply(func(s *respSpec) { s.SignResponse, s.SignAssertion = false, false }), reject(ReasonSignatureMissing, msgSigMissing)),

		// Tampering and trust.
		pcBoth("nameid tampered after signing", apply(postSign(func(d *etree.Document) { d.FindElement(pNameID).SetText(forgedEmail) })), reject(ReasonSignatureInvalid, msgSigFailed)),
		pcBoth("nameid tampered, response signed only", apply(responseOnly, postSign(func(d *etree.Document) { d.FindElement(pNameID).SetText(forgedEmail) })), reject(ReasonSignatureInvalid, msgSigFailed)),
		pcBoth("conditions extended after signing", apply(assertionOnly, postSign(func(d *etree.Document) {
			d.FindElement(pConds).CreateAttr("NotOnOrAfter", "2099-01-01T00:00:00.000Z")
		})), reject(ReasonSignatureInvalid, msgSigFailed)),
		pcBoth("digest value tampered", apply(assertionOnly, postSign(func(d *etree.Document) {
			dv := d.FindElement(pAssertion + "/ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue")
			dv.SetText(base64.StdEncoding.EncodeToString(make([]byte, 32)))
		})), reject(ReasonSignatureInvalid, msgSigFailed)),
		pcBoth("signature value tampered", apply(postSign(func(d *etree.Document) {
			sv := d.FindElement(pResponse + "/ds:Signature/ds:SignatureValue")
			sv.SetText(base64.StdEncoding.EncodeToString(make([]byte, 256)))
		})), reject(ReasonSignatureInvalid, msgSigFailed)),
		pcBoth("attacker key, attacker certificate in KeyInfo", func(t testing.TB, s *respSpec) {
			s.Signer = newSigner(t, fixtures.KeyAttacker, testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0))
		}, reject(ReasonSignatureUntrustedKey, msgSigFailed)),
		pcBoth("attacker key, IdP certificate copied into KeyInfo", func(t testing.TB, s *respSpec) {
			s.Signer = newSigner(t, fixtures.KeyAttacker, testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0))
			s.KeyInfoCert = idpSigner(t).cert
		}, reject(ReasonSignatureInvalid, msgSigFailed)),
		pcBoth("rotated IdP key, SP holds only the old certificate", func(t testing.TB, s *respSpec) {
			s.Signer = newSigner(t, fixtures.KeyIdPRotated, testNow.AddDate(0, -1, 0), testNow.AddDate(9, 0, 0))
		}, reject(ReasonSignatureUntrustedKey, msgSigFailed)),
		pc("KeyInfo swapped to another certificate, IdP's valid signature", func(t testing.TB, s *respSpec) {
			s.KeyInfoCert = newSigner(t, fixtures.KeyAttacker, testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0)).cert
		}, accept(), reject(ReasonSignatureUntrustedKey, msgSigFailed)),
		pcBoth("KeyInfo omitted (Response signature)", apply(postSign(func(d *etree.Document) {
			sig := d.FindElement(pResponse + "/ds:Signature")
			sig.RemoveChild(sig.SelectElement("ds:KeyInfo"))
		})), accept()),
		pcBoth("KeyInfo omitted (Assertion signature)", apply(assertionOnly, postSign(func(d *etree.Document) {
			sig := d.FindElement(pAssertion + "/ds:Signature")
			sig.RemoveChild(sig.SelectElement("ds:KeyInfo"))
		})), accept()),
		pc("RSA-SHA1", apply(func(s *respSpec) { s.SignatureMethod = wire.AlgRSASHA1 }), accept(), reject(ReasonSignatureAlgorithm, msgSigFailed)),
		pc("exclusive c14n WithComments", apply(func(s *respSpec) { s.C14NWithComments = true }), accept(), reject(ReasonSignatureAlgorithm, msgSigFailed)),
		pc("SHA-1 digest with RSA-SHA256", apply(assertionOnly, postSign(func(d *etree.Document) {
			d.FindElement(pAssertion+"/ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestMethod").CreateAttr("Algorithm", wire.AlgDigestSHA1)
		})), reject(ReasonSignatureInvalid, msgSigFailed), reject(ReasonSignatureAlgorithm, msgSigFailed)),
		pcBoth("RSA-SHA512", apply(func(s *respSpec) { s.SignatureMethod = wire.AlgRSASHA512 }), accept()),

		// Signature shape (SAML signature profile, both profiles).
		pcBoth("assertion signature references the Response", apply(postSign(func(d *etree.Document) {
			d.FindElement(pAssertion+"/ds:Signature/ds:SignedInfo/ds:Reference").CreateAttr("URI", "#id33636846145521866212934273")
		})), reject(ReasonSignatureShape, msgSigFailed)),
		pcBoth("assertion signature Reference URI empty", apply(assertionOnly, postSign(func(d *etree.Document) {
			d.FindElement(pAssertion+"/ds:Signature/ds:SignedInfo/ds:Reference").CreateAttr("URI", "")
		})), reject(ReasonSignatureShape, msgSigFailed)),
		pcBoth("Reference URI without '#' (goxmldsig quirk)", apply(assertionOnly, postSign(func(d *etree.Document) {
			d.FindElement(pAssertion+"/ds:Signature/ds:SignedInfo/ds:Reference").CreateAttr("URI", "xid3363684614568890991368194")
		})), reject(ReasonSignatureShape, msgSigFailed)),
		pcBoth("second Reference", apply(assertionOnly, postSign(func(d *etree.Document) {
			si := d.FindElement(pAssertion + "/ds:Signature/ds:SignedInfo")
			si.AddChild(si.SelectElement("ds:Reference").Copy())
		})), reject(ReasonSignatureShape, msgSigFailed)),
		pcBoth("second SignedInfo", apply(assertionOnly, postSign(func(d *etree.Document) {
			sig := d.FindElement(pAssertion + "/ds:Signature")
			sig.InsertChildAt(1, sig.SelectElement("ds:SignedInfo").Copy())
		})), reject(ReasonSignatureShape, msgSigFailed)),
		pcBoth("XSLT transform", apply(assertionOnly, postSign(func(d *etree.Document) {
			tr := d.FindElement(pAssertion + "/ds:Signature/ds:SignedInfo/ds:Reference/ds:Transforms")
			x := tr.CreateElement("ds:Transform")
			x.CreateAttr("Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116")
		})), reject(ReasonSignatureShape, msgSigFailed)),
		pcBoth("decoy second signature in the Response", apply(postSign(func(d *etree.Document) {
			r := d.Root()
			decoy := r.SelectElement("ds:Signature").Copy()
			r.InsertChildAt(r.SelectElement("ds:Signature").Index()+1, decoy)
		})), reject(ReasonSignatureShape, msgSigFailed)),
		pc("assertion signature placed last", apply(assertionOnly, postSign(func(d *etree.Document) {
			a := d.FindElement(pAssertion)
			sig := a.SelectElement("ds:Signature")
			a.RemoveChild(sig)
			a.AddChild(sig)
		})), accept(), reject(ReasonSignatureShape, msgSigFailed)),
		pcBoth("assertion signature moved up to the Response", apply(assertionOnly, postSign(func(d *etree.Document) {
			a := d.FindElement(pAssertion)
			sig := a.SelectElement("ds:Signature")
			a.RemoveChild(sig)
			d.Root().InsertChildAt(1, sig)
		})), reject(ReasonSignatureShape, msgSigFailed)),

		// Status, destination, issuer, audience.
		pcBoth("status Responder", apply(func(s *respSpec) { s.Status = wire.StatusResponder }),
			reject(ReasonStatusNotSuccess, "INVALID_IDP_RESPONSE : SAMLResponse status code not SUCCESS, instead it is: urn:oasis:names:tc:SAML:2.0:status:Responder")),
		pcBoth("destination mismatch", apply(func(s *respSpec) { s.Destination = "https://other-sp.example/__/auth/handler" }),
			reject(ReasonDestinationMismatch, "INVALID_IDP_RESPONSE : SAMLResponse destination https://other-sp.example/__/auth/handler does not match RP callback URL "+callback+".")),
		pc("destination missing on a signed Response", apply(func(s *respSpec) { s.Destination = "-" }),
			accept(), reject(ReasonDestinationMismatch, "INVALID_IDP_RESPONSE : SAMLResponse destination null does not match RP callback URL "+callback+".")),
		pcBoth("destination missing, Response unsigned", apply(assertionOnly, func(s *respSpec) { s.Destination = "-" }), accept()),
		pcBoth("issuer mismatch (both)", apply(func(s *respSpec) { s.Issuer = "http://www.okta.com/exkAttacker000000000" }), reject(ReasonResponseIssuer, msgRespIssuer)),
		pcBoth("assertion issuer mismatch", apply(preSign(func(d *etree.Document) {
			d.FindElement(pAssertion + "/saml2:Issuer").SetText("http://www.okta.com/exkAttacker000000000")
		})), reject(ReasonIssuerMismatch, "INVALID_IDP_RESPONSE : Assertion has Issuer http://www.okta.com/exkAttacker000000000 which is different from expected Issuer "+testIdPEntity+".")),
		pc("response issuer removed", apply(preSign(func(d *etree.Document) { d.Root().RemoveChild(d.FindElement(pResponse + "/saml2:Issuer")) })),
			accept(), reject(ReasonResponseIssuer, msgRespIssuer)),
		pc("assertion issuer Format unspecified", apply(preSign(setAttr(nil, pAssertion+"/saml2:Issuer", "Format", wire.NameIDUnspecified))),
			accept(), reject(ReasonIssuerMismatch, "INVALID_IDP_RESPONSE : Assertion has Issuer "+testIdPEntity+" which is different from expected Issuer "+testIdPEntity+".")),
		pcBoth("audience mismatch", apply(func(s *respSpec) { s.Audience = "https://other-sp.example" }), reject(ReasonAudienceMismatch, msgAudience)),
		pcBoth("second AudienceRestriction without the SP", apply(preSign(func(d *etree.Document) {
			c := d.FindElement(pConds)
			ar := c.CreateElement("saml2:AudienceRestriction")
			ar.CreateElement("saml2:Audience").SetText("https://other-sp.example")
		})), reject(ReasonAudienceMismatch, msgAudience)),
		pcBoth("audience listed among others", apply(preSign(func(d *etree.Document) {
			ar := d.FindElement(pConds + "/saml2:AudienceRestriction")
			ar.InsertChildAt(0, parseXML(nil, `<saml2:Audience xmlns:saml2="`+wire.NSAssertion+`">https://other-sp.example</saml2:Audience>`))
		})), accept()),
		pc("conditions removed", apply(preSign(func(d *etree.Document) { d.FindElement(pAssertion).RemoveChild(d.FindElement(pConds)) })),
			accept(), reject(ReasonAudienceMismatch, msgAudience)),
		pc("unknown condition", apply(preSign(func(d *etree.Document) {
			d.FindElement(pConds).CreateElement("saml2:ProxyRestriction").CreateAttr("Count", "1")
		})), accept(), reject(ReasonConditionUnsupported, msgBare)),
		pcBoth("OneTimeUse condition", apply(preSign(func(d *etree.Document) { d.FindElement(pConds).CreateElement("saml2:OneTimeUse") })), accept()),

		// Time: exact bounds, messages with milliseconds.
		pcBoth("NotBefore 1 ms ahead", apply(func(s *respSpec) { s.NotBefore = testNow.Add(time.Millisecond) }),
			reject(ReasonNotYetValid, "INVALID_IDP_RESPONSE : Current instant, 2026-08-29T12:01:00.000Z, is before NotBefore attribute, 2026-08-29T12:01:00.001Z")),
		pcBoth("NotBefore now (inclusive)", apply(func(s *respSpec) { s.NotBefore = testNow }), accept()),
		pcBoth("NotOnOrAfter now (exclusive)", apply(func(s *respSpec) { s.NotOnOrAfter = testNow }),
			reject(ReasonExpired, "INVALID_IDP_RESPONSE : Current instant, 2026-08-29T12:01:00.000Z, is on or after NotOnOrAfter attribute, 2026-08-29T12:01:00.000Z")),
		pcBoth("NotOnOrAfter 1 ms left", apply(func(s *respSpec) { s.NotOnOrAfter = testNow.Add(time.Millisecond) }), accept()),
		pcBoth("SubjectConfirmationData expired", apply(func(s *respSpec) { s.SCDNotOnOrAfter = testNow.Add(-time.Second) }),
			reject(ReasonExpired, "INVALID_IDP_RESPONSE : Current instant, 2026-08-29T12:01:00.000Z, is on or after NotOnOrAfter attribute, 2026-08-29T12:00:59.000Z")),
		pcBoth("times with a +00:00 offset", apply(preSign(func(d *etree.Document) {
			d.FindElement(pConds).CreateAttr("NotOnOrAfter", "2026-08-29T12:06:00+00:00")
		})), accept()),
		pcBoth("NotBefore not a time", apply(preSign(setAttr(nil, pConds, "NotBefore", "not-a-time"))), reject(ReasonResponseMalformed, msgBare)),

		// Subject confirmation and InResponseTo.
		pc("recipient mismatch", apply(func(s *respSpec) { s.Recipient = "https://other-sp.example/__/auth/handler" }),
			accept(), reject(ReasonRecipientMismatch, "INVALID_IDP_RESPONSE : SubjectConfirmationData Recipient https://other-sp.example/__/auth/handler does not match RP callback URL "+callback+".")),
		pc("holder-of-key confirmation only", apply(preSign(setAttr(nil, pSubject+"/saml2:SubjectConfirmation", "Method", "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"))),
			accept(), reject(ReasonSubjectConfirmation, "INVALID_IDP_RESPONSE : Assertion has no bearer SubjectConfirmation.")),
		pc("SubjectConfirmation removed", apply(preSign(func(d *etree.Document) {
			s := d.FindElement(pSubject)
			s.RemoveChild(s.SelectElement("saml2:SubjectConfirmation"))
		})), reject(ReasonInResponseToMissing, msgIRTMissing), reject(ReasonSubjectConfirmation, "INVALID_IDP_RESPONSE : Assertion has no bearer SubjectConfirmation.")),
		pc("SCD with NotBefore", apply(preSign(setAttr(nil, pSCD, "NotBefore", "2026-08-29T11:56:00.000Z"))),
			accept(), reject(ReasonSubjectConfirmation, "INVALID_IDP_RESPONSE : SubjectConfirmationData must not carry NotBefore.")),
		pcBoth("InResponseTo missing on the Response", apply(preSign(func(d *etree.Document) { d.Root().RemoveAttr("InResponseTo") })), reject(ReasonInResponseToMissing, msgIRTMissing)),
		pcBoth("InResponseTo missing everywhere (unsolicited)", apply(func(s *respSpec) { s.InResponseTo = "-" }), reject(ReasonInResponseToMissing, msgIRTMissing)),
		pcBoth("InResponseTo of another request", apply(func(s *respSpec) { s.InResponseTo = "_0123456789abcdef0123456789abcdef" }), reject(ReasonInResponseToMismatch, msgIRTMismatch)),
		pcBoth("SCD InResponseTo differs", apply(preSign(setAttr(nil, pSCD, "InResponseTo", "_0123456789abcdef0123456789abcdef"))), reject(ReasonInResponseToMismatch, msgIRTMismatch)),

		// Subject and NameID.
		pcBoth("Subject removed", apply(preSign(func(d *etree.Document) { d.FindElement(pAssertion).RemoveChild(d.FindElement(pSubject)) })), reject(ReasonNameIDMissing, msgNameIDMissing)),
		pcBoth("NameID removed", apply(preSign(func(d *etree.Document) { d.FindElement(pSubject).RemoveChild(d.FindElement(pNameID)) })), reject(ReasonNameIDMissing, msgNameIDMissing)),
		pcBoth("NameID empty", apply(preSign(func(d *etree.Document) { d.FindElement(pNameID).SetText("  ") })), reject(ReasonNameIDMissing, msgNameIDMissing)),
		{name: "comment splitting the NameID never truncates it", edit: apply(func(s *respSpec) { s.NameID = "alice@acme.test.evil.test" }, postSign(func(d *etree.Document) {
			n := d.FindElement(pNameID)
			n.SetText("alice@acme.test")
			n.CreateComment("")
			n.CreateText(".evil.test")
		})), ip: outcome{NameID: "alice@acme.test.evil.test"}, strict: outcome{NameID: "alice@acme.test.evil.test"}},

		// Structure.
		pcBoth("Assertion missing", apply(responseOnly, preSign(func(d *etree.Document) { d.Root().RemoveChild(d.FindElement(pAssertion)) })), reject(ReasonAssertionMissing, msgAsnMissing)),
		pcBoth("EncryptedAssertion", apply(responseOnly, preSign(func(d *etree.Document) {
			d.Root().RemoveChild(d.FindElement(pAssertion))
			d.Root().AddChild(parseXML(nil, `<saml2:EncryptedAssertion xmlns:saml2="`+wire.NSAssertion+`"><xenc:EncryptedData xmlns:xenc="`+wire.NSXMLEnc+`" Type="http://www.w3.org/2001/04/xmlenc#Element"/></saml2:EncryptedAssertion>`))
		})), reject(ReasonEncryptedAssertion, msgBare)),
		pcBoth("Version 1.1", apply(preSign(setAttr(nil, pResponse, "Version", "1.1"))), reject(ReasonVersionInvalid, msgBare)),
		pcBoth("Response without ID", apply(assertionOnly, preSign(func(d *etree.Document) { d.Root().RemoveAttr("ID") })), reject(ReasonStructure, msgBare)),
		pcBoth("second root element", apply(postSign(func(d *etree.Document) {
			d.AddChild(forgedCopy(d, "_evil"))
		})), reject(ReasonStructure, msgBare)),
		pcBoth("forged NameID before the root", apply(postSign(func(d *etree.Document) {
			d.InsertChildAt(1, parseXML(nil, `<saml2:NameID xmlns:saml2="`+wire.NSAssertion+`">`+forgedEmail+`</saml2:NameID>`))
		})), reject(ReasonStructure, msgBare)),
		pcBoth("two Assertions under a signed Response, none signed", apply(responseOnly, preSign(func(d *etree.Document) {
			d.Root().AddChild(forgedCopy(d, "_second"))
		})), reject(ReasonStructure, msgBare)),

		// Wrapping (attack catalogue §2): never the forged identity.
		pc("XSW3: forged unsigned Assertion before the signed one", apply(assertionOnly, postSign(func(d *etree.Document) {
			d.Root().InsertChildAt(d.FindElement(pAssertion).Index(), forgedCopy(d, "_evil_assertion_ID"))
		})), accept(), reject(ReasonStructure, msgBare)),
		pc("unsigned sibling after the signed Assertion", apply(assertionOnly, postSign(func(d *etree.Document) {
			d.Root().AddChild(forgedCopy(d, "id3363684614568890991368194_attack"))
		})), accept(), reject(ReasonStructure, msgBare)),
		pcBoth("duplicate ID: forged sibling with the signed Assertion's ID", apply(assertionOnly, postSign(func(d *etree.Document) {
			d.Root().InsertChildAt(d.FindElement(pAssertion).Index(), forgedCopy(d, "id3363684614568890991368194"))
		})), reject(ReasonStructure, msgBare)),
		pc("XSW7: forged copy with the same ID in an un-namespaced Extensions", apply(assertionOnly, postSign(func(d *etree.Document) {
			ext := etree.NewElement("Extensions")
			ext.AddChild(forgedCopy(d, "id3363684614568890991368194"))
			d.Root().InsertChildAt(d.FindElement(pAssertion).Index(), ext)
		})), accept(), reject(ReasonStructure, msgBare)),
		pc("forged Assertion in samlp:Extensions", apply(assertionOnly, postSign(func(d *etree.Document) {
			ext := parseXML(nil, `<saml2p:Extensions xmlns:saml2p="`+wire.NSProtocol+`"/>`)
			ext.AddChild(forgedCopy(d, "_evil_assertion_ID"))
			d.Root().InsertChildAt(d.FindElement(pResponse+"/saml2p:Status").Index(), ext)
		})), accept(), reject(ReasonStructure, msgBare)),
		pc("XSW4: signed Assertion nested in a forged one", apply(assertionOnly, postSign(func(d *etree.Document) {
			orig := d.FindElement(pAssertion)
			evil := forgedCopy(d, "_evil_assertion_ID")
			d.Root().RemoveChild(orig)
			evil.AddChild(orig)
			d.Root().AddChild(evil)
		})), reject(ReasonSignatureMissing, msgSigMissing), reject(ReasonStructure, msgBare)),
		pc("XSW5: original forged in place, clean unsigned copy appended", apply(assertionOnly, postSign(func(d *etree.Document) {
			orig := d.FindElement(pAssertion)
			clean := orig.Copy()
			clean.RemoveChild(clean.SelectElement("ds:Signature"))
			orig.CreateAttr("ID", "_evil_assertion_ID")
			orig.FindElement("saml2:Subject/saml2:NameID").SetText(forgedEmail)
			d.Root().AddChild(clean)
		})), reject(ReasonSignatureShape, msgSigFailed), reject(ReasonStructure, msgBare)),
		pc("XSW8: forged in place, clean copy in a ds:Object", apply(assertionOnly, postSign(func(d *etree.Document) {
			orig := d.FindElement(pAssertion)
			clean := orig.Copy()
			clean.RemoveChild(clean.SelectElement("ds:Signature"))
			obj := orig.SelectElement("ds:Signature").CreateElement("ds:Object")
			obj.AddChild(clean)
			orig.FindElement("saml2:Subject/saml2:NameID").SetText(forgedEmail)
		})), reject(ReasonSignatureInvalid, msgSigFailed), reject(ReasonStructure, msgBare)),
		pcBoth("forged Assertion in another namespace before the signed one", apply(assertionOnly, postSign(func(d *etree.Document) {
			evil := forgedCopy(d, "_evil_assertion_ID")
			evil.CreateAttr("xmlns:saml2", "urn:samlharness:not-saml")
			d.Root().InsertChildAt(d.FindElement(pAssertion).Index(), evil)
		})), accept()),
		pcBoth("forged Assertion inside the signed Assertion's Advice", apply(preSign(func(d *etree.Document) {
			a := d.FindElement(pAssertion)
			adv := etree.NewElement("saml2:Advice")
			adv.AddChild(forgedCopy(d, "_advice"))
			a.InsertChildAt(d.FindElement(pConds).Index()+1, adv)
		})), accept()),
		pcBoth("forged NameID in StatusDetail", apply(assertionOnly, postSign(func(d *etree.Document) {
			st := d.FindElement(pResponse + "/saml2p:Status")
			st.AddChild(parseXML(nil, `<saml2p:StatusDetail xmlns:saml2p="`+wire.NSProtocol+`"><saml2:NameID xmlns:saml2="`+wire.NSAssertion+`">`+forgedEmail+`</saml2:NameID></saml2p:StatusDetail>`))
		})), accept()),
		pcBoth("signed error Response with a forged Assertion appended", apply(responseOnly,
			func(s *respSpec) { s.Status = wire.StatusResponder },
			preSign(func(d *etree.Document) { d.Root().RemoveChild(d.FindElement(pAssertion)) }),
			postSign(func(d *etree.Document) {
				d.Root().AddChild(parseXML(nil, `<saml2:Assertion xmlns:saml2="`+wire.NSAssertion+`" ID="_evil" Version="2.0"><saml2:Issuer>`+testIdPEntity+`</saml2:Issuer><saml2:Subject><saml2:NameID>`+forgedEmail+`</saml2:NameID></saml2:Subject></saml2:Assertion>`))
			})), reject(ReasonSignatureInvalid, msgSigFailed)),
	}
}

func TestSignInWithIdpPipeline(t *testing.T) {
	t.Parallel()
	for _, tc := range pipelineCases() {
		for _, profile := range AllProfiles() {
			want := tc.ip
			if profile == ProfileStrict {
				want = tc.strict
			}
			t.Run(profile.String()+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				var opts []envOption
				if tc.opts != nil {
					opts = tc.opts(t)
				}
				e := newEnv(t, profile, opts...)
				got, apiErr := e.signIn(func(s *respSpec) {
					if tc.edit != nil {
						tc.edit(t, s)
					}
				})
				checkOutcome(t, want, got, apiErr)
			})
		}
	}
}

func checkOutcome(t *testing.T, want outcome, got *SignInWithIdpResponse, apiErr *APIError) {
	t.Helper()
	if want.Reason == "" {
		if apiErr != nil {
			t.Fatalf("want a sign-in, got %v", apiErr)
		}
		wantID := want.NameID
		if wantID == "" {
			wantID = testEmail
		}
		if got.NameID != wantID || got.FederatedID != "saml.workspace-ws1/"+wantID {
			t.Fatalf("signed in %q (federatedId %q), want %q", got.NameID, got.FederatedID, wantID)
		}
		return
	}
	if apiErr == nil {
		t.Fatalf("want %s, got a sign-in as %q", want.Reason, got.NameID)
	}
	if apiErr.Reason != want.Reason {
		t.Fatalf("reason %s, want %s (%s)", apiErr.Reason, want.Reason, apiErr.Error())
	}
	if want.Msg != "" && apiErr.Message() != want.Msg {
		t.Fatalf("message\n got %q\nwant %q", apiErr.Message(), want.Msg)
	}
	if apiErr.HTTPStatus != 400 {
		t.Fatalf("HTTP status %d, want 400", apiErr.HTTPStatus)
	}
	if !errors.Is(apiErr, want.Reason) {
		t.Fatalf("errors.Is(err, %s) is false", want.Reason)
	}
	if strings.TrimSpace(apiErr.ReasonDetail) == "" {
		t.Fatalf("%s has no harness detail", apiErr.Reason)
	}
}
