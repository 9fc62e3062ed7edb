package sp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// decodeSAMLResponse applies the HTTP-POST binding's decoding with bounds:
// the size cap is checked on the encoded form BEFORE decoding, and base64 is
// strict (standard alphabet, padding) except that whitespace is allowed.
func decodeSAMLResponse(encoded string, maxBytes int) ([]byte, *APIError) {
	if e := checkEncodedSize(encoded, maxBytes); e != nil {
		return nil, e
	}
	return decodeBase64(encoded)
}

// checkEncodedSize refuses an encoded SAMLResponse over the size cap.
func checkEncodedSize(encoded string, maxBytes int) *APIError {
	if len(encoded) > maxBytes {
		return newError(ReasonResponseTooLarge, nil, "the encoded SAMLResponse is %d bytes; the limit is %d bytes (checked before decoding)", len(encoded), maxBytes)
	}
	return nil
}

// decodeBase64 decodes strict standard base64, whitespace allowed.
func decodeBase64(encoded string) ([]byte, *APIError) {
	compact := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, encoded)
	if compact == "" {
		return nil, newError(ReasonResponseMalformed, nil, "the SAMLResponse parameter is empty")
	}
	b, err := base64.StdEncoding.Strict().DecodeString(compact)
	if err != nil {
		detail := fmt.Sprintf("the SAMLResponse is not valid base64: %v", err)
		var ce base64.CorruptInputError
		if errors.As(err, &ce) && int(ce) < len(compact) {
			c := compact[ce]
			detail = fmt.Sprintf("the SAMLResponse is not valid base64: character %q at offset %d", c, int64(ce))
			switch c {
			case '-', '_':
				detail += " (the URL-safe alphabet is not allowed in the HTTP-POST binding)"
			case '%':
				detail += " (the value is still percent-encoded)"
			}
		}
		return nil, newError(ReasonResponseMalformed, nil, "%s", detail)
	}
	return b, nil
}

// Attribute limits of a SAMLResponse, checked by the raw-byte scan before
// any tree is built: an Okta response has at most 6 attributes on an
// element (namespace declarations included) and fewer than 100 in all.
const (
	// MaxXMLAttributesPerElement is the most attributes (namespace
	// declarations included) one element may carry.
	MaxXMLAttributesPerElement = 256
	// MaxXMLAttributes is the most attributes a SAMLResponse may carry.
	MaxXMLAttributes = 20000
)

// scanXML inspects the raw bytes before any tree is built. It refuses
// DOCTYPE and other markup declarations, entity references other than the
// five predefined ones and character references, and processing
// instructions other than the leading XML declaration (XML_FORBIDDEN), a
// non-UTF-8 encoding declaration (RESPONSE_MALFORMED), and documents deeper
// than MaxXMLDepth, with more than MaxXMLElements elements, or with more
// attributes than MaxXMLAttributesPerElement on an element or
// MaxXMLAttributes in all (XML_LIMIT). Its cost is linear in the input.
// Comments and CDATA sections are skipped. It never allocates per token.
func scanXML(b []byte) *APIError {
	i := 0
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	declAt := i
	depth, elements, attributes := 0, 0, 0
	for i < len(b) {
		c := b[i]
		if c == '&' {
			if e := checkReference(b, i); e != nil {
				return e
			}
			i++
			continue
		}
		if c != '<' {
			i++
			continue
		}
		if i+1 >= len(b) {
			return newError(ReasonResponseMalformed, nil, "the XML ends with a lone '<'")
		}
		switch b[i+1] {
		case '?':
			end := bytes.Index(b[i:], []byte("?>"))
			if end < 0 {
				return newError(ReasonResponseMalformed, nil, "unterminated processing instruction at byte %d", i)
			}
			pi := b[i : i+end+2]
			target := piTarget(pi)
			if !strings.EqualFold(target, "xml") {
				return newError(ReasonXMLForbidden, nil, "processing instruction <?%s at byte %d: processing instructions are refused", target, i)
			}
			if i != declAt || target != "xml" {
				return newError(ReasonResponseMalformed, nil, "an XML declaration at byte %d: it may only start the document", i)
			}
			if enc := declaredEncoding(pi); enc != "" && !strings.EqualFold(enc, "UTF-8") && !strings.EqualFold(enc, "UTF8") {
				return newError(ReasonResponseMalformed, nil, "the XML declaration says encoding=%q: only UTF-8 is accepted", enc)
			}
			i += end + 2
		case '!':
			rest := b[i:]
			switch {
			case bytes.HasPrefix(rest, []byte("<!--")):
				end := bytes.Index(rest[4:], []byte("-->"))
				if end < 0 {
					return newError(ReasonResponseMalformed, nil, "unterminated comment at byte %d", i)
				}
				i += 4 + end + 3
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				end := bytes.Index(rest[9:], []byte("]]>"))
				if end < 0 {
					return newError(ReasonResponseMalformed, nil, "unterminated CDATA section at byte %d", i)
				}
				i += 9 + end + 3
			default:
				word := markupWord(rest[2:])
				switch strings.ToUpper(word) {
				case "DOCTYPE":
					return newError(ReasonXMLForbidden, nil, "<!DOCTYPE at byte %d: document type declarations are refused (internal entities, entity expansion and external entities are never processed)", i)
				case "ENTITY":
					return newError(ReasonXMLForbidden, nil, "<!ENTITY declaration at byte %d: entity declarations are refused", i)
				}
				return newError(ReasonXMLForbidden, nil, "markup declaration <!%s at byte %d: declarations are refused", word, i)
			}
		case '/':
			end := bytes.IndexByte(b[i:], '>')
			if end < 0 {
				return newError(ReasonResponseMalformed, nil, "unterminated end tag at byte %d", i)
			}
			depth--
			i += end + 1
		default:
			elements++
			if elements > MaxXMLElements {
				return newError(ReasonXMLLimit, nil, "the XML has more than %d elements", MaxXMLElements)
			}
			// Find the end of the start tag, honouring quoted attribute
			// values; each opening quote starts one attribute's value.
			j := i + 1
			var quote byte
			own := 0
			for j < len(b) {
				cj := b[j]
				if quote != 0 {
					if cj == quote {
						quote = 0
					} else if cj == '&' {
						if e := checkReference(b, j); e != nil {
							return e
						}
					}
				} else if cj == '"' || cj == '\'' {
					quote = cj
					own++
					if own > MaxXMLAttributesPerElement {
						return newError(ReasonXMLLimit, nil, "the element starting at byte %d has more than %d attributes", i, MaxXMLAttributesPerElement)
					}
					if attributes+own > MaxXMLAttributes {
						return newError(ReasonXMLLimit, nil, "the XML has more than %d attributes", MaxXMLAttributes)
					}
				} else if cj == '>' {
					break
				}
				j++
			}
			attributes += own
			if j >= len(b) {
				return newError(ReasonResponseMalformed, nil, "unterminated start tag at byte %d", i)
			}
			if b[j-1] != '/' {
				depth++
				if depth > MaxXMLDepth {
					return newError(ReasonXMLLimit, nil, "the XML nests deeper than %d elements (at byte %d)", MaxXMLDepth, i)
				}
			}
			i = j + 1
		}
	}
	return nil
}

