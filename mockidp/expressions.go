package mockidp

import (
	"fmt"
	"strings"
)

// expr is a compiled Okta expression (the subset of the Okta Expression
// Language that attribute statements and custom application usernames use),
// evaluated against a user profile.
type expr func(u *User) string

// Grammar:
//
//	expr  = term { "+" term }
//	term  = string | "user." attr | "String." func "(" expr { "," expr } ")"
//	attr  = login | email | firstName | lastName
//	func  = substringBefore(s, sep) | substringAfter(s, sep) | toLowerCase(s) | toUpperCase(s)
//
// Strings are in double or single quotes; \" and \\ escape.

const maxExprLen = 1024

var userAttrs = map[string]func(u *User) string{
	"login":     func(u *User) string { return u.Login },
	"email":     func(u *User) string { return u.Email },
	"firstName": func(u *User) string { return u.FirstName },
	"lastName":  func(u *User) string { return u.LastName },
}

type exprFunc struct {
	arity int
	apply func(args []string) string
}

var exprFuncs = map[string]exprFunc{
	"substringBefore": {2, func(a []string) string {
		if i := strings.Index(a[0], a[1]); i >= 0 {
			return a[0][:i]
		}
		return a[0]
	}},
	"substringAfter": {2, func(a []string) string {
		if i := strings.Index(a[0], a[1]); i >= 0 {
			return a[0][i+len(a[1]):]
		}
		return ""
	}},
	"toLowerCase": {1, func(a []string) string { return strings.ToLower(a[0]) }},
	"toUpperCase": {1, func(a []string) string { return strings.ToUpper(a[0]) }},
}

// parseExpr compiles src or says exactly what is wrong with it.
func parseExpr(src string) (expr, error) {
	if len(src) > maxExprLen {
		return nil, fmt.Errorf("the expression is longer than %d characters", maxExprLen)
	}
	p := &exprParser{src: src}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.src[p.pos:], p.pos+1)
	}
	return e, nil
}

type exprParser struct {
	src string
	pos int
}

func (p *exprParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *exprParser) expr(depth int) (expr, error) {
	if depth > 16 {
		return nil, fmt.Errorf("the expression nests too deeply")
	}
	first, err := p.term(depth)
	if err != nil {
		return nil, err
	}
	terms := []expr{first}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '+' {
			break
		}
		p.pos++
		t, err := p.term(depth)
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return func(u *User) string {
		var b strings.Builder
		for _, t := range terms {
			b.WriteString(t(u))
		}
		return b.String()
	}, nil
}

func (p *exprParser) ident() string {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			p.pos++
			continue
		}
		break
	}
	return p.src[start:p.pos]
}

func (p *exprParser) term(depth int) (expr, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, fmt.Errorf("the expression ends where a value was expected (user.login, user.email, a \"string\" or String.toLowerCase(...))")
	}
	if c := p.src[p.pos]; c == '"' || c == '\'' {
		s, err := p.str(c)
		if err != nil {
			return nil, err
		}
		return func(*User) string { return s }, nil
	}
	at := p.pos + 1
	name := p.ident()
	switch {
	case strings.HasPrefix(name, "user."):
		attr := strings.TrimPrefix(name, "user.")
		get, ok := userAttrs[attr]
		if !ok {
			return nil, fmt.Errorf("unknown user attribute %q at position %d (known: user.login, user.email, user.firstName, user.lastName)", name, at)
		}
		return get, nil
	case strings.HasPrefix(name, "String."):
		fn := strings.TrimPrefix(name, "String.")
		f, ok := exprFuncs[fn]
		if !ok {
			return nil, fmt.Errorf("unknown function %q at position %d (known: String.substringBefore, String.substringAfter, String.toLowerCase, String.toUpperCase)", name, at)
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '(' {
			return nil, fmt.Errorf("%s at position %d must be followed by its arguments in parentheses", name, at)
		}
		p.pos++
		var args []expr
		for {
			a, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			p.skipSpace()
			if p.pos < len(p.src) && p.src[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.pos < len(p.src) && p.src[p.pos] == ')' {
				p.pos++
				break
			}
			return nil, fmt.Errorf("missing ')' to close %s opened at position %d", name, at)
		}
		if len(args) != f.arity {
			return nil, fmt.Errorf("%s takes %d argument(s), not %d", name, f.arity, len(args))
		}
		return func(u *User) string {
			vals := make([]string, len(args))
			for i, a := range args {
				vals[i] = a(u)
			}
			return f.apply(vals)
		}, nil
	case name == "":
		return nil, fmt.Errorf("unexpected %q at position %d", p.src[p.pos:p.pos+1], at)
	default:
		return nil, fmt.Errorf("unknown name %q at position %d (expected user.<attribute>, String.<function>(...) or a quoted string)", name, at)
	}
}

func (p *exprParser) str(quote byte) (string, error) {
	start := p.pos + 1
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.src):
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		case c == quote:
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", fmt.Errorf("the string starting at position %d is not closed", start)
}
