package diagnose

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// OktaSettings is the Okta app's SAML settings, by the names of the admin
// API's JSON (the SAML settings page's fields: "Single sign-on URL",
// "Use this for Recipient URL and Destination URL", "Audience URI (SP Entity
// ID)", "Name ID format", "Application username", …). Empty means not given.
type OktaSettings struct {
	SSOURL                          string `json:"ssoUrl"`
	SeparateRecipientAndDestination bool   `json:"separateRecipientAndDestination,omitempty"`
	RecipientURL                    string `json:"recipientUrl,omitempty"`
	DestinationURL                  string `json:"destinationUrl,omitempty"`
	AudienceURI                     string `json:"audienceUri"`
	NameIDFormat                    string `json:"nameIdFormat,omitempty"`
	ApplicationUsername             string `json:"applicationUsername,omitempty"`
	Response                        string `json:"response,omitempty"`
	AssertionSignature              string `json:"assertionSignature,omitempty"`
	SignatureAlgorithm              string `json:"signatureAlgorithm,omitempty"`
	DigestAlgorithm                 string `json:"digestAlgorithm,omitempty"`
	AssertionEncryption             string `json:"assertionEncryption,omitempty"`
	SAMLIssuerID                    string `json:"samlIssuerId,omitempty"`
}

// recipient and destination are what Okta puts in the response.
func (s OktaSettings) recipient() string {
	if s.SeparateRecipientAndDestination {
		return s.RecipientURL
	}
	return s.SSOURL
}

func (s OktaSettings) destination() string {
	if s.SeparateRecipientAndDestination {
		return s.DestinationURL
	}
	return s.SSOURL
}

// ParseOktaSettings reads the Okta app's SAML settings: either the settings
// object itself or an app object with a "settings" member (as the admin
// API's GET /api/v1/apps/{id} answers).
func ParseOktaSettings(data []byte) (OktaSettings, error) {
	if err := checkSize("Okta settings file", len(data), MaxConfigBytes, "the Okta app's SAML settings as JSON, a few KB"); err != nil {
		return OktaSettings{}, err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return OktaSettings{}, errorf(ErrOktaSettings, "the Okta settings are not valid JSON: %s. Expected the Okta app's SAML settings, e.g. {\"ssoUrl\":\"https://elevenlabs.io/__/auth/handler\",\"audienceUri\":\"https://elevenlabs.io\",\"nameIdFormat\":\"EmailAddress\",\"applicationUsername\":\"Email\"}", jsonErrorAt(data, err))
	}
	if inner, ok := probe["settings"]; ok {
		data = inner
	}
	var s OktaSettings
	if err := json.Unmarshal(data, &s); err != nil {
		return OktaSettings{}, errorf(ErrOktaSettings, "the Okta settings cannot be read: %s", jsonErrorAt(data, err))
	}
	if s == (OktaSettings{}) {
		return OktaSettings{}, errorf(ErrOktaSettings, "the Okta settings name none of the SAML settings this tool reads (ssoUrl, audienceUri, nameIdFormat, applicationUsername, response, assertionSignature, …)")
	}
	return s, nil
}

// Metadata is what the IdP metadata says.
type Metadata struct {
	EntityID string `json:"entityId"`
	// SSOLocations are the SingleSignOnService Locations.
	SSOLocations []string `json:"ssoLocations"`
	// Certificates are the signing certificates of the KeyDescriptors.
	Certificates []*x509.Certificate `json:"-"`
}

// ParseMetadata reads IdP metadata XML (Okta's one-line EntityDescriptor).
func ParseMetadata(data []byte) (Metadata, error) {
	if err := checkSize("metadata file", len(data), MaxConfigBytes, "Okta's IdP metadata XML, a few KB"); err != nil {
		return Metadata{}, err
	}
	expected := "Expected Okta's IdP metadata XML (<md:EntityDescriptor entityID=\"http://www.okta.com/exk…\"> from the app's Sign On tab → View IdP metadata)"
	if bytes.Contains(data, []byte("<!DOCTYPE")) || bytes.Contains(data, []byte("<!ENTITY")) {
		return Metadata{}, errorf(ErrMetadata, "the metadata contains a DOCTYPE or entity declaration, which is refused. %s", expected)
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{MaxDepth: 64}
	if err := doc.ReadFromBytes(data); err != nil {
		return Metadata{}, errorf(ErrMetadata, "the metadata is not well-formed XML: %v. %s", err, expected)
	}
	root := doc.Root()
	if root == nil || root.Tag != "EntityDescriptor" || root.NamespaceURI() != wire.NSMetadata {
		found := "missing: the file is not XML"
		if root != nil {
			found = "<" + root.FullTag() + ">"
		}
		return Metadata{}, errorf(ErrMetadata, "the metadata's root is %s. %s", found, expected)
	}
	md := Metadata{EntityID: strings.TrimSpace(root.SelectAttrValue("entityID", ""))}
	seenLoc := map[string]bool{}
	for _, desc := range root.ChildElements() {
		if desc.Tag != "IDPSSODescriptor" || desc.NamespaceURI() != wire.NSMetadata {
			continue
		}
		for _, kd := range desc.ChildElements() {
			switch {
			case kd.Tag == "KeyDescriptor" && kd.NamespaceURI() == wire.NSMetadata:
				if use := kd.SelectAttrValue("use", ""); use != "" && use != "signing" {
					continue
				}
				for _, xc := range kd.FindElements(".//X509Certificate") {
					if xc.NamespaceURI() != wire.NSDSig {
						continue
					}
					der, err := base64.StdEncoding.DecodeString(stripSpace(xc.Text()))
					if err != nil {
						return Metadata{}, errorf(ErrMetadata, "the metadata's ds:X509Certificate is not base64: %v", err)
					}
					c, err := x509.ParseCertificate(der)
					if err != nil {
						return Metadata{}, errorf(ErrMetadata, "the metadata's ds:X509Certificate is not a certificate: %v", err)
					}
					if len(md.Certificates) == MaxMetadataCertificates {
						return Metadata{}, errorf(ErrInputTooLarge, "the metadata lists more than %d signing certificates. %s", MaxMetadataCertificates, expected)
					}
					md.Certificates = append(md.Certificates, c)
				}
			case kd.Tag == "SingleSignOnService" && kd.NamespaceURI() == wire.NSMetadata:
				if loc := strings.TrimSpace(kd.SelectAttrValue("Location", "")); loc != "" && !seenLoc[loc] {
					seenLoc[loc] = true
					md.SSOLocations = append(md.SSOLocations, loc)
				}
			}
		}
	}
	if md.EntityID == "" {
		return Metadata{}, errorf(ErrMetadata, "the metadata's EntityDescriptor has no entityID. %s", expected)
	}
	return md, nil
}

// stripSpace removes the whitespace base64 may be wrapped with.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}