// checkReference accepts &lt; &gt; &amp; &quot; &apos; and character
// references at b[i]; any other entity reference is XML_FORBIDDEN.
func checkReference(b []byte, i int) *APIError {
	window := b[i:min(len(b), i+41)]
	end := bytes.IndexByte(window, ';')
	if end < 0 {
		return newError(ReasonResponseMalformed, nil, "a bare '&' at byte %d (not an entity or character reference)", i)
	}
	name := string(b[i+1 : i+end])
	switch name {
	case "lt", "gt", "amp", "quot", "apos":
		return nil
	}
	if strings.HasPrefix(name, "#") {
		return nil
	}
	return newError(ReasonXMLForbidden, nil, "entity reference &%s; at byte %d: only the five predefined entities and character references are allowed", name, i)
}

func piTarget(pi []byte) string {
	s := pi[2:]
	n := 0
	for n < len(s) && s[n] != ' ' && s[n] != '\t' && s[n] != '\r' && s[n] != '\n' && s[n] != '?' {
		n++
	}
	return string(s[:n])
}

func markupWord(s []byte) string {
	n := 0
	for n < len(s) && n < 16 && (s[n] >= 'A' && s[n] <= 'Z' || s[n] >= 'a' && s[n] <= 'z') {
		n++
	}
	return string(s[:n])
}

// declaredEncoding extracts encoding="…" from an XML declaration.
func declaredEncoding(decl []byte) string {
	k := bytes.Index(decl, []byte("encoding"))
	if k < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[k+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	end := bytes.IndexByte(rest[1:], q)
	if end < 0 {
		return ""
	}
	return string(rest[1 : 1+end])
}

// parseResponseXML builds the one tree the pipeline reads from and returns
// its single root element, which must be samlp:Response.
func parseResponseXML(b []byte) (*etree.Element, *APIError) {
	if e := scanXML(b); e != nil {
		return nil, e
	}
	roots, e := buildTree(b)
	if e != nil {
		return nil, e
	}
	if e := singleRoot(roots); e != nil {
		return nil, e
	}
	if e := checkNamespaceNames(roots[0]); e != nil {
		return nil, e
	}
	if e := rootIsResponse(roots[0]); e != nil {
		return nil, e
	}
	return roots[0], nil
}

// buildTree parses the bytes into a tree and returns its root elements
// (at least one).
func buildTree(b []byte) ([]*etree.Element, *APIError) {
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{PreserveDuplicateAttrs: true, MaxDepth: MaxXMLDepth + 1}
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, newError(ReasonResponseMalformed, nil, "the SAMLResponse is not well-formed XML: %v", err)
	}
	var roots []*etree.Element
	var outside *APIError
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Element:
			roots = append(roots, t)
		case *etree.CharData:
			if !t.IsWhitespace() && outside == nil {
				outside = newError(ReasonResponseMalformed, nil, "text %q outside the root element", truncate(strings.TrimSpace(t.Data), 40))
			}
		case *etree.Directive:
			if outside == nil {
				outside = newError(ReasonXMLForbidden, nil, "a <!%s> declaration outside the root element", truncate(t.Data, 20))
			}
		}
	}
	if outside != nil {
		// The tree is returned with the refusal: a caller that ignores
		// what lies outside the root (a test disabling xml-parse) reads it.
		return roots, outside
	}
	if len(roots) == 0 {
		return nil, newError(ReasonResponseMalformed, nil, "the SAMLResponse XML has no root element")
	}
	return roots, nil
}

