// Package htmlpage reads the HTML pages the protocol driver meets, as a
// browser would: elements by ID or attribute, titles, text, and forms with
// their fields (an IdP's auto-submitting POST Form, a sign-in Form).
package htmlpage

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// Page is a parsed HTML document the driver reads the way a browser user
// would: forms, marked elements and script state, never by status code alone.
type Page struct {
	root *html.Node
}

func Parse(body []byte) (*Page, error) {
	n, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return &Page{root: n}, nil
}

func Attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// find returns the first element (document order) for which match is true.
func (p *Page) Find(match func(*html.Node) bool) *html.Node {
	var walk func(*html.Node) *html.Node
	walk = func(n *html.Node) *html.Node {
		if n.Type == html.ElementNode && match(n) {
			return n
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if f := walk(c); f != nil {
				return f
			}
		}
		return nil
	}
	return walk(p.root)
}

// byID returns the element with the given id.
func (p *Page) ByID(id string) *html.Node {
	return p.Find(func(n *html.Node) bool { v, _ := Attr(n, "id"); return v == id })
}

// withAttr returns the first element carrying the attribute.
func (p *Page) WithAttr(name string) *html.Node {
	return p.Find(func(n *html.Node) bool { _, ok := Attr(n, name); return ok })
}

// attrOf returns an attribute of the first element that carries it.
func (p *Page) AttrOf(name string) string {
	if n := p.WithAttr(name); n != nil {
		v, _ := Attr(n, name)
		return v
	}
	return ""
}

// title returns the Page title.
func (p *Page) Title() string {
	n := p.Find(func(n *html.Node) bool { return n.Data == "title" })
	if n == nil {
		return ""
	}
	return strings.TrimSpace(Text(n))
}

// text returns the text content of n.
func Text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// Form is an HTML Form as a browser would submit it.
type Form struct {
	Method string
	Action string
	Fields map[string][]string
}

// formByID returns the Form with the given id and its named inputs.
func (p *Page) FormByID(id string) (*Form, bool) {
	n := p.ByID(id)
	if n == nil || n.Data != "form" {
		return nil, false
	}
	return FormOf(n), true
}

// formOf reads a Form element's method, action and named inputs.
func FormOf(n *html.Node) *Form {
	f := &Form{Fields: map[string][]string{}}
	f.Method, _ = Attr(n, "method")
	f.Action, _ = Attr(n, "action")
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		if c.Type == html.ElementNode && (c.Data == "input" || c.Data == "textarea") {
			if name, ok := Attr(c, "name"); ok {
				v, _ := Attr(c, "value")
				if c.Data == "textarea" {
					v = Text(c)
				}
				f.Fields[name] = append(f.Fields[name], v)
			}
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return f
}

// FormWithInput returns the first form that has an input of that name.
func (p *Page) FormWithInput(name string) (*Form, bool) {
	n := p.Find(func(n *html.Node) bool {
		if n.Data != "form" {
			return false
		}
		sub := &Page{root: n}
		return sub.Find(func(c *html.Node) bool { v, _ := Attr(c, "name"); return c.Data == "input" && v == name }) != nil
	})
	if n == nil {
		return nil, false
	}
	return FormOf(n), true
}
