package mockidp

import (
	"bytes"
	"fmt"
)

// The markup budget of an AuthnRequest. Building the element tree costs
// about a microsecond per element or attribute, so a request of a few
// hundred kilobytes made only of "<e/>" or ` a="1"` would cost a thousand
// times a normal one. Before the tree is built, one pass over the bytes
// counts elements and attributes and refuses the request as soon as a count
// passes its bound, so every input up to maxInflatedRequest costs at most
// that pass plus the tree of a request within budget.
//
// The bounds are policy, chosen far above what a real AuthnRequest carries:
// about twelve attributes on the root (ID, Version, IssueInstant,
// Destination, AssertionConsumerServiceURL, ProtocolBinding, ForceAuthn,
// IsPassive, ProviderName, namespace declarations, …) and fewer than twenty
// elements even with an enveloped ds:Signature and Extensions.
const (
	maxRequestNodes      = 256 // elements, comments, CDATA sections and processing instructions in the whole request
	maxRequestAttributes = 64  // attributes (namespace declarations included) on one element
	maxRequestAttrsTotal = 512 // attributes in the whole request
)

// checkMarkupBudget counts nodes (start tags, comments, CDATA sections,
// processing instructions) and the attributes in start tags, skipping
// attribute values, and refuses the request when a bound is passed. It does not check
// well-formedness (the XML parser does); a malformed request can only be
// counted wrongly in a way the parser then refuses.
func checkMarkupBudget(raw []byte) *Error {
	nodes, total := 0, 0
	for i := 0; i < len(raw); {
		lt := bytes.IndexByte(raw[i:], '<')
		if lt < 0 {
			return nil
		}
		i += lt + 1
		if i >= len(raw) {
			return nil
		}
		if raw[i] == '/' {
			i = skipPast(raw, i+1, ">") // an end tag
			continue
		}
		// An element, a comment, a CDATA section or a processing
		// instruction: each is a node of the tree.
		nodes++
		if nodes > maxRequestNodes {
			return badRequest(ReasonTooManyElements, fmt.Sprintf("The AuthnRequest has more than %d elements, comments and other nodes", maxRequestNodes),
				"Send a normal AuthnRequest")
		}
		switch {
		case bytes.HasPrefix(raw[i:], []byte("!--")):
			i = skipPast(raw, i+3, "-->")
			continue
		case bytes.HasPrefix(raw[i:], []byte("![CDATA[")):
			i = skipPast(raw, i+8, "]]>")
			continue
		case raw[i] == '?':
			i = skipPast(raw, i+1, "?>")
			continue
		case raw[i] == '!':
			i = skipPast(raw, i+1, ">")
			continue
		}
		// Inside a start tag: count '=' outside quoted values.
		attrs := 0
		for ; i < len(raw) && raw[i] != '>'; i++ {
			switch raw[i] {
			case '"', '\'':
				end := bytes.IndexByte(raw[i+1:], raw[i])
				if end < 0 {
					return nil // unterminated value: the parser refuses it
				}
				i += end + 1
			case '=':
				attrs++
				total++
				if attrs > maxRequestAttributes {
					return badRequest(ReasonTooManyAttributes, fmt.Sprintf("An element of the AuthnRequest has more than %d attributes", maxRequestAttributes),
						"Send a normal AuthnRequest")
				}
				if total > maxRequestAttrsTotal {
					return badRequest(ReasonTooManyAttributes, fmt.Sprintf("The AuthnRequest has more than %d attributes in all", maxRequestAttrsTotal),
						"Send a normal AuthnRequest")
				}
			}
		}
	}
	return nil
}

// skipPast returns the index just past the first end at or after from, or
// len(raw) when there is none.
func skipPast(raw []byte, from int, end string) int {
	if from > len(raw) {
		return len(raw)
	}
	k := bytes.Index(raw[from:], []byte(end))
	if k < 0 {
		return len(raw)
	}
	return from + k + len(end)
}
