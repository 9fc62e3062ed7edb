package scenario

import "github.com/samlharness/samlharness/sp"

// Comment, CDATA and canonicalization injection (attack catalogue §3, the
// 2018 CVE family: CVE-2017-11427/11428/11429/11430, CVE-2018-0489,
// CVE-2018-5387, CVE-2018-7340). Exclusive C14N drops comments, so a comment
// added after signing leaves the signature valid; an SP that reads only the
// first text node sees a different identity.
//
// The IdP signs "alice@acme.test.evil.test" (an address the attacker could
// own); the comment splits it after "alice@acme.test". A correct SP reads the
// whole text and refuses the domain; a vulnerable one signs alice in.

const refC14N = "xml-exc-c14n §3 (comments removed)"

func init() {
	evil := F("set-nameid", "value", "alice@acme.test.evil.test")
	inj := func(id, title string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatInjection, Tags: []string{"attack:comment-injection", "area:subject"},
			Refs: []string{refC14N, "CVE-2017-11427", "CVE-2018-0489"}, IdP: IdPSide{Faults: f}, Expect: e}
	}
	refused := Both(Rejects(sp.ReasonDomainNotAllowed))
	add(
		inj("comment-in-nameid-after-signing", "Comment splitting the signed NameID after the real domain", refused,
			evil, F("comment-in-nameid", "at", "after:alice@acme.test")).Covering("nameid-comment-truncation", "signedxml-raw-vs-canonical"),
		inj("comment-in-nameid-assertion-only-signed", "Comment split NameID when only the Assertion is signed", refused,
			F("unsigned", "what", "response"), evil, F("comment-in-nameid", "at", "after:alice@acme.test")).Covering("nameid-comment-truncation"),
		inj("cdata-in-nameid-after-signing", "CDATA section splitting the signed NameID", refused,
			evil, F("cdata-in-nameid", "at", "after:alice@acme.test")).Covering("nameid-cdata-split"),
		inj("comment-in-nameid-harmless", "A comment inside an otherwise genuine NameID", Both(Accepts()),
			F("comment-in-nameid", "at", "@")).Covering("nameid-comment-truncation"),
		inj("comment-in-audience", "A comment inside the Audience", Both(Accepts()),
			F("comment-in-text", "path", "Response/Assertion/Conditions/AudienceRestriction/Audience", "at", "after:http://")).Covering("signedxml-raw-vs-canonical"),
		inj("comment-in-issuer", "A comment inside the Assertion's Issuer", Both(Accepts()),
			F("comment-in-text", "path", "Response/Assertion/Issuer", "at", "after:http://")).Covering("signedxml-raw-vs-canonical"),
		inj("nameid-fullwidth-at-sign", "NameID with a fullwidth at sign (U+FF20), signed by the IdP", Both(Rejects(sp.ReasonNameIDNotEmail)),
			F("unicode-in-nameid-before-sign", "form", "fullwidth")).Covering("nameid-unicode-confusable"),
		inj("nameid-uppercased", "NameID in upper case (ALICE@ACME.TEST): the same user", Both(Accepts()),
			F("set-nameid", "value", "ALICE@ACME.TEST")).Covering("nameid-whitespace-and-case"),
	)
}
