package fault

// Protocol faults on an assertion's Conditions: audiences and extra
// conditions.

import (
	"fmt"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

func init() {
	registerAll(
		setAudienceFault,
		addAudienceFault,
		addAudienceRestrictionFault,
		removeAudienceRestrictionFault,
		addConditionFault,
	)
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
