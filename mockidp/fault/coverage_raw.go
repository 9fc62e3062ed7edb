package fault

import (
	"bytes"
	"fmt"
)

// Raw-text faults added for the attack catalogue's coverage: what the element
// tree cannot write, an odd XML declaration (encoding-declaration-tricks) and
// an attribute written twice (duplicate-attributes-on-element).

func init() {
	registerXMLDeclaration()
	registerDuplicateAttribute()
}

var covDeclarations = map[string]string{
	"utf-16":         `<?xml version="1.0" encoding="UTF-16"?>`,
	"euc-jp":         `<?xml version="1.0" encoding="EUC-JP"?>`,
	"iso-8859-1":     `<?xml version="1.0" encoding="ISO-8859-1"?>`,
	"version-1.1":    `<?xml version="1.1" encoding="UTF-8"?>`,
	"bom-utf8":       "\xef\xbb\xbf" + `<?xml version="1.0" encoding="UTF-8"?>`,
	"bom-utf16-decl": "\xef\xbb\xbf" + `<?xml version="1.0" encoding="UTF-16"?>`,
}

func registerXMLDeclaration() {
	Register(Spec{
		Name: "xml-declaration", Stage: StagePostSign,
		Summary: "replace (or add) the XML declaration of the UTF-8 document (encoding-declaration-tricks): utf-16, euc-jp or iso-8859-1 declare an encoding the bytes are not in; version-1.1 declares XML 1.1; bom-utf8 adds a byte order mark; bom-utf16-decl a UTF-8 BOM before a UTF-16 declaration. The signed content is untouched",
		Params: []ParamSpec{
			{Name: "form", Default: "utf-16", Values: []string{"utf-16", "euc-jp", "iso-8859-1", "version-1.1", "bom-utf8", "bom-utf16-decl"}, Summary: "the declaration written"},
		},
		Apply: func(c *Context, f Fault) error {
			decl, ok := covDeclarations[f.Param("form", "utf-16")]
			if !ok {
				return fmt.Errorf("xml-declaration: unknown form %q", f.Param("form", ""))
			}
			c.RawEdits = append(c.RawEdits, func(raw []byte) ([]byte, error) {
				body := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
				if bytes.HasPrefix(body, []byte("<?xml")) {
					end := bytes.Index(body, []byte("?>"))
					if end < 0 {
						return nil, fmt.Errorf("xml-declaration: unterminated declaration")
					}
					body = bytes.TrimLeft(body[end+2:], " \t\r\n")
				}
				return append([]byte(decl), body...), nil
			})
			return nil
		},
	})
}

func registerDuplicateAttribute() {
	Register(Spec{
		Name: "duplicate-attribute", Stage: StagePostSign,
		Summary: "write an attribute of the root Response a second time with another value (duplicate-attributes-on-element): a parser that keeps the first and one that keeps the last see different documents; XML forbids it",
		Params: []ParamSpec{
			{Name: "attr", Default: "Destination", Summary: "the attribute written twice"},
			{Name: "value", Default: "https://evil.example/acs", Summary: "the second value"},
		},
		Apply: func(c *Context, f Fault) error {
			attr, value := f.Param("attr", "Destination"), f.Param("value", "https://evil.example/acs")
			if c.Doc == nil || c.Doc.Root() == nil || c.Doc.Root().SelectAttr(attr) == nil {
				return fmt.Errorf("duplicate-attribute: the Response has no %s attribute to duplicate", attr)
			}
			c.RawEdits = append(c.RawEdits, func(raw []byte) ([]byte, error) {
				i := covRootNameEnd(raw)
				if i < 0 {
					return nil, fmt.Errorf("duplicate-attribute: no root start tag")
				}
				var esc bytes.Buffer
				esc.WriteString(` ` + attr + `="`)
				for _, r := range value {
					switch r {
					case '"':
						esc.WriteString("&quot;")
					case '&':
						esc.WriteString("&amp;")
					case '<':
						esc.WriteString("&lt;")
					default:
						esc.WriteRune(r)
					}
				}
				esc.WriteString(`"`)
				out := append([]byte(nil), raw[:i]...)
				out = append(out, esc.Bytes()...)
				return append(out, raw[i:]...), nil
			})
			return nil
		},
	})
}

// covRootNameEnd returns the offset just after the root element's name in
// raw, skipping the declaration, comments and processing instructions.
func covRootNameEnd(raw []byte) int {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '<' || i+1 >= len(raw) || raw[i+1] == '?' || raw[i+1] == '!' {
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != ' ' && raw[j] != '>' && raw[j] != '/' && raw[j] != '\t' && raw[j] != '\n' && raw[j] != '\r' {
			j++
		}
		return j
	}
	return -1
}
