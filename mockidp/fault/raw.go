package fault

import (
	"bytes"
	"fmt"

	"github.com/beevik/etree"
)

// Post-sign faults that need constructs the element tree cannot express
// (entity references, malformed names, DOCTYPE tricks, huge payloads) put a
// placeholder token ("samlharness-raw-N", unique within the response) in the
// tree where the construct belongs and queue a RawEdit that replaces the
// token's serialized form with the raw bytes. Copies of the token made by
// later faults are replaced too.

// newToken returns a placeholder token unique within this response.
func (c *Context) newToken() string {
	c.rawSeq++
	return fmt.Sprintf("samlharness-raw-%d", c.rawSeq)
}

// replaceRaw queues a RawEdit replacing every occurrence of find in the
// serialized document with what build returns (built only then).
func (c *Context) replaceRaw(find string, build func() []byte) {
	c.RawEdits = append(c.RawEdits, func(raw []byte) ([]byte, error) {
		if !bytes.Contains(raw, []byte(find)) {
			return nil, fmt.Errorf("placeholder %q is no longer in the document (did a later fault remove it?)", find)
		}
		return bytes.ReplaceAll(raw, []byte(find), build()), nil
	})
}

// rawBytes returns a builder of fixed bytes.
func rawBytes(s string) func() []byte { return func() []byte { return []byte(s) } }

// commentPlaceholder returns a comment whose serialized form is replaced by
// what build returns.
func (c *Context) commentPlaceholder(build func() []byte) *etree.Comment {
	tok := c.newToken()
	c.replaceRaw("<!--"+tok+"-->", build)
	return etree.NewComment(tok)
}

// textPlaceholder returns text that is replaced by raw (which may hold
// entity or character references the tree would escape).
func (c *Context) textPlaceholder(raw string) string {
	tok := c.newToken()
	c.replaceRaw(tok, rawBytes(raw))
	return tok
}

// attrPlaceholder adds to el an attribute whose serialized form (token="")
// is replaced by what build returns, which may be anything a start tag can
// hold.
func (c *Context) attrPlaceholder(el *etree.Element, build func() []byte) {
	tok := c.newToken()
	c.replaceRaw(tok+`=""`, build)
	el.CreateAttr(tok, "")
}

// beforeRoot inserts a token just before the root element (after the XML
// declaration and any DOCTYPE already there).
func beforeRoot(doc *etree.Document, t etree.Token) error {
	root := doc.Root()
	if root == nil {
		return fmt.Errorf("the response document is empty")
	}
	doc.InsertChildAt(root.Index(), t)
	return nil
}

// afterRoot appends a token after the root element.
func afterRoot(doc *etree.Document, t etree.Token) error {
	if doc.Root() == nil {
		return fmt.Errorf("the response document is empty")
	}
	doc.AddChild(t)
	return nil
}
