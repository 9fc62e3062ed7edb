package external

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/target"
)

// spMetadata is an SP's metadata with crewjam/saml's types: its entity ID,
// a redirect and a POST ACS, and an encryption certificate (PEM).
func spMetadata(t *testing.T, entityID, acs, certPEM string) []byte {
	t.Helper()
	blk, _ := pem.Decode([]byte(certPEM))
	yes := true
	ed := saml.EntityDescriptor{EntityID: entityID, SPSSODescriptors: []saml.SPSSODescriptor{{
		SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
			ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
			KeyDescriptors: []saml.KeyDescriptor{{Use: "encryption", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
				X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(blk.Bytes)}}}}}},
		}},
		AssertionConsumerServices: []saml.IndexedEndpoint{
			{Binding: saml.HTTPArtifactBinding, Location: acs + "/artifact", Index: 0},
			{Binding: saml.HTTPPostBinding, Location: acs + "/other", Index: 2},
			{Binding: saml.HTTPPostBinding, Location: acs, Index: 1, IsDefault: &yes},
		},
	}}}
	raw, err := xml.Marshal(ed)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func serveBytes(t *testing.T, status int, body []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/saml/metadata"
}

func TestResolveMetadata(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	cert := target.MintFixturePEM(fixtures.KeySPEncryption, now)
	other := target.MintFixturePEM(fixtures.KeyAttacker, now)
	md := spMetadata(t, "urn:my-sp", "http://127.0.0.1:9/saml/acs", cert)
	good := serveBytes(t, 200, md)

	spec := TargetSpec{SP: SPSpec{MetadataURL: good}}
	got, err := ResolveMetadata(context.Background(), spec, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.SP.EntityID != "urn:my-sp" || got.SP.ACSURL != "http://127.0.0.1:9/saml/acs" || got.SP.EncryptionCertificate != cert {
		t.Errorf("resolved %+v", got.SP)
	}
	// The same values in the file agree.
	if _, err := ResolveMetadata(context.Background(), got, now); err != nil {
		t.Errorf("values equal to the metadata's were refused: %v", err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String() + "/saml/metadata"
	ln.Close()
	for _, c := range []struct {
		name string
		spec TargetSpec
		now  time.Time
		want MetadataProblem
		text string
	}{
		{"down", TargetSpec{SP: SPSpec{MetadataURL: closed}}, now, MetadataUnreachable, "does not answer"},
		{"404", TargetSpec{SP: SPSpec{MetadataURL: serveBytes(t, 404, nil)}}, now, MetadataUnreachable, "HTTP 404"},
		{"not xml", TargetSpec{SP: SPSpec{MetadataURL: serveBytes(t, 200, []byte("hello"))}}, now, MetadataInvalid, "not XML"},
		{"idp metadata", TargetSpec{SP: SPSpec{MetadataURL: serveBytes(t, 200, []byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor/></EntityDescriptor>`))}}, now, MetadataInvalid, "not an SP's metadata"},
		{"stale file cert", TargetSpec{SP: SPSpec{MetadataURL: good, EncryptionCertificate: other}}, now, MetadataMismatch, "sp.encryptionCertificate is stale"},
		{"other entity", TargetSpec{SP: SPSpec{MetadataURL: good, EntityID: "urn:old"}}, now, MetadataMismatch, `sp.entityId is "urn:old"`},
		{"expired", TargetSpec{SP: SPSpec{MetadataURL: good}}, now.AddDate(20, 0, 0), MetadataStale, "not at the harness clock"},
	} {
		_, err := ResolveMetadata(context.Background(), c.spec, c.now)
		var me *MetadataError
		if !errors.As(err, &me) || me.Problem != c.want || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: got %v, want %s mentioning %q", c.name, err, c.want, c.text)
		}
	}
}

func TestMetadataURLTargetFile(t *testing.T) {
	t.Parallel()
	spec, err := ParseTargetSpec([]byte(`{"sp":{"metadataUrl":"http://127.0.0.1:7790/saml/metadata"},
	 "signIn":{"url":"http://127.0.0.1:7790/app"},"session":{"url":"http://127.0.0.1:7790/whoami","pattern":"signed in as (\\S+)"},
	 "user":{"email":"alice@acme.test"}}`), false)
	if err != nil {
		t.Fatalf("a target with sp.metadataUrl instead of entityId and acsUrl: %v", err)
	}
	if _, err := New(spec, nil, Options{}); err == nil || !strings.Contains(err.Error(), "ResolveMetadata") {
		t.Errorf("New on an unresolved metadataUrl: %v", err)
	}
	if _, err := ParseTargetSpec([]byte(`{"sp":{"metadataUrl":"http://10.0.0.1/md"},"signIn":{"url":"http://127.0.0.1:1/"},
	 "session":{"url":"http://127.0.0.1:1/","pattern":"x"},"user":{"email":"a@b.c"}}`), false); err == nil || !strings.Contains(err.Error(), "not on loopback") {
		t.Errorf("a metadataUrl off loopback: %v", err)
	}
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	base := `"sp":{"entityId":"x","acsUrl":"http://127.0.0.1:1/acs"},"signIn":{"url":"http://127.0.0.1:1/"},"session":{"url":"http://127.0.0.1:1/","pattern":"x"},"user":{"email":"a@b.c"}`
	for _, c := range []struct{ allow, want string }{
		{`[{"scenario":"no-such-scenario","reason":"r"}]`, `no scenario "no-such-scenario"`},
		{`[{"scenario":"audience-uri-wrong"}]`, "needs a reason"},
		{`[{"scenario":"audience-uri-wrong","reason":"r"},{"scenario":"audience-uri-wrong","reason":"r"}]`, "listed twice"},
	} {
		if _, err := ParseTargetSpec([]byte(`{`+base+`,"allow":`+c.allow+`}`), false); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("allow %s: got %v, want %q", c.allow, err, c.want)
		}
	}
	x := &Target{allow: map[string]string{"audience-uri-wrong": "we do not check the audience"}}
	fail := runner.Result{ID: "audience-uri-wrong", Verdict: runner.Fail, Expected: "reject:AUDIENCE_MISMATCH", Observed: "accept"}
	got := x.ApplyAllowance(fail)
	if got.Verdict != runner.Skipped || !strings.HasPrefix(got.Why, Allowed+"we do not check the audience") || got.Observed != "accept" {
		t.Errorf("an allowed failure: %+v", got)
	}
	pass := runner.Result{ID: "audience-uri-wrong", Verdict: runner.Pass, Pass: true}
	if got := x.ApplyAllowance(pass); got.Verdict != runner.Fail || got.Pass || !strings.Contains(got.Why, "stale allowance") {
		t.Errorf("an allowed scenario that passes must fail as a stale allowance: %+v", got)
	}
	other := runner.Result{ID: "xsw-1", Verdict: runner.Fail}
	if got := x.ApplyAllowance(other); got.Verdict != runner.Fail {
		t.Errorf("a failure not allowed changed: %+v", got)
	}
	rep := runner.Report{Results: []runner.Result{fail, pass, other}}
	x.ApplyAllowances(&rep)
	if rep.Summary.Failed != 2 || rep.Summary.Skipped != 1 {
		t.Errorf("summary %+v", rep.Summary)
	}
}

func TestRenamerSplitsInsideTheDomain(t *testing.T) {
	t.Parallel()
	r := renamer("bob@example.com", "example.com", "other.test")
	for in, want := range map[string]string{
		"after:alice@acme":       "after:bob@example",
		"alice@acme.test":        "bob@example.com",
		"ALICE@ACME.TEST":        "BOB@EXAMPLE.COM",
		"carol@acme.test, x":     "carol@example.com, x",
		"alice@acme.test.evil.x": "bob@example.com.evil.x",
	} {
		if got := r.Replace(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
