package runner

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// page is a parsed HTML document the driver reads the way a browser user
// would: forms, marked elements and script state, never by status code alone.
type page struct {
	root *html.Node
}

func parsePage(body []byte) (*page, error) {
	n, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return &page{root: n}, nil
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// find returns the first element (document order) for which match is true.
func (p *page) find(match func(*html.Node) bool) *html.Node {
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
func (p *page) byID(id string) *html.Node {
	return p.find(func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
}

// withAttr returns the first element carrying the attribute.
func (p *page) withAttr(name string) *html.Node {
	return p.find(func(n *html.Node) bool { _, ok := attr(n, name); return ok })
}

// attrOf returns an attribute of the first element that carries it.
func (p *page) attrOf(name string) string {
	if n := p.withAttr(name); n != nil {
		v, _ := attr(n, name)
		return v
	}
	return ""
}

// title returns the page title.
func (p *page) title() string {
	n := p.find(func(n *html.Node) bool { return n.Data == "title" })
	if n == nil {
		return ""
	}
	return strings.TrimSpace(text(n))
}

// text returns the text content of n.
func text(n *html.Node) string {
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

// form is an HTML form as a browser would submit it.
type form struct {
	Method string
	Action string
	Fields map[string][]string
}

// formByID returns the form with the given id and its named inputs.
func (p *page) formByID(id string) (*form, bool) {
	n := p.byID(id)
	if n == nil || n.Data != "form" {
		return nil, false
	}
	return formOf(n), true
}

// formOf reads a form element's method, action and named inputs.
func formOf(n *html.Node) *form {
	f := &form{Fields: map[string][]string{}}
	f.Method, _ = attr(n, "method")
	f.Action, _ = attr(n, "action")
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		if c.Type == html.ElementNode && (c.Data == "input" || c.Data == "textarea") {
			if name, ok := attr(c, "name"); ok {
				v, _ := attr(c, "value")
				if c.Data == "textarea" {
					v = text(c)
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
