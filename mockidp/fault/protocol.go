package fault

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Protocol faults edit the unsigned Response before the IdP signs it: the
// signature is valid, the content is wrong (saml-core / saml-profiles
// checks, catalogue §6).

const (
	statusPrefix    = "urn:oasis:names:tc:SAML:2.0:status:"
	acClassPrefix   = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
	cmHolderOfKey   = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
	cmSenderVouches = "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches"
)

// statusURN expands a short status name (Responder, AuthnFailed, …).
func statusURN(v string) string {
	if strings.Contains(v, ":") {
		return v
	}
	return statusPrefix + v
}

// nameIDFormats maps short NameID format names to URNs.
var nameIDFormats = map[string]string{
	"unspecified": wire.NameIDUnspecified,
	"email":       wire.NameIDEmailAddress,
	"x509":        wire.NameIDX509SubjectName,
	"persistent":  wire.NameIDPersistent,
	"transient":   wire.NameIDTransient,
	"entity":      wire.NameIDEntity,
}

// formatURN expands a short NameID format name; URNs pass through.
func formatURN(v string) (string, error) {
	if u, ok := nameIDFormats[v]; ok {
		return u, nil
	}
	if strings.Contains(v, ":") {
		return v, nil
	}
	return "", fmt.Errorf("format %q is not a URN or one of unspecified, email, x509, persistent, transient, entity", v)
}

// methodURN expands a short SubjectConfirmation method name.
func methodURN(v string) string {
	switch v {
	case "bearer":
		return wire.CMBearer
	case "holder-of-key":
		return cmHolderOfKey
	case "sender-vouches":
		return cmSenderVouches
	}
	return v
}

var formatParamSummary = "NameID format: a URN or unspecified, email, x509, persistent, transient, entity"

