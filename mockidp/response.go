package mockidp

import (
	"time"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// responseWindow is Okta's assertion validity window on each side of
// IssueInstant.
const responseWindow = 5 * time.Minute

// buildInput is everything the unsigned Response document depends on.
type buildInput struct {
	settings     SAMLSettings
	compiled     *compiled
	entityID     string
	user         User
	now          time.Time
	authnInstant time.Time
	requestID    string // "" for an unsolicited (IdP-initiated) response
	responseID   string
	assertionID  string
	sessionIndex string
}

func ts(t time.Time) string { return t.UTC().Format(wire.TimeLayout) }

// buildResponse builds the unsigned Response exactly as Okta shapes it: one
// line, saml2p:/saml2: prefixes, xmlns:saml2 re-declared on Issuer,
// Subject, Conditions, AuthnStatement and AttributeStatement, each
// AttributeValue typed xs:string with its own xmlns:xs and xmlns:xsi.
func buildResponse(in buildInput) *etree.Document {
	s := in.settings
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", xmlDecl)

	resp := doc.CreateElement("saml2p:Response")
	resp.CreateAttr("Destination", s.destination())
	resp.CreateAttr("ID", in.responseID)
	if in.requestID != "" {
		resp.CreateAttr("InResponseTo", in.requestID)
	}
	resp.CreateAttr("IssueInstant", ts(in.now))
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("xmlns:saml2p", wire.NSProtocol)
	if !s.encrypted() {
		// With an EncryptedAssertion, Okta's Response does not declare xs
		// (and its signature has no InclusiveNamespaces).
		resp.CreateAttr("xmlns:xs", wire.NSXS)
	}
	issuer(resp, in.entityID)

	status := resp.CreateElement("saml2p:Status")
	status.CreateAttr("xmlns:saml2p", wire.NSProtocol)
	status.CreateElement("saml2p:StatusCode").CreateAttr("Value", wire.StatusSuccess)

	as := resp.CreateElement("saml2:Assertion")
	as.CreateAttr("ID", in.assertionID)
	as.CreateAttr("IssueInstant", ts(in.now))
	as.CreateAttr("Version", "2.0")
	as.CreateAttr("xmlns:saml2", wire.NSAssertion)
	as.CreateAttr("xmlns:xs", wire.NSXS)
	issuer(as, in.entityID)

	subj := as.CreateElement("saml2:Subject")
	subj.CreateAttr("xmlns:saml2", wire.NSAssertion)
	nameID := subj.CreateElement("saml2:NameID")
	nameID.CreateAttr("Format", s.nameIDFormat().URN())
	nameID.SetText(in.compiled.username(&in.user))
	sc := subj.CreateElement("saml2:SubjectConfirmation")
	sc.CreateAttr("Method", wire.CMBearer)
	scd := sc.CreateElement("saml2:SubjectConfirmationData")
	if in.requestID != "" {
		scd.CreateAttr("InResponseTo", in.requestID)
	}
	scd.CreateAttr("NotOnOrAfter", ts(in.now.Add(responseWindow)))
	scd.CreateAttr("Recipient", s.recipient())

	cond := as.CreateElement("saml2:Conditions")
	cond.CreateAttr("NotBefore", ts(in.now.Add(-responseWindow)))
	cond.CreateAttr("NotOnOrAfter", ts(in.now.Add(responseWindow)))
	cond.CreateAttr("xmlns:saml2", wire.NSAssertion)
	cond.CreateElement("saml2:AudienceRestriction").CreateElement("saml2:Audience").SetText(s.AudienceURI)

	authn := as.CreateElement("saml2:AuthnStatement")
	authn.CreateAttr("AuthnInstant", ts(in.authnInstant))
	authn.CreateAttr("SessionIndex", in.sessionIndex)
	authn.CreateAttr("xmlns:saml2", wire.NSAssertion)
	authn.CreateElement("saml2:AuthnContext").CreateElement("saml2:AuthnContextClassRef").SetText(in.compiled.authnContext)

	if attrs := attributeStatement(in); attrs != nil {
		as.AddChild(attrs)
	}
	return doc
}

func issuer(parent *etree.Element, entityID string) {
	iss := parent.CreateElement("saml2:Issuer")
	iss.CreateAttr("Format", wire.NameIDEntity)
	iss.CreateAttr("xmlns:saml2", wire.NSAssertion)
	iss.SetText(entityID)
}

// attributeStatement returns the AttributeStatement, or nil when no
// statement yields a value (attributes with an empty value are left out,
// and so is a group statement no group matches).
func attributeStatement(in buildInput) *etree.Element {
	c := in.compiled
	if len(c.attributes) == 0 && len(c.groupAttrs) == 0 {
		return nil
	}
	st := etree.NewElement("saml2:AttributeStatement")
	st.CreateAttr("xmlns:saml2", wire.NSAssertion)
	n := 0
	for _, a := range c.attributes {
		v := a.value(&in.user)
		if v == "" {
			continue
		}
		attr := newAttribute(st, a.name, a.nameFormat)
		attributeValue(attr, v)
		n++
	}
	for _, g := range c.groupAttrs {
		var attr *etree.Element
		for _, name := range in.user.Groups {
			if !g.match(name) {
				continue
			}
			if attr == nil {
				attr = newAttribute(st, g.name, g.nameFormat)
				n++
			}
			attributeValue(attr, name)
		}
	}
	if n == 0 {
		return nil
	}
	return st
}

func newAttribute(st *etree.Element, name, format string) *etree.Element {
	attr := st.CreateElement("saml2:Attribute")
	attr.CreateAttr("Name", name)
	attr.CreateAttr("NameFormat", format)
	return attr
}

func attributeValue(attr *etree.Element, v string) {
	av := attr.CreateElement("saml2:AttributeValue")
	av.CreateAttr("xmlns:xs", wire.NSXS)
	av.CreateAttr("xmlns:xsi", wire.NSXSI)
	av.CreateAttr("xsi:type", "xs:string")
	av.SetText(v)
}

// responseAssertion returns the Response's first saml2:Assertion child.
func responseAssertion(resp *etree.Element) *etree.Element {
	for _, c := range resp.ChildElements() {
		if c.Tag == "Assertion" && c.NamespaceURI() == wire.NSAssertion {
			return c
		}
	}
	return nil
}
