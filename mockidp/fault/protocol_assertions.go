package fault

// Protocol faults on the assertions themselves: removing, duplicating,
// hiding one in Advice, and their IDs.

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

func init() {
	registerAll(
		removeAssertionFault,
		duplicateAssertionFault,
		addAdviceAssertionFault,
		setIdsFault,
		removeIdFault,
	)
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
