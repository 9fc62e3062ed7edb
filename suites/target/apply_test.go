package target

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

var testClock = time.Date(2026, 8, 29, 12, 0, 0, 0, time.UTC)

// fakeIdP is a mock Okta org with one app, recording what Apply asked.
type fakeIdP struct {
	org      *mockidp.IdP
	appID    string
	settings *mockidp.SAMLSettings
	faults   []fault.Fault
}

func newFakeIdP(t *testing.T) *fakeIdP {
	t.Helper()
	keys := []fixtures.KeyName{fixtures.KeyIdPPrimary, fixtures.KeyIdPRotated}
	newKey := func() (*rsa.PrivateKey, error) {
		k := fixtures.Key(keys[0])
		if len(keys) > 1 {
			keys = keys[1:]
		}
		return k, nil
	}
	org, err := mockidp.New(mockidp.Config{Org: "dev-1", BaseURL: "http://127.0.0.1:1", Now: func() time.Time { return testClock },
		IDs: mockidp.NewSeededIDs(1), NewKey: newKey})
	if err != nil {
		t.Fatal(err)
	}
	app, err := org.CreateApp("App", mockidp.SAMLSettings{SSOURL: "http://127.0.0.1:2/acs", AudienceURI: "urn:sp"})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeIdP{org: org, appID: app.ID}
}

func (f *fakeIdP) GuideSettings() mockidp.SAMLSettings {
	return mockidp.SAMLSettings{SSOURL: "http://127.0.0.1:2/acs", AudienceURI: "urn:sp"}
}

func (f *fakeIdP) UseApp(s mockidp.SAMLSettings, changed bool, faults []fault.Fault) (*mockidp.IdP, string, error) {
	if changed {
		f.settings = &s
	}
	f.faults = faults
	return f.org, f.appID, nil
}

func (f *fakeIdP) Signing() (*rsa.PrivateKey, string) {
	c, err := f.org.ActiveCertificate(f.appID)
	if err != nil {
		panic(err)
	}
	return fixtures.Key(fixtures.KeyIdPPrimary), string(c.PEM())
}

func (f *fakeIdP) Now() time.Time { return testClock }

// recordingSP keeps the configurations it was given.
type recordingSP struct{ got []SPConfig }

func (r *recordingSP) Guide() SPConfig {
	return SPConfig{IdentityProviderEntityID: "http://www.okta.com/exkGuide", IdentityProviderSignInURL: "http://127.0.0.1:1/sso", Domains: []string{"acme.test"}, Enabled: true}
}

func (r *recordingSP) Configure(_ context.Context, cfg SPConfig) (*runner.Observation, error) {
	r.got = append(r.got, cfg)
	return nil, nil
}

func certOf(t *testing.T, text string) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode([]byte(text))
	if blk == nil {
		t.Fatalf("not PEM: %q", text)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Apply turns the catalogue's IdP and SP sides into the same changes for
// any target: these are the cases the two targets used to write twice.
func TestApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	get := func(id string) scenario.Scenario {
		sc, ok := scenario.ByID(id)
		if !ok {
			t.Fatalf("no scenario %s", id)
		}
		return sc
	}
	rename := Adaptation{Vars: map[string]string{"idp": "http://127.0.0.1:1"}, Rename: strings.NewReplacer("acme-labs.test", "labs.example").Replace}

	t.Run("rotation: both pasted, then activated", func(t *testing.T) {
		idp, sp := newFakeIdP(t), &recordingSP{}
		if _, err := Apply(ctx, get("cert-rotation-both-pasted-then-activated"), idp, sp, rename); err != nil {
			t.Fatal(err)
		}
		certs := sp.got[0].Certificates
		active, err := idp.org.ActiveCertificate(idp.appID)
		if err != nil || len(certs) != 2 || certOf(t, certs[1]).SerialNumber.Cmp(certOf(t, string(active.PEM())).SerialNumber) != 0 {
			t.Errorf("the SP should trust the old and the rotated certificate, and the rotated one be active: %v", err)
		}
		if certOf(t, certs[0]).Equal(certOf(t, certs[1])) {
			t.Error("the two pasted certificates are the same")
		}
	})
	t.Run("expired signing certificate", func(t *testing.T) {
		idp, sp := newFakeIdP(t), &recordingSP{}
		if _, err := Apply(ctx, get("cert-okta-expired-never-rotated"), idp, sp, rename); err != nil {
			t.Fatal(err)
		}
		if c := certOf(t, sp.got[0].Certificates[0]); !c.NotAfter.Before(testClock) {
			t.Errorf("the SP was given a certificate valid until %s", c.NotAfter)
		}
	})
	t.Run("PEM shape", func(t *testing.T) {
		idp, sp := newFakeIdP(t), &recordingSP{}
		if _, err := Apply(ctx, get("cert-pasted-one-line"), idp, sp, rename); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(strings.TrimSpace(sp.got[0].Certificates[0]), "\n"); lines != 2 {
			t.Errorf("one-line shape has %d line breaks", lines)
		}
	})
	t.Run("no SP side: the SP is left alone", func(t *testing.T) {
		idp := newFakeIdP(t)
		sc := get("cert-pasted-one-line")
		if _, err := Apply(ctx, sc, idp, nil, rename); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unknown certificate reference", func(t *testing.T) {
		sc := get("cert-pasted-one-line")
		sc.SP.Certificates = []fixtures.CertRef{{Source: "stolen"}}
		if _, err := Apply(ctx, sc, newFakeIdP(t), &recordingSP{}, rename); err == nil || !strings.Contains(err.Error(), "unknown certificate") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("domains are renamed, faults expanded", func(t *testing.T) {
		sc := get("cert-pasted-one-line")
		sc.SP.Certificates = nil
		sc.SP.Domains = []string{"acme-labs.test"}
		sc.IdP.Faults = []fault.Fault{{Name: "set-destination", Params: map[string]string{"value": "{idp}/x"}}}
		idp, sp := newFakeIdP(t), &recordingSP{}
		if _, err := Apply(ctx, sc, idp, sp, rename); err != nil {
			t.Fatal(err)
		}
		if d := sp.got[0].Domains; len(d) != 1 || d[0] != "labs.example" {
			t.Errorf("domains %v", d)
		}
		if v := idp.faults[0].Params["value"]; v != "http://127.0.0.1:1/x" {
			t.Errorf("fault parameter %q", v)
		}
	})
}