// eachAssertion runs fn on every Assertion child of the Response.
func eachAssertion(c *Context, fn func(a *etree.Element) error) error {
	as, err := assertions(c)
	if err != nil {
		return err
	}
	for _, a := range as {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// ensureChild returns parent's child {ns}local, creating it at index idx
// (or last when idx < 0) when absent.
func ensureChild(parent *etree.Element, ns, local string, idx int) *etree.Element {
	if el := child(parent, ns, local); el != nil {
		return el
	}
	el := newElement(parent, ns, local)
	if idx < 0 {
		parent.AddChild(el)
	} else {
		parent.InsertChildAt(idx, el)
	}
	return el
}

// removeAll removes the given elements from their parents and reports how
// many there were.
func removeAll(els []*etree.Element) int {
	for _, el := range els {
		if p := el.Parent(); p != nil {
			p.RemoveChild(el)
		}
	}
	return len(els)
}

// presignTargets returns the Response and/or the Assertions named by which.
func presignTargets(c *Context, which string) ([]*etree.Element, error) {
	resp, err := response(c)
	if err != nil {
		return nil, err
	}
	wantResp, wantAssertion, err := whichTargets(which)
	if err != nil {
		return nil, err
	}
	var out []*etree.Element
	if wantResp {
		out = append(out, resp)
	}
	if wantAssertion {
		as, err := assertions(c)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

// signNow signs el with the IdP's current plan (the plan as settings left it:
// sign-stage faults have not run yet).
func signNow(c *Context, el *etree.Element) error {
	if c.Signer == nil || c.Plan == nil {
		return fmt.Errorf("signing the extra assertion needs Context.Signer and Context.Plan")
	}
	return c.Signer.SignElement(el, *c.Plan)
}

// signedParam decides whether an extra assertion is signed: auto follows
// the plan's SignAssertion.
func signedParam(c *Context, f Fault) (bool, error) {
	switch f.Param("signed", "auto") {
	case "auto":
		return c.Plan != nil && c.Plan.SignAssertion, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("signed must be auto, true or false")
}

var signedExtraParam = ParamSpec{Name: "signed", Default: "auto", Values: []string{"auto", "true", "false"},
	Summary: "sign the extra assertion now with the IdP's settings plan (auto: when assertions are signed)"}

var forgeParam = ParamSpec{Name: "forge", Default: "true", Values: []string{"true", "false"},
	Summary: "forge the copy's identity (true) or keep it identical (false)"}

// extraAssertion builds a copy of the first Assertion for duplicate-assertion
// and add-advice-assertion.
func extraAssertion(c *Context, f Fault, idSuffix string) (*etree.Element, error) {
	a, err := firstAssertion(c)
	if err != nil {
		return nil, err
	}
	cp := withoutSignature(a)
	forgeIt, err := boolParam(f, "forge", true)
	if err != nil {
		return nil, err
	}
	if forgeIt {
		orig := nameIDOf(a).Text()
		forge(cp, orig, forgedIdentity(f, orig))
	}
	switch id := f.Param("id", ""); id {
	case "":
		cp.CreateAttr("ID", a.SelectAttrValue("ID", "")+idSuffix)
	case "same":
	default:
		cp.CreateAttr("ID", id)
	}
	return cp, nil
}

func init() {
	registerAll(
		setStatusFault,
		removeStatusFault,
		setVersionFault,
		setDestinationFault,
		setRecipientFault,
		setAudienceFault,
		addAudienceFault,
		addAudienceRestrictionFault,
		removeAudienceRestrictionFault,
		setIssuerFault,
		removeIssuerFault,
		removeInResponseToFault,
		setInResponseToFault,
		setNameidFault,
		removeNameidFault,
		emptyNameidFault,
		setSubjectConfirmationMethodFault,
		addSubjectConfirmationFault,
		addConditionFault,
		setAuthnContextFault,
		removeAssertionFault,
		duplicateAssertionFault,
		addAdviceAssertionFault,
		setIdsFault,
		removeIdFault,
		addAttributeFault,
		emptyAttributeStatementFault,
	)
	Register(removeChildFault("remove-subject", "remove the Assertion's Subject (subject-missing)", "Subject"))
	Register(removeChildFault("remove-subject-confirmation", "remove every SubjectConfirmation (subjectconfirmation-missing)", "Subject", "SubjectConfirmation"))
	Register(removeChildFault("remove-subject-confirmation-data", "remove every SubjectConfirmationData, keeping the bearer SubjectConfirmation (subjectconfirmationdata-missing)", "Subject", "SubjectConfirmation", "SubjectConfirmationData"))
	Register(removeChildFault("remove-conditions", "remove the Assertion's Conditions (conditions-missing)", "Conditions"))
	Register(removeChildFault("remove-authn-statement", "remove the AuthnStatement (authnstatement-missing)", "AuthnStatement"))
}

// whereParam chooses which InResponseTo attributes a fault edits.
var whereParam = ParamSpec{Name: "where", Default: "both", Values: []string{"response", "scd", "both"},
	Summary: "the Response's InResponseTo, SubjectConfirmationData's, or both"}

// inResponseTo lists the elements whose InResponseTo where names.
func inResponseTo(c *Context, where string) ([]*etree.Element, error) {
	resp, err := response(c)
	if err != nil {
		return nil, err
	}
	var els []*etree.Element
	if where == "response" || where == "both" {
		els = append(els, resp)
	}
	if where == "scd" || where == "both" {
		for _, a := range children(resp, wire.NSAssertion, "Assertion") {
			els = append(els, subjectConfirmationData(a)...)
		}
	}
	return els, nil
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

func setStatusFault() Spec {
	return Spec{
		Name: "set-status", Stage: StagePreSign, Resigns: true,
		Summary: "set the top-level StatusCode (and optionally a nested second-level StatusCode and a StatusMessage)",
		Params: []ParamSpec{
			{Name: "code", Default: "Responder", Summary: "status URN or short name: Success, Requester, Responder, VersionMismatch"},
			{Name: "subcode", Summary: "nested status URN or short name, e.g. AuthnFailed, RequestDenied, NoPassive"},
			{Name: "message", Summary: "StatusMessage text"}},
		Apply: applySetStatus,
	}
}

func applySetStatus(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	status := child(resp, wire.NSProtocol, "Status")
	if status == nil {
		status = newElement(resp, wire.NSProtocol, "Status")
		if a := child(resp, wire.NSAssertion, "Assertion"); a != nil {
			insertBefore(a, status)
		} else {
			resp.AddChild(status)
		}
	}
	for _, ch := range status.ChildElements() {
		status.RemoveChild(ch)
	}
	code := newElement(status, wire.NSProtocol, "StatusCode")
	code.CreateAttr("Value", statusURN(f.Param("code", "")))
	status.AddChild(code)
	if sub := f.Param("subcode", ""); sub != "" {
		sc := newElement(code, wire.NSProtocol, "StatusCode")
		sc.CreateAttr("Value", statusURN(sub))
		code.AddChild(sc)
	}
	if msg := f.Param("message", ""); msg != "" {
		m := newElement(status, wire.NSProtocol, "StatusMessage")
		m.SetText(msg)
		status.AddChild(m)
	}
	return nil
}

func removeStatusFault() Spec {
	return Spec{
		Name: "remove-status", Stage: StagePreSign, Resigns: true,
		Summary: "remove the Response's Status element (status-missing)",
		Apply:   applyRemoveStatus,
	}
}

func applyRemoveStatus(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	if removeAll(children(resp, wire.NSProtocol, "Status")) == 0 {
		return fmt.Errorf("the Response has no Status")
	}
	return nil
}

func setVersionFault() Spec {
	return Spec{
		Name: "set-version", Stage: StagePreSign, Resigns: true,
		Summary: "set the Version attribute (version-not-2-0)",
		Params: []ParamSpec{
			{Name: "value", Default: "1.1", Summary: "Version value"},
			whichParam("both")},
		Apply: applySetVersion,
	}
}

func applySetVersion(c *Context, f Fault) error {
	els, err := presignTargets(c, f.Param("which", "both"))
	if err != nil {
		return err
	}
	for _, el := range els {
		el.CreateAttr("Version", f.Param("value", ""))
	}
	return nil
}

func setDestinationFault() Spec {
	return Spec{
		Name: "set-destination", Stage: StagePreSign, Resigns: true,
		Summary: "set or remove the Response's Destination (destination-mismatch, destination-missing-signed)",
		Params: []ParamSpec{
			{Name: "value", Summary: "new Destination; required unless remove=true"},
			{Name: "remove", Values: []string{"true", "false"}, Summary: "true removes the attribute"}},
		Apply: applySetDestination,
	}
}

func applySetDestination(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	return setOrRemoveAttr(f, []*etree.Element{resp}, "Destination")
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

func setAudienceFault() Spec {
	return Spec{
		Name: "set-audience", Stage: StagePreSign, Resigns: true,
		Summary: "replace every Audience value with value (audience-mismatch)",
		Params:  []ParamSpec{{Name: "value", Required: true, Summary: "the Audience URI to assert"}},
		Apply:   applySetAudience,
	}
}

func applySetAudience(c *Context, f Fault) error {
	n := 0
	err := eachAssertion(c, func(a *etree.Element) error {
		for _, ar := range children(child(a, wire.NSAssertion, "Conditions"), wire.NSAssertion, "AudienceRestriction") {
			for _, au := range children(ar, wire.NSAssertion, "Audience") {
				setText(au, f.Param("value", ""))
				n++
			}
		}
		return nil
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("no Audience to replace")
	}
	return err
}

func addAudienceFault() Spec {
	return Spec{
		Name: "add-audience", Stage: StagePreSign, Resigns: true,
		Summary: "add an Audience to the first AudienceRestriction (audiences within one restriction are ORed: audience-or-within-restriction)",
		Params: []ParamSpec{
			{Name: "value", Required: true, Summary: "the extra Audience URI"},
			{Name: "position", Default: "first", Values: []string{"first", "last"}, Summary: "before or after the existing Audience"}},
		Apply: applyAddAudience,
	}
}

func applyAddAudience(c *Context, f Fault) error {
	return eachAssertion(c, func(a *etree.Element) error {
		ar := child(child(a, wire.NSAssertion, "Conditions"), wire.NSAssertion, "AudienceRestriction")
		if ar == nil {
			return fmt.Errorf("no AudienceRestriction")
		}
		au := newElement(ar, wire.NSAssertion, "Audience")
		au.SetText(f.Param("value", ""))
		if f.Param("position", "first") == "first" {
			ar.InsertChildAt(0, au)
		} else {
			ar.AddChild(au)
		}
		return nil
	})
}

func addAudienceRestrictionFault() Spec {
	return Spec{
		Name: "add-audience-restriction", Stage: StagePreSign, Resigns: true,
		Summary: "append a second AudienceRestriction holding only value (restrictions are ANDed: audience-multiple-restrictions-and)",
		Params:  []ParamSpec{{Name: "value", Required: true, Summary: "the Audience of the extra restriction"}},
		Apply:   applyAddAudienceRestriction,
	}
}

func applyAddAudienceRestriction(c *Context, f Fault) error {
	return eachAssertion(c, func(a *etree.Element) error {
		cond := child(a, wire.NSAssertion, "Conditions")
		if cond == nil {
			return fmt.Errorf("no Conditions")
		}
		ar := newElement(cond, wire.NSAssertion, "AudienceRestriction")
		au := newElement(ar, wire.NSAssertion, "Audience")
		au.SetText(f.Param("value", ""))
		ar.AddChild(au)
		if last := children(cond, wire.NSAssertion, "AudienceRestriction"); len(last) > 0 {
			insertAfter(last[len(last)-1], ar)
		} else {
			cond.InsertChildAt(0, ar)
		}
		return nil
	})
}

func removeAudienceRestrictionFault() Spec {
	return Spec{
		Name: "remove-audience-restriction", Stage: StagePreSign, Resigns: true,
		Summary: "remove every AudienceRestriction (audience-missing)",
		Apply:   applyRemoveAudienceRestriction,
	}
}

func applyRemoveAudienceRestriction(c *Context, f Fault) error {
	n := 0
	err := eachAssertion(c, func(a *etree.Element) error {
		n += removeAll(children(child(a, wire.NSAssertion, "Conditions"), wire.NSAssertion, "AudienceRestriction"))
		return nil
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("no AudienceRestriction to remove")
	}
	return err
}

func setIssuerFault() Spec {
	return Spec{
		Name: "set-issuer", Stage: StagePreSign, Resigns: true,
		Summary: "set the Issuer value and/or Format of the Response and/or Assertion (issuer-*-mismatch, issuer-format-not-entity)",
		Params: []ParamSpec{whichParam("both"),
			{Name: "value", Summary: "new Issuer value (kept when absent)"},
			{Name: "format", Summary: "new Format: a URN, a short name (entity, unspecified, email, …) or remove"}},
		Apply: applySetIssuer,
	}
}

func applySetIssuer(c *Context, f Fault) error {
	els, err := presignTargets(c, f.Param("which", "both"))
	if err != nil {
		return err
	}
	value, hasValue := f.Params["value"]
	format, hasFormat := f.Params["format"]
	if !hasValue && !hasFormat {
		return fmt.Errorf("give value and/or format")
	}
	for _, el := range els {
		iss := child(el, wire.NSAssertion, "Issuer")
		if iss == nil {
			iss = newElement(el, wire.NSAssertion, "Issuer")
			el.InsertChildAt(0, iss)
		}
		if hasValue {
			setText(iss, value)
		}
		switch {
		case !hasFormat:
		case format == "remove":
			iss.RemoveAttr("Format")
		default:
			u, err := formatURN(format)
			if err != nil {
				return err
			}
			iss.CreateAttr("Format", u)
		}
	}
	return nil
}

func removeIssuerFault() Spec {
	return Spec{
		Name: "remove-issuer", Stage: StagePreSign, Resigns: true,
		Summary: "remove the Issuer of the Response and/or Assertion (issuer-missing)",
		Params:  []ParamSpec{whichParam("assertion")},
		Apply:   applyRemoveIssuer,
	}
}

func applyRemoveIssuer(c *Context, f Fault) error {
	els, err := presignTargets(c, f.Param("which", "assertion"))
	if err != nil {
		return err
	}
	for _, el := range els {
		if removeAll(children(el, wire.NSAssertion, "Issuer")) == 0 {
			return fmt.Errorf("%s has no Issuer", el.Tag)
		}
	}
	return nil
}

func removeInResponseToFault() Spec {
	return Spec{
		Name: "remove-in-response-to", Stage: StagePreSign, Resigns: true,
		Summary: "remove InResponseTo from the Response and/or SubjectConfirmationData (inresponseto-missing-sp-initiated)",
		Params:  []ParamSpec{whereParam},
		Apply:   applyRemoveInResponseTo,
	}
}

func applyRemoveInResponseTo(c *Context, f Fault) error {
	els, err := inResponseTo(c, f.Param("where", "both"))
	if err != nil {
		return err
	}
	for _, el := range els {
		el.RemoveAttr("InResponseTo")
	}
	return nil
}

func setInResponseToFault() Spec {
	return Spec{
		Name: "set-in-response-to", Stage: StagePreSign, Resigns: true,
		Summary: "set InResponseTo on the Response and/or SubjectConfirmationData (inresponseto-mismatch, inresponseto-response-vs-assertion)",
		Params:  []ParamSpec{whereParam, {Name: "value", Required: true, Summary: "the request ID to claim"}},
		Apply:   applySetInResponseTo,
	}
}

func applySetInResponseTo(c *Context, f Fault) error {
	els, err := inResponseTo(c, f.Param("where", "both"))
	if err != nil {
		return err
	}
	for _, el := range els {
		el.CreateAttr("InResponseTo", f.Param("value", ""))
	}
	return nil
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

func addConditionFault() Spec {
	return Spec{
		Name: "add-condition", Stage: StagePreSign, Resigns: true,
		Summary: "append a condition to Conditions: OneTimeUse (replay-onetimeuse), ProxyRestriction, an unknown xsi:typed saml:Condition (condition-unknown), or any xml snippet",
		Params: []ParamSpec{
			{Name: "kind", Default: "one-time-use", Values: []string{"one-time-use", "proxy-restriction", "unknown"},
				Summary: "which condition (ignored when xml is given)"},
			{Name: "xml", Summary: "a condition snippet instead of kind (namespaces as in insert-xml)"}},
		Apply: applyAddCondition,
	}
}

func applyAddCondition(c *Context, f Fault) error {
	snippet := f.Param("xml", "")
	if snippet == "" {
		switch f.Param("kind", "one-time-use") {
		case "one-time-use":
			snippet = `<saml2:OneTimeUse/>`
		case "proxy-restriction":
			snippet = `<saml2:ProxyRestriction Count="0"/>`
		case "unknown":
			snippet = `<saml2:Condition xmlns:ext="urn:samlharness:condition" xsi:type="ext:HarnessCondition"/>`
		}
	}
	return eachAssertion(c, func(a *etree.Element) error {
		cond := child(a, wire.NSAssertion, "Conditions")
		if cond == nil {
			return fmt.Errorf("no Conditions")
		}
		tokens, err := parseSnippet(snippet)
		if err != nil {
			return err
		}
		return insertTokens(cond, "last", tokens)
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

func removeAssertionFault() Spec {
	return Spec{
		Name: "remove-assertion", Stage: StagePreSign, Resigns: true,
		Summary: "remove the Assertion (status-success-no-assertion; with set-status, a signed error Response). The removed Assertion is kept for post-sign faults that put a forged copy back (xsw-signed-error-plus-assertion)",
		Apply:   applyRemoveAssertion,
	}
}

func applyRemoveAssertion(c *Context, f Fault) error {
	as, err := assertions(c)
	if err != nil {
		return err
	}
	for _, a := range as {
		c.removedAssertions = append(c.removedAssertions, detach(a))
	}
	return nil
}

func duplicateAssertionFault() Spec {
	return Spec{
		Name: "duplicate-assertion", Stage: StagePreSign, Resigns: true,
		Summary: "add a second Assertion next to the first: a forged (default) or identical copy, signed now with the IdP's settings plan or not; the Response signature, if any, covers both (assertions-multiple, go-xml-last-element-wins). The IdP signs the first Assertion, so with position=before it signs the copy",
		Params: []ParamSpec{forgeParam, nameIDParam, signedExtraParam,
			{Name: "id", Summary: "the copy's ID: default the original's ID + \"2\"; same keeps the original's ID"},
			{Name: "position", Default: "after", Values: []string{"after", "before"}, Summary: "after or before the original"}},
		Apply: applyDuplicateAssertion,
	}
}

func applyDuplicateAssertion(c *Context, f Fault) error {
	a, err := firstAssertion(c)
	if err != nil {
		return err
	}
	cp, err := extraAssertion(c, f, "2")
	if err != nil {
		return err
	}
	if f.Param("position", "after") == "before" {
		insertBefore(a, cp)
	} else {
		insertAfter(a, cp)
	}
	if sign, err := signedParam(c, f); err != nil {
		return err
	} else if sign {
		return signNow(c, cp)
	}
	return nil
}

func addAdviceAssertionFault() Spec {
	return Spec{
		Name: "add-advice-assertion", Stage: StagePreSign, Resigns: true,
		Summary: "put a copy of the Assertion (forged by default; ID + \"3\") inside saml:Advice of the real one, which the IdP then signs over it (xsw-advice-assertion, signed variant): identity must come from the outer Assertion only",
		Params: []ParamSpec{forgeParam, nameIDParam,
			{Name: "signed", Default: "false", Values: []string{"auto", "true", "false"}, Summary: signedExtraParam.Summary},
			{Name: "id", Summary: "the inner copy's ID: default the original's ID + \"3\"; same keeps it"}},
		Apply: applyAddAdviceAssertion,
	}
}

func applyAddAdviceAssertion(c *Context, f Fault) error {
	a, err := firstAssertion(c)
	if err != nil {
		return err
	}
	cp, err := extraAssertion(c, f, "3")
	if err != nil {
		return err
	}
	if sign, err := signedParam(c, f); err != nil {
		return err
	} else if sign {
		if err := signNow(c, cp); err != nil {
			return err
		}
	}
	advice := child(a, wire.NSAssertion, "Advice")
	if advice == nil {
		advice = newElement(a, wire.NSAssertion, "Advice")
		insertAdvice(a, advice)
	}
	advice.AddChild(cp)
	return nil
}

func setIdsFault() Spec {
	return Spec{
		Name: "set-ids", Stage: StagePreSign, Resigns: true,
		Summary: "set the ID of the Response and/or the first Assertion; {response} and {assertion} stand for the original IDs, so assertion={response} gives both the same ID (xsw-duplicate-id, signed)",
		Params: []ParamSpec{
			{Name: "response", Summary: "new Response ID (may be empty)"},
			{Name: "assertion", Summary: "new Assertion ID (may be empty)"}},
		Apply: applySetIds,
	}
}

func applySetIds(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	a := child(resp, wire.NSAssertion, "Assertion")
	assertionID := ""
	if a != nil {
		assertionID = a.SelectAttrValue("ID", "")
	}
	repl := strings.NewReplacer("{response}", resp.SelectAttrValue("ID", ""), "{assertion}", assertionID)
	rv, hasR := f.Params["response"]
	av, hasA := f.Params["assertion"]
	if !hasR && !hasA {
		return fmt.Errorf("give response and/or assertion")
	}
	if hasA && a == nil {
		return fmt.Errorf("the Response has no Assertion")
	}
	if hasR {
		resp.CreateAttr("ID", repl.Replace(rv))
	}
	if hasA {
		a.CreateAttr("ID", repl.Replace(av))
	}
	return nil
}

func removeIdFault() Spec {
	return Spec{
		Name: "remove-id", Stage: StagePreSign, Resigns: true,
		Summary: "remove the ID attribute of the Response and/or Assertion (assertion-id-missing); a signature then references URI=\"\"",
		Params:  []ParamSpec{whichParam("assertion")},
		Apply:   applyRemoveId,
	}
}

func applyRemoveId(c *Context, f Fault) error {
	els, err := presignTargets(c, f.Param("which", "assertion"))
	if err != nil {
		return err
	}
	for _, el := range els {
		el.RemoveAttr("ID")
	}
	return nil
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

// setOrRemoveAttr applies value/remove parameters to attr on els.
func setOrRemoveAttr(f Fault, els []*etree.Element, attr string) error {
	remove, err := boolParam(f, "remove", false)
	if err != nil {
		return err
	}
	value, hasValue := f.Params["value"]
	if !remove && !hasValue {
		return fmt.Errorf("give value, or remove=true")
	}
	for _, el := range els {
		if remove {
			el.RemoveAttr(attr)
		} else {
			el.CreateAttr(attr, value)
		}
	}
	return nil
}

// insertAdvice inserts advice where the schema puts saml:Advice: after
// Issuer, Signature, Subject and Conditions.
func insertAdvice(a, advice *etree.Element) {
	idx := 0
	for _, ch := range a.ChildElements() {
		if is(ch, wire.NSAssertion, "Issuer") || is(ch, wire.NSDSig, "Signature") ||
			is(ch, wire.NSAssertion, "Subject") || is(ch, wire.NSAssertion, "Conditions") {
			idx = ch.Index() + 1
		}
	}
	a.InsertChildAt(idx, advice)
}
