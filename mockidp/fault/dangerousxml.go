package fault

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Dangerous XML (catalogue §4 and §8), after signing. What the element tree
// can hold (DOCTYPE directives, processing instructions) goes in the tree;
// the rest (entity references, malformed names, huge or deep payloads) goes
// through placeholders and RawEdits (raw.go), applied to the serialized
// bytes when the bind stage starts.

const (
	paddingNS       = "urn:samlharness:padding"
	foreignNS       = "urn:samlharness:not-saml"
	maxOversize     = 64 << 20
	maxNestingDepth = 1_000_000
)

// doctype returns the document's DOCTYPE directive, or nil.
func doctype(doc *etree.Document) *etree.Directive {
	for _, t := range doc.Child {
		if d, ok := t.(*etree.Directive); ok && strings.HasPrefix(d.Data, "DOCTYPE") {
			return d
		}
	}
	return nil
}

// addInternalSubset adds a markup declaration to the DOCTYPE's internal
// subset, creating <!DOCTYPE {root} [...]> before the root when needed.
func addInternalSubset(doc *etree.Document, decl string) error {
	if d := doctype(doc); d != nil {
		if i := strings.LastIndexByte(d.Data, ']'); i >= 0 {
			d.Data = d.Data[:i] + decl + d.Data[i:]
		} else {
			d.Data += " [" + decl + "]"
		}
		return nil
	}
	root := doc.Root()
	if root == nil {
		return fmt.Errorf("the response document is empty")
	}
	return beforeRoot(doc, etree.NewDirective("DOCTYPE "+root.FullTag()+" ["+decl+"]"))
}

// refTarget returns the element whose text gets an entity reference.
func refTarget(c *Context, ref string) (*etree.Element, error) {
	switch ref {
	case "nameid":
		return nameIDTarget(c)
	case "issuer":
		resp, err := response(c)
		if err != nil {
			return nil, err
		}
		if iss := child(resp, wire.NSAssertion, "Issuer"); iss != nil {
			return iss, nil
		}
		return nil, fmt.Errorf("the Response has no Issuer")
	}
	return nil, fmt.Errorf("ref %q is not none, nameid or issuer", ref)
}

// extensionsFor returns a new samlp:Extensions placed in the Response where
// the schema puts it.
func extensionsFor(c *Context) (*etree.Element, error) {
	resp, err := response(c)
	if err != nil {
		return nil, err
	}
	ext := newElement(resp, wire.NSProtocol, "Extensions")
	insertAfterIssuer(resp, ext)
	return ext, nil
}

func init() {
	registerAll(
		doctypeFault,
		processingInstructionFault,
		deepNestingFault,
		oversizeFault,
		xmlRoundTripHazardFault,
		namespaceConfusionFault,
	)
}

func doctypeFault() Spec {
	return Spec{
		Name: "doctype", Stage: StagePostSign,
		Summary: "add a DOCTYPE before the root (catalogue §8): internal-subset (an unused internal entity: crewjam accepts it, the SP should reject any DTD), external-entity (XXE: <!ENTITY xxe SYSTEM url>, referenced in the NameID), billion-laughs (lol1…lol9, each ten of the previous, &lol9; referenced in the NameID), parameter-entity (<!ENTITY % dtd SYSTEM url> %dtd;, fires inside the DTD). A reference in signed text breaks the signature for a parser that does not expand it; the SP must reject the DOCTYPE first, without any outbound request",
		Params: []ParamSpec{
			{Name: "kind", Default: "internal-subset", Values: []string{"internal-subset", "external-entity", "billion-laughs", "parameter-entity"}, Summary: "which DTD"},
			{Name: "url", Default: "file:///etc/hostname", Summary: "SYSTEM identifier of external-entity and parameter-entity (point it at a harness listener to detect fetches)"},
			{Name: "ref", Values: []string{"none", "nameid", "issuer"}, Summary: "where the entity is referenced: default nameid for external-entity and billion-laughs, none otherwise"}},
		Apply: applyDoctype,
	}
}

func applyDoctype(c *Context, f Fault) error {
	kind := f.Param("kind", "internal-subset")
	url := strings.ReplaceAll(f.Param("url", ""), `"`, "%22")
	var decl, entity string
	switch kind {
	case "internal-subset":
		decl, entity = `<!ENTITY harness "samlharness">`, "harness"
	case "external-entity":
		decl, entity = `<!ENTITY xxe SYSTEM "`+url+`">`, "xxe"
	case "billion-laughs":
		var b strings.Builder
		b.WriteString(`<!ENTITY lol "lol">`)
		prev := "lol"
		for i := 1; i <= 9; i++ {
			name := fmt.Sprintf("lol%d", i)
			b.WriteString(`<!ENTITY ` + name + ` "` + strings.Repeat("&"+prev+";", 10) + `">`)
			prev = name
		}
		decl, entity = b.String(), "lol9"
	case "parameter-entity":
		decl = `<!ENTITY % dtd SYSTEM "` + url + `">%dtd;`
	}
	if err := addInternalSubset(c.Doc, decl); err != nil {
		return err
	}
	ref := f.Param("ref", "")
	if ref == "" {
		ref = "none"
		if kind == "external-entity" || kind == "billion-laughs" {
			ref = "nameid"
		}
	}
	if ref == "none" || entity == "" {
		return nil
	}
	el, err := refTarget(c, ref)
	if err != nil {
		return err
	}
	el.AddChild(etree.NewText(c.textPlaceholder("&" + entity + ";")))
	return nil
}

