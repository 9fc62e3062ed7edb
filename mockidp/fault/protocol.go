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

func init() {
	registerAll(
		setStatusFault,
		removeStatusFault,
		setVersionFault,
		setDestinationFault,
		setIssuerFault,
		removeIssuerFault,
		removeInResponseToFault,
		setInResponseToFault,
	)
}
