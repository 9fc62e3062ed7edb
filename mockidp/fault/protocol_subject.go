package fault

// Protocol faults on the Subject and its statements: Recipient, NameID,
// SubjectConfirmation, AuthnContext, attributes, and removing a child of
// every assertion.

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

func init() {
	registerAll(
		setRecipientFault,
		setNameidFault,
		removeNameidFault,
		emptyNameidFault,
		setSubjectConfirmationMethodFault,
		addSubjectConfirmationFault,
		setAuthnContextFault,
		addAttributeFault,
		emptyAttributeStatementFault,
	)
	Register(removeChildFault("remove-subject", "remove the Assertion's Subject (subject-missing)", "Subject"))
	Register(removeChildFault("remove-subject-confirmation", "remove every SubjectConfirmation (subjectconfirmation-missing)", "Subject", "SubjectConfirmation"))
	Register(removeChildFault("remove-subject-confirmation-data", "remove every SubjectConfirmationData, keeping the bearer SubjectConfirmation (subjectconfirmationdata-missing)", "Subject", "SubjectConfirmation", "SubjectConfirmationData"))
	Register(removeChildFault("remove-conditions", "remove the Assertion's Conditions (conditions-missing)", "Conditions"))
	Register(removeChildFault("remove-authn-statement", "remove the AuthnStatement (authnstatement-missing)", "AuthnStatement"))
}

// removeChildFault is a pre-sign fault that removes, from every assertion,
// the elements at path (local names in the assertion namespace).
func removeChildFault(name, summary string, path ...string) Spec {
	return Spec{Name: name, Stage: StagePreSign, Resigns: true, Summary: summary,
		Apply: func(c *Context, f Fault) error { return removeChildren(c, path) }}
}

