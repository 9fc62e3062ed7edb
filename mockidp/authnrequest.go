package mockidp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Bounds on an incoming AuthnRequest.
const (
	maxEncodedRequest  = 64 << 10  // the SAMLRequest parameter as received
	maxInflatedRequest = 256 << 10 // the XML after inflating
	maxRequestDepth    = 32
)

// authnRequest is what the IdP uses from an AuthnRequest.
type authnRequest struct {
	ID          string
	Issuer      string
	ACSURL      string
	Destination string
	ForceAuthn  bool
	IsPassive   bool
}

func badRequest(reason RequestReason, what, todo string) *Error {
	return &Error{Code: CodeBadSAMLRequest, Reason: reason, Message: what + ". " + todo}
}

// decodeBase64 decodes a SAMLRequest, tolerating line breaks and the
// spaces a form decoder leaves where '+' was not percent-encoded.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\t':
			return -1
		case ' ':
			return '+'
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

// decodeRedirectRequest decodes an HTTP-Redirect binding SAMLRequest:
// base64 of the DEFLATE-compressed (raw, RFC 1951) XML.
func decodeRedirectRequest(samlRequest string) (*authnRequest, error) {
	raw, err := decodeBinding(samlRequest, true)
	if err != nil {
		return nil, err
	}
	return parseAuthnRequest(raw)
}

// decodeBinding returns the AuthnRequest XML of a SAMLRequest parameter:
// on the HTTP-Redirect binding base64 of raw DEFLATE data, on HTTP-POST
// base64 of the XML (a deflated one is accepted too).
func decodeBinding(samlRequest string, redirect bool) ([]byte, error) {
	if strings.TrimSpace(samlRequest) == "" {
		return nil, badRequest(ReasonMissing, "The request has no SAMLRequest parameter",
			"Start sign-in from the service provider so that it sends an AuthnRequest in the SAMLRequest parameter")
	}
	if len(samlRequest) > maxEncodedRequest {
		return nil, badRequest(ReasonTooLarge, fmt.Sprintf("The SAMLRequest parameter is %d bytes, more than the %d bytes accepted", len(samlRequest), maxEncodedRequest),
			"Send a normal-sized AuthnRequest")
	}
	data, err := decodeBase64(samlRequest)
	if err != nil {
		return nil, badRequest(ReasonNotBase64, fmt.Sprintf("The SAMLRequest parameter is not valid base64 (%s)", echo(err.Error())),
			"Encode the AuthnRequest with standard base64 and percent-encode it in the URL or form")
	}
	if redirect {
		return inflate(data)
	}
	// HTTP-POST: the XML itself; a deflated request is accepted too.
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '<' {
		return data, nil
	}
	if inflated, err := inflate(data); err == nil {
		return inflated, nil
	} else if e, ok := err.(*Error); ok && e.Reason == ReasonInflatedTooLarge {
		return nil, err
	}
	return nil, badRequest(ReasonNotDeflate, "The SAMLRequest parameter decodes to neither XML nor DEFLATE data",
		"On the HTTP-POST binding, send the AuthnRequest XML base64-encoded")
}

var flateReaders sync.Pool

// inflate decompresses raw DEFLATE data, refusing more than
// maxInflatedRequest bytes of output (a deflate bomb stops there).
func inflate(data []byte) ([]byte, error) {
	// Readers are pooled: each holds a 32 KiB window.
	r, ok := flateReaders.Get().(io.ReadCloser)
	if ok {
		if err := r.(flate.Resetter).Reset(bytes.NewReader(data), nil); err != nil {
			ok = false
		}
	}
	if !ok {
		r = flate.NewReader(bytes.NewReader(data))
	}
	defer flateReaders.Put(r)
	out, err := io.ReadAll(io.LimitReader(r, maxInflatedRequest+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, badRequest(ReasonNotDeflate, fmt.Sprintf("The SAMLRequest parameter is not DEFLATE-compressed (%v)", err),
			"On the HTTP-Redirect binding, compress the AuthnRequest with raw DEFLATE (RFC 1951, no zlib header) before base64-encoding it")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, badRequest(ReasonTruncated, "The SAMLRequest parameter's DEFLATE data is truncated",
			"Send the whole compressed AuthnRequest (check that the URL was not cut)")
	}
	if len(out) > maxInflatedRequest {
		return nil, badRequest(ReasonInflatedTooLarge, fmt.Sprintf("The SAMLRequest parameter inflates to more than %d bytes", maxInflatedRequest),
			"Send a normal-sized AuthnRequest")
	}
	return out, nil
}

// parseAuthnRequest parses and checks the AuthnRequest XML.
func parseAuthnRequest(raw []byte) (*authnRequest, error) {
	if len(raw) > maxInflatedRequest {
		return nil, badRequest(ReasonTooLarge, fmt.Sprintf("The AuthnRequest is %d bytes, more than the %d bytes accepted", len(raw), maxInflatedRequest),
			"Send a normal-sized AuthnRequest")
	}
	lower := bytes.ToLower(raw)
	if bytes.Contains(lower, []byte("<!doctype")) || bytes.Contains(lower, []byte("<!entity")) {
		return nil, badRequest(ReasonDoctype, "The AuthnRequest contains a DOCTYPE declaration, which is refused (it can define entities that expand or read files)",
			"Send the AuthnRequest without a DOCTYPE")
	}
	if err := checkMarkupBudget(raw); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = maxRequestDepth
	if err := doc.ReadFromBytes(raw); err != nil {
		if errors.Is(err, etree.ErrMaxDepth) {
			return nil, badRequest(ReasonTooDeep, fmt.Sprintf("The AuthnRequest nests elements more than %d levels deep", maxRequestDepth),
				"Send a normal AuthnRequest")
		}
		return nil, badRequest(ReasonNotXML, fmt.Sprintf("The SAMLRequest is not well-formed XML (%s)", echo(err.Error())),
			"Send a well-formed samlp:AuthnRequest")
	}
	root := doc.Root()
	if root == nil {
		return nil, badRequest(ReasonNotXML, "The SAMLRequest contains no XML element", "Send a samlp:AuthnRequest")
	}
	if root.Tag != "AuthnRequest" || root.NamespaceURI() != wire.NSProtocol {
		ns := root.NamespaceURI()
		if ns == "" {
			ns = "no namespace"
		}
		return nil, badRequest(ReasonNotAuthnRequest, fmt.Sprintf("The SAMLRequest is a <%s> element in %s, not an AuthnRequest", echo(root.Tag), echo(ns)),
			"Send an AuthnRequest element in the namespace "+wire.NSProtocol)
	}
	ar := &authnRequest{
		ID:          root.SelectAttrValue("ID", ""),
		ACSURL:      root.SelectAttrValue("AssertionConsumerServiceURL", ""),
		Destination: root.SelectAttrValue("Destination", ""),
		ForceAuthn:  isTrue(root.SelectAttrValue("ForceAuthn", "")),
		IsPassive:   isTrue(root.SelectAttrValue("IsPassive", "")),
	}
	if strings.TrimSpace(ar.ID) == "" {
		return nil, badRequest(ReasonNoID, "The AuthnRequest has no ID attribute", "Give the AuthnRequest a unique ID (e.g. _ followed by 32 hex digits): the response answers it in InResponseTo")
	}
	for _, c := range root.ChildElements() {
		if c.Tag == "Issuer" {
			ar.Issuer = strings.TrimSpace(c.Text())
		}
	}
	return ar, nil
}

func isTrue(v string) bool { return v == "true" || v == "1" }