func processingInstructionFault() Spec {
	return Spec{
		Name: "processing-instruction", Stage: StagePostSign,
		Summary: "add a processing instruction (processing-instruction-injection): in the prolog (signature intact), as the Response's first child, or inside the NameID text (C14N keeps PIs, so those break the signature)",
		Params: []ParamSpec{
			{Name: "where", Default: "prolog", Values: []string{"prolog", "response", "nameid"}, Summary: "where the PI goes"},
			{Name: "target", Default: "xml-stylesheet", Summary: "PI target"},
			{Name: "data", Default: `type="text/xsl" href="http://127.0.0.1:9/samlharness.xsl"`, Summary: "PI content"}},
		Apply: applyProcessingInstruction,
	}
}

func applyProcessingInstruction(c *Context, f Fault) error {
	target := f.Param("target", "")
	if strings.EqualFold(target, "xml") || target == "" {
		return fmt.Errorf("target %q is not a valid PI target", target)
	}
	pi := etree.NewProcInst(target, f.Param("data", ""))
	switch f.Param("where", "prolog") {
	case "response":
		resp, err := response(c)
		if err != nil {
			return err
		}
		resp.InsertChildAt(0, pi)
		return nil
	case "nameid":
		n, err := nameIDTarget(c)
		if err != nil {
			return err
		}
		return splitText(n, "@", func() etree.Token { return pi })
	}
	return beforeRoot(c.Doc, pi)
}

func deepNestingFault() Spec {
	return Spec{
		Name: "deep-nesting", Stage: StagePostSign,
		Summary: "nest depth empty elements (<a><a>…</a></a>) in a new samlp:Extensions or in the Assertion's saml:Advice (xml-deep-nesting): the SP must stop at its depth limit quickly; the signature over the container breaks",
		Params: []ParamSpec{
			{Name: "depth", Default: "10000", Summary: "nesting depth, 1 to 1000000"},
			{Name: "where", Default: "extensions", Values: []string{"extensions", "advice"}, Summary: "the container"}},
		Apply: applyDeepNesting,
	}
}

func applyDeepNesting(c *Context, f Fault) error {
	depth, err := intParam(f, "depth", 10000, 1, maxNestingDepth)
	if err != nil {
		return err
	}
	var container *etree.Element
	if f.Param("where", "extensions") == "advice" {
		a, err := firstAssertion(c)
		if err != nil {
			return err
		}
		container = newElement(a, wire.NSAssertion, "Advice")
		insertAdvice(a, container)
	} else if container, err = extensionsFor(c); err != nil {
		return err
	}
	container.AddChild(c.commentPlaceholder(func() []byte {
		var b bytes.Buffer
		b.Grow(depth * 7)
		for i := 0; i < depth; i++ {
			b.WriteString("<a>")
		}
		for i := 0; i < depth; i++ {
			b.WriteString("</a>")
		}
		return b.Bytes()
	}))
	return nil
}

func oversizeFault() Spec {
	return Spec{
		Name: "oversize", Stage: StagePostSign,
		Summary: "inflate the response by about bytes (xml-huge-payload): padding in an element inside a new samlp:Extensions, in a namespaced attribute on the Response (both break the Response signature), or in a comment after the root (signature intact). The SP must refuse by size before parsing",
		Params: []ParamSpec{
			{Name: "bytes", Default: "2097152", Summary: "padding size in bytes, 1 to 67108864"},
			{Name: "where", Default: "extensions", Values: []string{"extensions", "attribute", "comment"}, Summary: "where the padding goes"}},
		Apply: applyOversize,
	}
}