// removeChildren removes the elements at path from every assertion; none
// found is an error.
func removeChildren(c *Context, path []string) error {
	n := 0
	err := eachAssertion(c, func(a *etree.Element) error {
		parents := []*etree.Element{a}
		for _, local := range path[:len(path)-1] {
			var next []*etree.Element
			for _, p := range parents {
				next = append(next, children(p, wire.NSAssertion, local)...)
			}
			parents = next
		}
		for _, p := range parents {
			n += removeAll(children(p, wire.NSAssertion, path[len(path)-1]))
		}
		return nil
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("no %s to remove", strings.Join(path, "/"))
	}
	return err
}

func setRecipientFault() Spec {
	return Spec{
		Name: "set-recipient", Stage: StagePreSign, Resigns: true,
		Summary: "set or remove SubjectConfirmationData's Recipient (recipient-mismatch, recipient-missing)",
		Params: []ParamSpec{
			{Name: "value", Summary: "new Recipient; required unless remove=true"},
			{Name: "remove", Values: []string{"true", "false"}, Summary: "true removes the attribute"}},
		Apply: applySetRecipient,
	}
}

func applySetRecipient(c *Context, f Fault) error {
	var scds []*etree.Element
	if err := eachAssertion(c, func(a *etree.Element) error {
		scds = append(scds, subjectConfirmationData(a)...)
		return nil
	}); err != nil {
		return err
	}
	if len(scds) == 0 {
		return fmt.Errorf("no SubjectConfirmationData")
	}
	return setOrRemoveAttr(f, scds, "Recipient")
}

func setNameidFault() Spec {
	return Spec{
		Name: "set-nameid", Stage: StagePreSign, Resigns: true,
		Summary: "set the NameID value, Format and/or qualifiers (nameid-format-unexpected, nameid-spnamequalifier-wrong, a non-email or foreign-domain identity)",
		Params: []ParamSpec{
			{Name: "value", Summary: "new NameID value (kept when absent)"},
			{Name: "format", Summary: formatParamSummary + ", or remove"},
			{Name: "name-qualifier", Summary: "NameQualifier attribute"},
			{Name: "sp-name-qualifier", Summary: "SPNameQualifier attribute"}},
		Apply: applySetNameid,
	}
}

func applySetNameid(c *Context, f Fault) error {
	if len(f.Params) == 0 {
		return fmt.Errorf("give value, format, name-qualifier or sp-name-qualifier")
	}
	return eachAssertion(c, func(a *etree.Element) error {
		n := nameIDOf(a)
		if n == nil {
			return fmt.Errorf("the Assertion has no Subject/NameID")
		}
		if v, ok := f.Params["value"]; ok {
			setText(n, v)
		}
		if v, ok := f.Params["format"]; ok {
			if v == "remove" {
				n.RemoveAttr("Format")
			} else {
				u, err := formatURN(v)
				if err != nil {
					return err
				}
				n.CreateAttr("Format", u)
			}
		}
		if v, ok := f.Params["name-qualifier"]; ok {
			n.CreateAttr("NameQualifier", v)
		}
		if v, ok := f.Params["sp-name-qualifier"]; ok {
			n.CreateAttr("SPNameQualifier", v)
		}
		return nil
	})
}

func removeNameidFault() Spec {
	return Spec{
		Name: "remove-nameid", Stage: StagePreSign, Resigns: true,
		Summary: "remove Subject/NameID, keeping the Subject and its confirmation (nameid-missing)",
		Apply:   applyRemoveNameid,
	}
}

func applyRemoveNameid(c *Context, f Fault) error {
	return eachAssertion(c, func(a *etree.Element) error {
		if removeAll(children(child(a, wire.NSAssertion, "Subject"), wire.NSAssertion, "NameID")) == 0 {
			return fmt.Errorf("no NameID to remove")
		}
		return nil
	})
}

func emptyNameidFault() Spec {
	return Spec{
		Name: "empty-nameid", Stage: StagePreSign, Resigns: true,
		Summary: "make the NameID empty (<NameID/>) or whitespace only (nameid-empty)",
		Params: []ParamSpec{{Name: "form", Default: "empty", Values: []string{"empty", "whitespace"},
			Summary: "empty element, or a few spaces and a newline"}},
		Apply: applyEmptyNameid,
	}
}

func applyEmptyNameid(c *Context, f Fault) error {
	text := ""
	if f.Param("form", "empty") == "whitespace" {
		text = "  \n "
	}
	return eachAssertion(c, func(a *etree.Element) error {
		n := nameIDOf(a)
		if n == nil {
			return fmt.Errorf("the Assertion has no Subject/NameID")
		}
		setText(n, text)
		return nil
	})
}

func setSubjectConfirmationMethodFault() Spec {
	return Spec{
		Name: "set-subject-confirmation-method", Stage: StagePreSign, Resigns: true,
		Summary: "set the Method of every SubjectConfirmation (subjectconfirmation-method-not-bearer)",
		Params: []ParamSpec{{Name: "method", Default: "holder-of-key",
			Summary: "bearer, holder-of-key, sender-vouches or a URN"}},
		Apply: applySetSubjectConfirmationMethod,
	}
}

func applySetSubjectConfirmationMethod(c *Context, f Fault) error {
	n := 0
	err := eachAssertion(c, func(a *etree.Element) error {
		for _, sc := range children(child(a, wire.NSAssertion, "Subject"), wire.NSAssertion, "SubjectConfirmation") {
			sc.CreateAttr("Method", methodURN(f.Param("method", "")))
			n++
		}
		return nil
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("no SubjectConfirmation")
	}
	return err
}

func addSubjectConfirmationFault() Spec {
	return Spec{
		Name: "add-subject-confirmation", Stage: StagePreSign, Resigns: true,
		Summary: "add, before the existing one, a copy of the first SubjectConfirmation with another Method and/or Recipient (subjectconfirmation-multiple: one bad, one good)",
		Params: []ParamSpec{
			{Name: "method", Default: "bearer", Summary: "bearer, holder-of-key, sender-vouches or a URN"},
			{Name: "recipient", Summary: "Recipient of the copy (kept when absent)"}},
		Apply: applyAddSubjectConfirmation,
	}
}

func applyAddSubjectConfirmation(c *Context, f Fault) error {
	return eachAssertion(c, func(a *etree.Element) error {
		sc := child(child(a, wire.NSAssertion, "Subject"), wire.NSAssertion, "SubjectConfirmation")
		if sc == nil {
			return fmt.Errorf("no SubjectConfirmation to copy")
		}
		cp := detachedCopy(sc)
		cp.CreateAttr("Method", methodURN(f.Param("method", "")))
		if r, ok := f.Params["recipient"]; ok {
			for _, scd := range children(cp, wire.NSAssertion, "SubjectConfirmationData") {
				scd.CreateAttr("Recipient", r)
			}
		}
		insertBefore(sc, cp)
		return nil
	})
}

func setAuthnContextFault() Spec {
	return Spec{
		Name: "set-authn-context", Stage: StagePreSign, Resigns: true,
		Summary: "set AuthnContextClassRef (authncontext-downgrade), e.g. Password, unspecified, or a URN",
		Params: []ParamSpec{{Name: "class", Default: "Password",
			Summary: "a URN, or a short class name under urn:oasis:names:tc:SAML:2.0:ac:classes:"}},
		Apply: applySetAuthnContext,
	}
}

func applySetAuthnContext(c *Context, f Fault) error {
	v := f.Param("class", "")
	if !strings.Contains(v, ":") {
		v = acClassPrefix + v
	}
	return eachAssertion(c, func(a *etree.Element) error {
		ref := child(child(child(a, wire.NSAssertion, "AuthnStatement"), wire.NSAssertion, "AuthnContext"), wire.NSAssertion, "AuthnContextClassRef")
		if ref == nil {
			return fmt.Errorf("no AuthnStatement/AuthnContext/AuthnContextClassRef")
		}
		setText(ref, v)
		return nil
	})
}

func addAttributeFault() Spec {
	return Spec{
		Name: "add-attribute", Stage: StagePreSign, Resigns: true,
		Summary: "add an Attribute (Okta shape: xs:string AttributeValue) to the AttributeStatement, creating it if needed; a name already present makes a duplicate (attributes-duplicate, attribute-smuggling)",
		Params: []ParamSpec{
			{Name: "name", Required: true, Summary: "Attribute Name"},
			{Name: "value", Required: true, Summary: "AttributeValue text"},
			{Name: "name-format", Default: "unspecified", Summary: "unspecified, uri, basic or a URN"}},
		Apply: applyAddAttribute,
	}
}

func applyAddAttribute(c *Context, f Fault) error {
	nf := f.Param("name-format", "unspecified")
	switch nf {
	case "unspecified":
		nf = wire.AttrNameFormatUnspecified
	case "uri":
		nf = wire.AttrNameFormatURI
	case "basic":
		nf = wire.AttrNameFormatBasic
	}
	return eachAssertion(c, func(a *etree.Element) error {
		st := ensureChild(a, wire.NSAssertion, "AttributeStatement", -1)
		attr := newElement(st, wire.NSAssertion, "Attribute")
		attr.CreateAttr("Name", f.Param("name", ""))
		attr.CreateAttr("NameFormat", nf)
		st.AddChild(attr)
		v := newElement(attr, wire.NSAssertion, "AttributeValue")
		v.CreateAttr("xmlns:xs", wire.NSXS)
		v.CreateAttr("xmlns:xsi", wire.NSXSI)
		v.CreateAttr("xsi:type", "xs:string")
		v.SetText(f.Param("value", ""))
		attr.AddChild(v)
		return nil
	})
}

func emptyAttributeStatementFault() Spec {
	return Spec{
		Name: "empty-attribute-statement", Stage: StagePreSign, Resigns: true,
		Summary: "leave an AttributeStatement without any Attribute (attributestatement-empty, schema-invalid)",
		Apply:   applyEmptyAttributeStatement,
	}
}

func applyEmptyAttributeStatement(c *Context, f Fault) error {
	return eachAssertion(c, func(a *etree.Element) error {
		st := ensureChild(a, wire.NSAssertion, "AttributeStatement", -1)
		for _, ch := range st.ChildElements() {
			st.RemoveChild(ch)
		}
		return nil
	})
}
