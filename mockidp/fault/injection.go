package fault

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Comment, CDATA, entity and text-normalisation injection (catalogue §3).
// Exclusive C14N without comments drops comments and reads CDATA and
// character references as plain text, so the post-sign forms of comment,
// CDATA and character-reference injection keep a valid signature: the SP
// must read the whole text, not its first text node. Whitespace, case and
// Unicode changes are what the SP must normalise: their -before-sign twins
// are signed by the IdP (the realistic case); the post-sign forms break the
// signature. CDATA has no pre-sign twin: C14N turns CDATA into plain text,
// but goxmldsig signs the section as written, so a signed CDATA section
// would not verify anywhere.

var atParam = ParamSpec{Name: "at", Default: "domain-label-2",
	Summary: "where to split the text: domain-label-2 (after the first two domain labels: admin@acme.test|.evil.test; after @ when the domain has fewer than three), @ (right after the @), after:S (after the first occurrence of S), or a character offset"}

// splitAt returns the byte index where text splits for the at parameter.
func splitAt(text, at string) (int, error) {
	switch {
	case at == "" || at == "domain-label-2":
		i := strings.IndexByte(text, '@')
		if i < 0 {
			return 0, fmt.Errorf("%q has no @ to split after (give at=N or at=after:S)", text)
		}
		labels := strings.Split(text[i+1:], ".")
		if len(labels) < 3 {
			return i + 1, nil
		}
		return i + 1 + len(labels[0]) + 1 + len(labels[1]), nil
	case at == "@":
		i := strings.IndexByte(text, '@')
		if i < 0 {
			return 0, fmt.Errorf("%q has no @", text)
		}
		return i + 1, nil
	case strings.HasPrefix(at, "after:"):
		s := strings.TrimPrefix(at, "after:")
		i := strings.Index(text, s)
		if s == "" || i < 0 {
			return 0, fmt.Errorf("%q does not contain %q", text, s)
		}
		return i + len(s), nil
	}
	n, err := strconv.Atoi(at)
	if err != nil || n < 0 || n > utf8.RuneCountInString(text) {
		return 0, fmt.Errorf("at=%q is not domain-label-2, @, after:S or a character offset within %q", at, text)
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i, nil
}

// nameIDTarget returns the first Assertion's NameID.
func nameIDTarget(c *Context) (*etree.Element, error) {
	a, err := firstAssertion(c)
	if err != nil {
		return nil, err
	}
	n := nameIDOf(a)
	if n == nil {
		return nil, fmt.Errorf("the Assertion has no Subject/NameID")
	}
	return n, nil
}

// splitText replaces el's text with before, middle token, after.
func splitText(el *etree.Element, at string, middle func() etree.Token) error {
	text := el.Text()
	i, err := splitAt(text, at)
	if err != nil {
		return err
	}
	setText(el, "")
	idx := 0
	if text[:i] != "" {
		el.InsertChildAt(idx, etree.NewText(text[:i]))
		idx++
	}
	el.InsertChildAt(idx, middle())
	idx++
	if text[i:] != "" {
		el.InsertChildAt(idx, etree.NewText(text[i:]))
	}
	return nil
}

// commentInjector inserts <!--comment--> into the text of the element
// located by target.
func commentInjector(target func(c *Context, f Fault) (*etree.Element, error)) func(c *Context, f Fault) error {
	return func(c *Context, f Fault) error {
		el, err := target(c, f)
		if err != nil {
			return err
		}
		comment := f.Param("comment", "")
		if strings.Contains(comment, "--") {
			return fmt.Errorf("comment text must not contain --")
		}
		return splitText(el, f.Param("at", ""), func() etree.Token { return etree.NewComment(comment) })
	}
}

var commentParam = ParamSpec{Name: "comment", Summary: "comment text (default empty: <!---->)"}

// normaliser rewrites the NameID text.
type normaliser struct {
	name, summary string
	params        []ParamSpec
	rewrite       func(f Fault, text string) (string, error)
}

var normalisers = []normaliser{
	{
		name:    "whitespace-in-nameid",
		summary: "surround or pad the NameID with whitespace (nameid-whitespace-and-case): the SP must trim or reject, never create a second account",
		params: []ParamSpec{{Name: "form", Default: "pad", Values: []string{"pad", "leading", "trailing-newline", "tab", "nbsp"},
			Summary: "pad: two spaces before and a newline after; leading: spaces before; trailing-newline; tab: tabs around; nbsp: U+00A0 before and after"}},
		rewrite: func(f Fault, text string) (string, error) {
			switch f.Param("form", "pad") {
			case "leading":
				return "   " + text, nil
			case "trailing-newline":
				return text + "\n", nil
			case "tab":
				return "\t" + text + "\t", nil
			case "nbsp":
				return "\u00a0" + text + "\u00a0", nil
			}
			return "  " + text + "\n", nil
		},
	},
	{
		name:    "case-in-nameid",
		summary: "change the NameID's letter case (nameid-whitespace-and-case): the SP must case-fold emails per policy, never create a second account",
		params: []ParamSpec{{Name: "form", Default: "mixed", Values: []string{"mixed", "upper", "upper-domain"},
			Summary: "mixed: capitalise each part (Alice@Acme.Test); upper: all capitals; upper-domain: capitals after the @"}},
		rewrite: func(f Fault, text string) (string, error) {
			switch f.Param("form", "mixed") {
			case "upper":
				return strings.ToUpper(text), nil
			case "upper-domain":
				if i := strings.IndexByte(text, '@'); i >= 0 {
					return text[:i+1] + strings.ToUpper(text[i+1:]), nil
				}
				return strings.ToUpper(text), nil
			}
			var b strings.Builder
			start := true
			for _, r := range text {
				if start && r >= 'a' && r <= 'z' {
					r -= 'a' - 'A'
				}
				start = r == '@' || r == '.'
				b.WriteRune(r)
			}
			return b.String(), nil
		},
	},
	{
		name:    "unicode-in-nameid",
		summary: "swap NameID characters for Unicode look-alikes (nameid-unicode-confusable): NFKC-confusable (the first local-part letter with a compatibility form, e.g. ſ for s, K (Kelvin) for k, ª for a: NFKC gives back the original), fullwidth (every ASCII character to its fullwidth form, also NFKC-equal), homoglyph (the first Cyrillic look-alike: а, е, о, р, с, і; not NFKC-equal, a different identity), zero-width (U+200B after the first character)",
		params: []ParamSpec{{Name: "form", Default: "NFKC-confusable", Values: []string{"NFKC-confusable", "fullwidth", "homoglyph", "zero-width"},
			Summary: "which substitution"}},
		rewrite: func(f Fault, text string) (string, error) {
			switch f.Param("form", "NFKC-confusable") {
			case "fullwidth":
				var b strings.Builder
				for _, r := range text {
					if r > ' ' && r <= '~' {
						r += 0xFF01 - '!'
					}
					b.WriteRune(r)
				}
				return b.String(), nil
			case "homoglyph":
				return substituteFirst(text, map[rune]rune{'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'i': 'і'})
			case "zero-width":
				if text == "" {
					return "", fmt.Errorf("the NameID is empty")
				}
				_, size := utf8.DecodeRuneInString(text)
				return text[:size] + "\u200b" + text[size:], nil
			}
			return substituteFirst(text, map[rune]rune{'s': 'ſ', 'k': '\u212a', 'a': 'ª', 'o': 'º', 'i': 'ⁱ', 'n': 'ⁿ'})
		},
	},
}

// substituteFirst replaces the first character of text (local part first)
// that has a substitute.
func substituteFirst(text string, subst map[rune]rune) (string, error) {
	for i, r := range text {
		if s, ok := subst[r]; ok {
			return text[:i] + string(s) + text[i+utf8.RuneLen(r):], nil
		}
	}
	return "", fmt.Errorf("%q has no character this form can substitute", text)
}

func init() {
	registerAll(
		commentInNameidFault,
		commentInNameidBeforeSignFault,
		commentInTextFault,
		cdataInNameidFault,
		entityInNameidFault,
	)
	for _, nm := range normalisers {
		registerAll(nm.afterSigning, nm.beforeSigning)
	}
}

// nameIDLocator finds the NameID a comment goes into.
func nameIDLocator(c *Context, f Fault) (*etree.Element, error) { return nameIDTarget(c) }

// pathLocator finds the element the path parameter names.
func pathLocator(c *Context, f Fault) (*etree.Element, error) {
	return resolvePath(c.Doc, f.Param("path", ""))
}

func applyCdataInNameid(c *Context, f Fault) error {
	n, err := nameIDTarget(c)
	if err != nil {
		return err
	}
	if f.Param("mode", "split") == "wrap" {
		text := n.Text()
		setText(n, "")
		n.InsertChildAt(0, etree.NewCData(text))
		return nil
	}
	return splitText(n, f.Param("at", ""), func() etree.Token { return etree.NewCData("") })
}

var cdataParams = []ParamSpec{atParam,
	{Name: "mode", Default: "split", Values: []string{"split", "wrap"},
		Summary: "split: an empty CDATA section inside the text (admin@acme.test<![CDATA[]]>.evil.test); wrap: the whole value as CDATA"}}

// apply rewrites the NameID text with the normaliser.
func (nm normaliser) apply(c *Context, f Fault) error {
	n, err := nameIDTarget(c)
	if err != nil {
		return err
	}
	v, err := nm.rewrite(f, n.Text())
	if err != nil {
		return err
	}
	setText(n, v)
	return nil
}

// afterSigning is the normaliser's post-sign fault.
func (nm normaliser) afterSigning() Spec {
	return Spec{Name: nm.name, Stage: StagePostSign,
		Summary: nm.summary + "; after signing, so the signature breaks (see the -before-sign twin)",
		Params:  nm.params, Apply: nm.apply}
}

// beforeSigning is the normaliser's pre-sign twin.
func (nm normaliser) beforeSigning() Spec {
	return Spec{Name: nm.name + "-before-sign", Stage: StagePreSign, Resigns: true,
		Summary: nm.summary + "; before signing, so the IdP signs the odd value",
		Params:  nm.params, Apply: nm.apply}
}

func commentInNameidFault() Spec {
	return Spec{
		Name: "comment-in-nameid", Stage: StagePostSign, Resigns: true,
		Summary: "insert an XML comment into the signed NameID (Duo 2018, VU#475445, CVE-2017-11427…11430, CVE-2018-0489): the IdP signed admin@acme.test.evil.test, the document now reads admin@acme.test<!---->.evil.test; exclusive C14N drops the comment, so the signature still verifies. The SP must read the full text or reject, never admin@acme.test. Pair with set-nameid to choose the signed value",
		Params:  []ParamSpec{atParam, commentParam},
		Apply:   commentInjector(nameIDLocator),
	}
}

func commentInNameidBeforeSignFault() Spec {
	return Spec{
		Name: "comment-in-nameid-before-sign", Stage: StagePreSign, Resigns: true,
		Summary: "insert an XML comment into the NameID before signing: the IdP signs a NameID whose text is split by a comment (with c14n-with-comments the comment is signed too)",
		Params:  []ParamSpec{atParam, commentParam},
		Apply:   commentInjector(nameIDLocator),
	}
}

func commentInTextFault() Spec {
	return Spec{
		Name: "comment-in-text", Stage: StagePostSign, Resigns: true,
		Summary: "insert an XML comment into the text of any signed element, e.g. an AttributeValue (attribute-value-comment-truncation, ruby-saml response_node_text_attack); the signature still verifies",
		Params:  []ParamSpec{pathParam, atParam, commentParam},
		Apply:   commentInjector(pathLocator),
	}
}

func cdataInNameidFault() Spec {
	return Spec{
		Name: "cdata-in-nameid", Stage: StagePostSign, Resigns: true,
		Summary: "split (or wrap) the signed NameID text with a CDATA section (nameid-cdata-split); C14N reads CDATA as text, so the signature still verifies and the value is unchanged: the SP must read the concatenation of all text",
		Params:  cdataParams, Apply: applyCdataInNameid,
	}
}

func entityInNameidFault() Spec {
	return Spec{
		Name: "entity-in-nameid", Stage: StagePostSign, Resigns: true,
		Summary: "write part of the signed NameID as a reference, same text once expanded (nameid-cdata-split, dtd-internal-entity-in-value): internal-entity adds a DOCTYPE declaring <!ENTITY e \".evil.test\"> and writes admin@acme.test&e; (the SP must reject the DOCTYPE); char-ref writes the character at the split as &#xNN; (plain XML: the SP must read the full value)",
		Params: []ParamSpec{atParam,
			{Name: "form", Default: "internal-entity", Values: []string{"internal-entity", "char-ref"}, Summary: "entity (needs a DOCTYPE) or character reference"}},
		Apply: applyEntityInNameid,
	}
}

func applyEntityInNameid(c *Context, f Fault) error {
	n, err := nameIDTarget(c)
	if err != nil {
		return err
	}
	text := n.Text()
	i, err := splitAt(text, f.Param("at", ""))
	if err != nil {
		return err
	}
	if i >= len(text) {
		return fmt.Errorf("nothing after the split point of %q to write as a reference", text)
	}
	var raw string
	if f.Param("form", "internal-entity") == "char-ref" {
		r, size := utf8.DecodeRuneInString(text[i:])
		raw = escapeText(text[:i]) + fmt.Sprintf("&#x%X;", r) + escapeText(text[i+size:])
	} else {
		if err := addInternalSubset(c.Doc, `<!ENTITY e "`+escapeEntityValue(text[i:])+`">`); err != nil {
			return err
		}
		raw = escapeText(text[:i]) + "&e;"
	}
	setText(n, c.textPlaceholder(raw))
	return nil
}

// escapeText escapes character data for raw insertion.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// escapeEntityValue escapes a string for a double-quoted entity value.
func escapeEntityValue(s string) string {
	return strings.NewReplacer("&", "&#38;", "%", "&#37;", `"`, "&#34;", "<", "&#60;").Replace(s)
}