func applyOversize(c *Context, f Fault) error {
	n, err := intParam(f, "bytes", 2<<20, 1, maxOversize)
	if err != nil {
		return err
	}
	pad := func() []byte { return bytes.Repeat([]byte("A"), n) }
	switch f.Param("where", "extensions") {
	case "attribute":
		resp, err := response(c)
		if err != nil {
			return err
		}
		resp.CreateAttr("xmlns:pad", paddingNS)
		c.attrPlaceholder(resp, func() []byte {
			return append(append([]byte(`pad:padding="`), pad()...), '"')
		})
	case "comment":
		return afterRoot(c.Doc, c.commentPlaceholder(func() []byte {
			return append(append([]byte("<!--"), pad()...), "-->"...)
		}))
	default:
		ext, err := extensionsFor(c)
		if err != nil {
			return err
		}
		ext.AddChild(c.commentPlaceholder(func() []byte {
			var b bytes.Buffer
			b.WriteString(`<pad:Padding xmlns:pad="` + paddingNS + `">`)
			b.Write(pad())
			b.WriteString(`</pad:Padding>`)
			return b.Bytes()
		}))
	}
	return nil
}

func xmlRoundTripHazardFault() Spec {
	return Spec{
		Name: "xml-round-trip-hazard", Stage: StagePostSign,
		Summary: "add a token Go's encoding/xml does not round-trip (catalogue §4; CVE-2020-29509/29510/29511, crewjam CVE-2020-27846): attr-double-colon puts ::foo=\"bar\" on the Response (crewjam TestSPRejectsMalformedResponse); attr-empty-name :=\"v\"; attr-empty-local x:=\"v\"; xmlns-empty-prefix xmlns:=\"urn:…\"; element-double-colon <x::Element></::Element> and directive-comment <! <<!-- -->!-- x --> y> as the Response's last child. The SP must reject (XML_UNSTABLE)",
		Params: []ParamSpec{{Name: "shape", Default: "attr-double-colon",
			Values:  []string{"attr-double-colon", "attr-empty-name", "attr-empty-local", "xmlns-empty-prefix", "element-double-colon", "directive-comment"},
			Summary: "which unstable token"}},
		Apply: applyXmlRoundTripHazard,
	}
}

func applyXmlRoundTripHazard(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	switch f.Param("shape", "attr-double-colon") {
	case "attr-empty-name":
		c.attrPlaceholder(resp, rawBytes(`:="samlharness"`))
	case "attr-empty-local":
		c.attrPlaceholder(resp, rawBytes(`saml2p:="samlharness"`))
	case "xmlns-empty-prefix":
		c.attrPlaceholder(resp, rawBytes(`xmlns:="`+foreignNS+`"`))
	case "element-double-colon":
		resp.AddChild(c.commentPlaceholder(rawBytes(`<x::Element></::Element>`)))
	case "directive-comment":
		resp.AddChild(c.commentPlaceholder(rawBytes(`<! <<!-- -->!-- x --> y>`)))
	default:
		c.attrPlaceholder(resp, rawBytes(`::foo="bar"`))
	}
	return nil
}

func namespaceConfusionFault() Spec {
	return Spec{
		Name: "namespace-confusion", Stage: StagePostSign,
		Summary: "insert before the real Assertion a forged one (ID _evil_assertion_ID) that looks like SAML but is not in its namespace (namespace-prefix-rebinding): rebound-prefix keeps the document's prefix (saml2:Assertion) but rebinds it to urn:samlharness:not-saml; default-namespace writes <Assertion xmlns=\"urn:samlharness:not-saml\">. An SP matching by prefix or local name reads it; the SP must match (namespace URI, local name). The Response signature breaks; pair it with sign-only assertion",
		Params: []ParamSpec{nameIDParam,
			{Name: "variant", Default: "rebound-prefix", Values: []string{"rebound-prefix", "default-namespace"}, Summary: "how the namespace is faked"}},
		Apply: applyNamespaceConfusion,
	}
}

func applyNamespaceConfusion(c *Context, f Fault) error {
	a, err := firstAssertion(c)
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	evil := forgedCopy(a, orig, forged)
	evil.CreateAttr("ID", evilAssertionID)
	prefix := a.Space
	if f.Param("variant", "rebound-prefix") == "default-namespace" {
		walkElements(evil, func(e *etree.Element) {
			if e.Space == prefix {
				e.Space = ""
			}
			e.RemoveAttr("xmlns:" + prefix)
		})
		evil.CreateAttr("xmlns", foreignNS)
	} else {
		walkElements(evil, func(e *etree.Element) {
			for i := range e.Attr {
				if e.Attr[i].Space == "xmlns" && e.Attr[i].Value == wire.NSAssertion {
					e.Attr[i].Value = foreignNS
				}
			}
		})
		if scope(evil)[prefix] != foreignNS {
			evil.CreateAttr("xmlns:"+prefix, foreignNS)
		}
	}
	insertBefore(a, evil)
	return nil
}

// walkElements calls fn on el and every element below it.
func walkElements(el *etree.Element, fn func(*etree.Element)) {
	fn(el)
	for _, ch := range el.ChildElements() {
		walkElements(ch, fn)
	}
}
