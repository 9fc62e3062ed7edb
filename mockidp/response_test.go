package mockidp

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

var oktaID = regexp.MustCompile(`^id[0-9]{25,27}$`)

func TestResponseShape(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	const reqID = "_0123456789abcdef0123456789abcdef"
	authn := testNow.Add(-37 * time.Minute)
	resp, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: testLogin, SAMLRequest: redirectRequest(t, authnRequestXML(reqID)), RelayState: "state-1", AuthnInstant: authn})
	if err != nil {
		t.Fatal(err)
	}
	text := string(resp.XML)
	if !strings.HasPrefix(text, `<?xml version="1.0" encoding="UTF-8"?><saml2p:Response Destination="`+testACS+`" ID="id`) {
		t.Errorf("response starts %q", text[:150])
	}
	// One line: the only line breaks are inside the certificates.
	noCerts := regexp.MustCompile(`(?s)<ds:X509Certificate>.*?</ds:X509Certificate>`).ReplaceAllString(text, "")
	if strings.Contains(noCerts, "\n") {
		t.Errorf("response is not on one line")
	}
	root := parseDoc(t, resp.XML).Root()
	attr := func(el *etree.Element, k string) string { return el.SelectAttrValue(k, "") }
	if root.FullTag() != "saml2p:Response" || attr(root, "Version") != "2.0" || attr(root, "InResponseTo") != reqID {
		t.Errorf("Response: %s %v", root.FullTag(), root.Attr)
	}
	respID, assertion := attr(root, "ID"), responseAssertion(root)
	asID := attr(assertion, "ID")
	if !oktaID.MatchString(respID) || !oktaID.MatchString(asID) || respID == asID {
		t.Errorf("IDs %q %q are not Okta-shaped", respID, asID)
	}
	if respID[:15] != asID[:15] {
		t.Errorf("Response and Assertion IDs share no long prefix: %s %s", respID, asID)
	}
	if resp.ResponseID != respID || resp.AssertionID != asID || resp.RequestID != reqID {
		t.Errorf("Response fields: %+v", resp)
	}
	const T = "2026-03-14T09:26:53.589Z"
	if attr(root, "IssueInstant") != T || attr(assertion, "IssueInstant") != T {
		t.Errorf("IssueInstant: %s %s", attr(root, "IssueInstant"), attr(assertion, "IssueInstant"))
	}
	for _, el := range []*etree.Element{root.FindElement("./Issuer"), assertion.FindElement("./Issuer")} {
		if el.FullTag() != "saml2:Issuer" || attr(el, "Format") != wire.NameIDEntity || attr(el, "xmlns:saml2") != wire.NSAssertion || el.Text() != app.EntityID {
			t.Errorf("Issuer: %v %q", el.Attr, el.Text())
		}
	}
	if sc := root.FindElement("./Status/StatusCode"); sc == nil || attr(sc, "Value") != wire.StatusSuccess || attr(root.FindElement("./Status"), "xmlns:saml2p") != wire.NSProtocol {
		t.Errorf("Status is not Success with a re-declared saml2p")
	}
	for _, tag := range []string{"Subject", "Conditions", "AuthnStatement"} {
		if attr(assertion.FindElement("./"+tag), "xmlns:saml2") != wire.NSAssertion {
			t.Errorf("%s does not re-declare xmlns:saml2", tag)
		}
	}
	nameID := assertion.FindElement("./Subject/NameID")
	if nameID.Text() != testLogin || attr(nameID, "Format") != wire.NameIDUnspecified {
		t.Errorf("NameID %q format %q", nameID.Text(), attr(nameID, "Format"))
	}
	if attr(assertion.FindElement("./Subject/SubjectConfirmation"), "Method") != wire.CMBearer {
		t.Errorf("SubjectConfirmation is not bearer")
	}
	scd := assertion.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData")
	if attr(scd, "InResponseTo") != reqID || attr(scd, "NotOnOrAfter") != "2026-03-14T09:31:53.589Z" || attr(scd, "Recipient") != testACS {
		t.Errorf("SubjectConfirmationData: %v", scd.Attr)
	}
	cond := assertion.FindElement("./Conditions")
	if attr(cond, "NotBefore") != "2026-03-14T09:21:53.589Z" || attr(cond, "NotOnOrAfter") != "2026-03-14T09:31:53.589Z" {
		t.Errorf("Conditions window: %v", cond.Attr)
	}
	if a := cond.FindElement("./AudienceRestriction/Audience"); a == nil || a.Text() != testAudience {
		t.Errorf("Audience missing")
	}
	as := assertion.FindElement("./AuthnStatement")
	if attr(as, "AuthnInstant") != "2026-03-14T08:49:53.589Z" || attr(as, "SessionIndex") != reqID {
		t.Errorf("AuthnStatement: %v", as.Attr)
	}
	if as.FindElement("./AuthnContext/AuthnContextClassRef").Text() != wire.ACPasswordProtectedTransport {
		t.Errorf("AuthnContextClassRef")
	}
	if assertion.FindElement("./AttributeStatement") != nil {
		t.Errorf("AttributeStatement present without attribute statements")
	}
	if resp.Form.Get("RelayState") != "state-1" || resp.Form.Get("SAMLResponse") != b64(resp.XML) {
		t.Errorf("Form: %v", resp.Form)
	}
	if resp.ACS != testACS || resp.Binding != wire.BindingHTTPPost || resp.RedirectURL != "" || resp.User.Login != testLogin {
		t.Errorf("delivery: %+v", resp)
	}
}

