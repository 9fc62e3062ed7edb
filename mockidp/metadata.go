package mockidp

import (
	"bytes"
	"fmt"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// xmlDecl is the XML declaration Okta writes, with nothing after it before
// the root element.
const xmlDecl = `version="1.0" encoding="UTF-8"`

// writeSettings serialize like Okta's Java serializer: &, < and > escaped in
// text, &, < and " in attribute values, empty elements self-closed.
var writeSettings = etree.WriteSettings{CanonicalText: true, CanonicalAttrVal: true}

func serialize(doc *etree.Document) ([]byte, error) {
	doc.WriteSettings = writeSettings
	var buf bytes.Buffer
	buf.Grow(8192)
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// metadataNameIDFormats lists the configured format first, then one more,
// as Okta's metadata does ([unspecified, emailAddress] for the default).
func metadataNameIDFormats(f NameIDFormat) []string {
	if f == NameIDUnspecified || f == "" {
		return []string{wire.NameIDUnspecified, wire.NameIDEmailAddress}
	}
	return []string{f.URN(), wire.NameIDUnspecified}
}

// Metadata returns the app's IdP metadata, shaped like Okta's: one line
// after the XML declaration, md: prefix, WantAuthnRequestsSigned="false",
// one signing KeyDescriptor with the active certificate (base64 wrapped at
// 76 characters), the NameIDFormat list, and the SSO URL for HTTP-POST then
// HTTP-Redirect. It needs the base URL.
func (idp *IdP) Metadata(appID string) ([]byte, error) {
	idp.mu.RLock()
	a, err := idp.appLocked(appID)
	if err != nil {
		idp.mu.RUnlock()
		return nil, err
	}
	app := idp.appCopyLocked(a)
	active := a.active()
	idp.mu.RUnlock()
	if app.SignOnURL == "" {
		return nil, newError(CodeBaseURLUnset, "the IdP's base URL is not set: call SetBaseURL with the listener's URL (e.g. http://127.0.0.1:PORT) first")
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", xmlDecl)
	ed := doc.CreateElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", wire.NSMetadata)
	ed.CreateAttr("entityID", app.EntityID)
	desc := ed.CreateElement("md:IDPSSODescriptor")
	desc.CreateAttr("WantAuthnRequestsSigned", "false")
	desc.CreateAttr("protocolSupportEnumeration", wire.NSProtocol)
	kd := desc.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	ki := kd.CreateElement("ds:KeyInfo")
	ki.CreateAttr("xmlns:ds", wire.NSDSig)
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(active.b64)
	for _, f := range metadataNameIDFormats(app.Settings.nameIDFormat()) {
		desc.CreateElement("md:NameIDFormat").SetText(f)
	}
	for _, b := range []string{wire.BindingHTTPPost, wire.BindingHTTPRedirect} {
		sso := desc.CreateElement("md:SingleSignOnService")
		sso.CreateAttr("Binding", b)
		sso.CreateAttr("Location", app.SignOnURL)
	}
	out, err := serialize(doc)
	if err != nil {
		return nil, wrapError(CodeResponseFailed, fmt.Sprintf("cannot serialize the metadata of app %s", appID), err)
	}
	return out, nil
}