// singleRoot refuses a document with more than one root element.
func singleRoot(roots []*etree.Element) *APIError {
	if len(roots) > 1 {
		names := make([]string, len(roots))
		for i, r := range roots {
			names[i] = "<" + r.FullTag() + ">"
		}
		return newError(ReasonStructure, nil, "the XML document has %d root elements (%s): exactly one samlp:Response is allowed", len(roots), strings.Join(names, ", "))
	}
	return nil
}

// rootIsResponse refuses a root element other than samlp:Response.
func rootIsResponse(root *etree.Element) *APIError {
	if !isElem(root, wire.NSProtocol, "Response") {
		return newError(ReasonStructure, nil, "the root element is <%s> in namespace %q; expected Response in %s", root.FullTag(), root.NamespaceURI(), wire.NSProtocol)
	}
	return nil
}

// checkNamespaceNames refuses what is not namespace-well-formed (Namespaces in XML
// 1.0) although Go's tokenizer lets it through, and therefore may not
// round-trip: an element or attribute name with an empty local part or a
// second colon (a:, xmlns:=, :=), an undeclared prefix, a prefix
// declaration to the empty string; and an element carrying the same
// attribute twice (not well-formed, a classic parser differential).
func checkNamespaceNames(el *etree.Element) *APIError {
	return checkNamesIn(el, nil)
}

// nsScope is the chain of prefix declarations in scope for an element,
// looked up without scanning every attribute of every ancestor again
// (etree's Attr.NamespaceURI does, which is quadratic in the attributes of
// one element).
type nsScope struct {
	declared map[string]string
	parent   *nsScope
}

func (sc *nsScope) lookup(prefix string) string {
	for ; sc != nil; sc = sc.parent {
		if uri, ok := sc.declared[prefix]; ok {
			return uri
		}
	}
	return ""
}

// checkNamesIn checks el and its descendants with the declarations of
// el's ancestors in parent. Its cost is linear in the attributes: duplicate
// attributes are found with a count per name, prefixes through nsScope.
func checkNamesIn(el *etree.Element, parent *nsScope) *APIError {
	bad := func(format string, args ...any) *APIError {
		return newError(ReasonResponseMalformed, nil, "not namespace-well-formed XML: "+format, args...)
	}
	scope := parent
	for _, a := range el.Attr {
		if a.Space == "xmlns" {
			if scope == parent {
				scope = &nsScope{declared: map[string]string{}, parent: parent}
			}
			if _, dup := scope.declared[a.Key]; !dup {
				scope.declared[a.Key] = a.Value
			}
		}
	}
	if el.Tag == "" || strings.Contains(el.Tag, ":") || strings.Contains(el.Space, ":") {
		return bad("element name %q", el.FullTag())
	}
	if el.Space != "" && el.Space != "xml" && scope.lookup(el.Space) == "" {
		return bad("element <%s> uses the undeclared prefix %q", el.FullTag(), el.Space)
	}
	// remaining counts, per attribute name, the occurrences not yet passed:
	// an attribute with a later twin is the first of a duplicate pair.
	var remaining map[etree.Attr]int
	if len(el.Attr) > 1 {
		remaining = make(map[etree.Attr]int, len(el.Attr))
		for _, a := range el.Attr {
			remaining[etree.Attr{Space: a.Space, Key: a.Key}]++
		}
	}
	for _, a := range el.Attr {
		if a.Key == "" || strings.Contains(a.Key, ":") || strings.Contains(a.Space, ":") {
			return bad("attribute name %q on <%s>", a.FullKey(), el.FullTag())
		}
		switch {
		case a.Space == "xmlns":
			if a.Value == "" {
				return bad("<%s> declares prefix %q as the empty namespace", el.FullTag(), a.Key)
			}
		case a.Space != "" && a.Space != "xml" && scope.lookup(a.Space) == "":
			return bad("attribute %s on <%s> uses the undeclared prefix %q", a.FullKey(), el.FullTag(), a.Space)
		}
		if remaining != nil {
			k := etree.Attr{Space: a.Space, Key: a.Key}
			remaining[k]--
			if remaining[k] > 0 {
				return newError(ReasonResponseMalformed, nil, "element <%s> has attribute %s twice", el.FullTag(), a.FullKey())
			}
		}
	}
	for _, c := range el.ChildElements() {
		if e := checkNamesIn(c, scope); e != nil {
			return e
		}
	}
	return nil
}