func TestResponseUnsolicited(t *testing.T) {
	t.Parallel()
	s := defaultSettings()
	s.DefaultRelayState = "/dashboard"
	idp, app, _ := setup(t, s)
	for _, req := range []ResponseRequest{
		{AppID: app.ID, Login: testLogin},
		{AppID: app.ID, Login: testLogin, Unsolicited: true, SAMLRequest: redirectRequest(t, authnRequestXML("_x"))},
	} {
		resp, err := idp.Respond(req)
		if err != nil {
			t.Fatal(err)
		}
		root := parseDoc(t, resp.XML).Root()
		if root.SelectAttr("InResponseTo") != nil || root.FindElement(".//SubjectConfirmationData").SelectAttr("InResponseTo") != nil {
			t.Errorf("unsolicited response carries InResponseTo")
		}
		if si := root.FindElement(".//AuthnStatement").SelectAttrValue("SessionIndex", ""); !regexp.MustCompile(`^id` + "1773480413589" + `\.[0-9]+$`).MatchString(si) {
			t.Errorf("IdP-initiated SessionIndex %q", si)
		}
		if resp.Form.Get("RelayState") != "/dashboard" || resp.RequestID != "" {
			t.Errorf("RelayState %q RequestID %q", resp.Form.Get("RelayState"), resp.RequestID)
		}
	}
}

func TestResponseSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*SAMLSettings)
		check func(t *testing.T, root *etree.Element)
	}{
		{"email name id", func(s *SAMLSettings) { s.NameIDFormat, s.ApplicationUsername = NameIDEmailAddress, UsernameEmail }, func(t *testing.T, root *etree.Element) {
			n := root.FindElement(".//NameID")
			if n.Text() != "ada.lovelace@example.org" || n.SelectAttrValue("Format", "") != wire.NameIDEmailAddress {
				t.Errorf("NameID %q %v", n.Text(), n.Attr)
			}
		}},
		{"okta username prefix", func(s *SAMLSettings) { s.ApplicationUsername = UsernameOktaPrefix }, nameIs("ada")},
		{"email prefix", func(s *SAMLSettings) { s.ApplicationUsername = UsernameEmailPrefix }, nameIs("ada.lovelace")},
		{"custom", func(s *SAMLSettings) {
			s.ApplicationUsername, s.CustomUsernameExpression = UsernameCustom, `String.toLowerCase(user.firstName) + "." + String.toLowerCase(user.lastName)`
		}, nameIs("ada.lovelace")},
		{"persistent", func(s *SAMLSettings) { s.NameIDFormat = NameIDPersistent }, func(t *testing.T, root *etree.Element) {
			if f := root.FindElement(".//NameID").SelectAttrValue("Format", ""); f != wire.NameIDPersistent {
				t.Errorf("format %s", f)
			}
		}},
		{"separate recipient and destination", func(s *SAMLSettings) {
			s.SeparateRecipientAndDestination, s.RecipientURL, s.DestinationURL = true, "http://127.0.0.1:9000/recipient", "http://127.0.0.1:9000/destination"
		}, func(t *testing.T, root *etree.Element) {
			if root.SelectAttrValue("Destination", "") != "http://127.0.0.1:9000/destination" ||
				root.FindElement(".//SubjectConfirmationData").SelectAttrValue("Recipient", "") != "http://127.0.0.1:9000/recipient" {
				t.Errorf("Destination/Recipient not applied")
			}
		}},
		{"custom issuer", func(s *SAMLSettings) { s.SAMLIssuerID = "http://127.0.0.1:7001/${org.externalKey}/custom" }, func(t *testing.T, root *etree.Element) {
			if v := root.FindElement("./Issuer").Text(); !strings.HasPrefix(v, "http://127.0.0.1:7001/exk") || !strings.HasSuffix(v, "/custom") {
				t.Errorf("Issuer %q", v)
			}
		}},
		{"authn context", func(s *SAMLSettings) { s.AuthnContextClassRef = "X.509 Certificate" }, func(t *testing.T, root *etree.Element) {
			if v := root.FindElement(".//AuthnContextClassRef").Text(); v != "urn:oasis:names:tc:SAML:2.0:ac:classes:X509" {
				t.Errorf("AuthnContextClassRef %q", v)
			}
		}},
		{"attributes", func(s *SAMLSettings) {
			s.AttributeStatements = []AttributeStatement{
				{Name: "email", Value: "user.email"},
				{Name: "urn:oid:2.5.4.42", NameFormat: AttrURIReference, Value: "user.firstName"},
				{Name: "nickname", Value: "user.lastName + ''"},
				{Name: "empty", Value: `""`},
			}
			s.GroupAttributeStatements = []GroupAttributeStatement{
				{Name: "groups", Filter: FilterStartsWith, FilterValue: "okta-"},
				{Name: "none", Filter: FilterEquals, FilterValue: "Nobody"},
				{Name: "all", NameFormat: AttrBasic, Filter: FilterRegex, FilterValue: ".*"},
			}
		}, func(t *testing.T, root *etree.Element) {
			st := root.FindElement(".//AttributeStatement")
			if st == nil || st.SelectAttrValue("xmlns:saml2", "") != wire.NSAssertion {
				t.Fatalf("AttributeStatement missing or without xmlns:saml2")
			}
			got := map[string][]string{}
			formats := map[string]string{}
			for _, a := range st.FindElements("./Attribute") {
				name := a.SelectAttrValue("Name", "")
				formats[name] = a.SelectAttrValue("NameFormat", "")
				for _, v := range a.FindElements("./AttributeValue") {
					if v.SelectAttrValue("xsi:type", "") != "xs:string" || v.SelectAttrValue("xmlns:xs", "") != wire.NSXS || v.SelectAttrValue("xmlns:xsi", "") != wire.NSXSI {
						t.Errorf("AttributeValue %v not typed like Okta's", v.Attr)
					}
					got[name] = append(got[name], v.Text())
				}
			}
			want := map[string]string{"email": "ada.lovelace@example.org", "urn:oid:2.5.4.42": "Ada", "nickname": "Lovelace", "groups": "okta-admin", "all": "Everyone,Engineering,okta-admin"}
			for k, v := range want {
				if strings.Join(got[k], ",") != v {
					t.Errorf("attribute %s = %v, want %s", k, got[k], v)
				}
			}
			if _, ok := got["empty"]; ok {
				t.Errorf("an empty attribute was sent")
			}
			if _, ok := got["none"]; ok {
				t.Errorf("a group statement with no match was sent")
			}
			if formats["email"] != wire.AttrNameFormatUnspecified || formats["urn:oid:2.5.4.42"] != wire.AttrNameFormatURI || formats["all"] != wire.AttrNameFormatBasic {
				t.Errorf("name formats %v", formats)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := defaultSettings()
			tc.edit(&s)
			idp := newTestIdP(t)
			app, err := idp.CreateApp("Settings", s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := idp.AddUser(User{Login: "ada@example.com", Email: "ada.lovelace@example.org", FirstName: "Ada", LastName: "Lovelace", Groups: []string{"okta-admin", "Engineering"}}); err != nil {
				t.Fatal(err)
			}
			if err := idp.AssignGroup(app.ID, "Engineering"); err != nil {
				t.Fatal(err)
			}
			resp, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: "ADA@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, parseDoc(t, resp.XML).Root())
		})
	}
}

func nameIs(want string) func(*testing.T, *etree.Element) {
	return func(t *testing.T, root *etree.Element) {
		t.Helper()
		if got := root.FindElement(".//NameID").Text(); got != want {
			t.Errorf("NameID = %q, want %q", got, want)
		}
	}
}

func TestRespondErrors(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	if _, err := idp.AddUser(User{Login: "bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  ResponseRequest
		code Code
	}{
		{"not assigned", ResponseRequest{AppID: app.ID, Login: "bob@example.com"}, CodeAppNotAssigned},
		{"unknown user", ResponseRequest{AppID: app.ID, Login: "eve@example.com"}, CodeUserNotFound},
		{"unknown app", ResponseRequest{AppID: "0oa00000000000000000", Login: testLogin}, CodeAppNotFound},
		{"garbage request", ResponseRequest{AppID: app.ID, Login: testLogin, SAMLRequest: "%%%"}, CodeBadSAMLRequest},
		{"bad xml request", ResponseRequest{AppID: app.ID, Login: testLogin, AuthnRequestXML: []byte("<samlp:AuthnRequest")}, CodeBadSAMLRequest},
		{"unknown fault", ResponseRequest{AppID: app.ID, Login: testLogin, Faults: nil}, ""},
	}
	tests[len(tests)-1].req.Faults = append(tests[len(tests)-1].req.Faults, faultNamed("no-such-fault-registered"))
	tests[len(tests)-1].code = CodeInvalidFaults
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := idp.Respond(tc.req)
			if ErrorCode(err) != tc.code {
				t.Fatalf("Respond = %v, want code %s", err, tc.code)
			}
			if !strings.Contains(err.Error(), string(tc.code)) {
				t.Errorf("error text %q lacks its code", err)
			}
		})
	}
}
