package mockidp_test

import (
	"crypto/rsa"
	"encoding/xml"
	"fmt"
	"log"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
)

// An SP developer tests their SP (here crewjam/saml) against an Okta-like
// IdP inside the test process: no browser, no network.
func Example() {
	now := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	idp, err := mockidp.New(mockidp.Config{
		BaseURL: "http://127.0.0.1:7001", // the IdP's listener, if it has one
		Now:     func() time.Time { return now },
		IDs:     mockidp.NewSeededIDs(1),
		NewKey:  func() (*rsa.PrivateKey, error) { return fixtures.Key(fixtures.KeyIdPPrimary), nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	// The Okta admin's side: a SAML app integration and an assigned user.
	app, err := idp.CreateApp("My SaaS", mockidp.SAMLSettings{
		SSOURL:              "http://127.0.0.1:9000/saml/acs",
		AudienceURI:         "http://127.0.0.1:9000/saml/metadata",
		NameIDFormat:        mockidp.NameIDEmailAddress,
		ApplicationUsername: mockidp.UsernameEmail,
	})
	if err != nil {
		log.Fatal(err)
	}
	user, err := idp.AddUser(mockidp.User{Login: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		log.Fatal(err)
	}
	if err := idp.AssignUser(app.ID, user.ID); err != nil {
		log.Fatal(err)
	}

	// The SP's side: it trusts the IdP metadata and starts sign-in with an
	// AuthnRequest on the HTTP-Redirect binding.
	md, err := idp.Metadata(app.ID)
	if err != nil {
		log.Fatal(err)
	}
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(md, &ed); err != nil {
		log.Fatal(err)
	}
	acs, _ := url.Parse(app.Settings.SSOURL)
	sp := saml.ServiceProvider{
		EntityID:    app.Settings.AudienceURI,
		AcsURL:      *acs,
		IDPMetadata: &ed,
		Clock:       dsig.NewFakeClockAt(now),
	}
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		log.Fatal(err)
	}
	redirect, err := req.Redirect("relay-1", &sp)
	if err != nil {
		log.Fatal(err)
	}

	// The IdP answers for the signed-in user, as its SSO URL would.
	resp, err := idp.Respond(mockidp.ResponseRequest{
		AppID:       app.ID,
		Login:       "ada@example.com",
		SAMLRequest: redirect.Query().Get("SAMLRequest"),
		RelayState:  redirect.Query().Get("RelayState"),
	})
	if err != nil {
		log.Fatal(err)
	}

	// The SP checks it as it would at its ACS.
	assertion, err := sp.ParseXMLResponse(resp.XML, []string{req.ID}, *acs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in:", assertion.Subject.NameID.Value)
	fmt.Println("issuer is the app's entity ID:", assertion.Issuer.Value == app.EntityID)
	fmt.Println("answers the AuthnRequest:", resp.RequestID == req.ID)
	fmt.Println("POST to:", resp.ACS, "with RelayState", resp.Form.Get("RelayState"))
	fmt.Println("Response and Assertion signed:", strings.Count(string(resp.XML), "<ds:Signature ") == 2)

	// Output:
	// signed in: ada@example.com
	// issuer is the app's entity ID: true
	// answers the AuthnRequest: true
	// POST to: http://127.0.0.1:9000/saml/acs with RelayState relay-1
	// Response and Assertion signed: true
}
