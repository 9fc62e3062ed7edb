package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/sp/diagnose"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

var diagnoseAt = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// captureEvidence runs a catalogue scenario on the built-in target and
// writes what a support engineer would get: the workspace's settings from
// the admin API and the SAMLResponse the browser posted.
func captureEvidence(t *testing.T, id string) (configPath, responsePath string) {
	t.Helper()
	sc, ok := scenario.ByID(id)
	if !ok {
		t.Fatalf("no scenario %s", id)
	}
	ctx := context.Background()
	env, err := builtin.New(builtin.Config{At: diagnoseAt}).Prepare(ctx, sc, scenario.IdentityPlatform, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	obs := runner.SignIn(ctx, env.Site, env.Plan, 10*time.Second)
	if obs.Evidence.SAMLResponse == "" {
		t.Fatalf("no SAMLResponse captured: %+v", obs)
	}
	wsID := strings.TrimPrefix(env.Vars["providerId"], "saml.workspace-")
	req, _ := http.NewRequest(http.MethodGet, env.Site.SPBase+"/api/workspaces/"+wsID+"/sso", nil)
	env.Admin.Apply(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cfg, _ := io.ReadAll(resp.Body)
	dir := t.TempDir()
	configPath, responsePath = filepath.Join(dir, "sso.json"), filepath.Join(dir, "response.txt")
	if err := os.WriteFile(configPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(responsePath, []byte(obs.Evidence.SAMLResponse), 0o600); err != nil {
		t.Fatal(err)
	}
	return configPath, responsePath
}

func TestDiagnoseCommand(t *testing.T) {
	t.Parallel()
	config, response := captureEvidence(t, "audience-uri-wrong")
	at := diagnoseAt.Format(time.RFC3339)

	var out, errb bytes.Buffer
	if code := realMain([]string{"diagnose", "--config", config, "--response", response, "--at", at}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1 (refused)\n%s%s", code, out.String(), errb.String())
	}
	text := out.String()
	for _, want := range []string{
		"INVALID_IDP_RESPONSE : All <AudienceRestriction>s should contain the SAML RP entity ID:",
		"1. [cause] Okta's Audience URI (SP Entity ID) is not the workspace's Service Provider Entity Id",
		"Audience URI (SP Entity ID) in Okta ↔ Service Provider Entity Id in the workspace",
		"the workspace's Redirect URL, not its Service Provider Entity Id",
		"set Audience URI (SP Entity ID) to",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text output lacks %q:\n%s", want, text)
		}
	}

	out.Reset()
	if code := realMain([]string{"diagnose", "--config", config, "--response", response, "--at", at, "--json"}, &out, &errb); code != 1 {
		t.Fatalf("--json exit %d: %s", code, errb.String())
	}
	var rep struct {
		Tool          string `json:"tool"`
		FormatVersion int    `json:"formatVersion"`
		JudgedAt      string `json:"judgedAt"`
		Result        struct{ Outcome, Reason, Message, Stage string }
		ByProfile     map[string]struct{ Reason string }
		Findings      []struct {
			Rank                                        int
			Code, Severity, Field, Expected, Found, Fix string
		}
		Certificates []struct {
			Index int
			Role  string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("--json is not JSON: %v\n%s", err, out.String())
	}
	if rep.Tool != "samlharness diagnose" || rep.FormatVersion != diagnose.FormatVersion || rep.JudgedAt != "2026-01-15T09:30:00.000Z" {
		t.Errorf("header %+v", rep)
	}
	if rep.Result.Outcome != "reject" || rep.Result.Reason != "AUDIENCE_MISMATCH" || rep.Result.Stage != "signInWithIdp" || rep.ByProfile["strict"].Reason != "AUDIENCE_MISMATCH" {
		t.Errorf("result %+v / %+v", rep.Result, rep.ByProfile)
	}
	if len(rep.Findings) == 0 || rep.Findings[0].Code != "AUDIENCE_MISMATCH" || rep.Findings[0].Severity != "cause" || rep.Findings[0].Rank != 1 || rep.Findings[0].Fix == "" {
		t.Errorf("findings %+v", rep.Findings)
	}
	if len(rep.Certificates) != 1 || rep.Certificates[0].Role != "signer" {
		t.Errorf("certificates %+v", rep.Certificates)
	}

	casePath := filepath.Join(t.TempDir(), "cases", "audience-wrong.json")
	out.Reset()
	errb.Reset()
	if code := realMain([]string{"diagnose", "--config", config, "--response", response, "--at", at, "--emit-case", casePath}, &out, &errb); code != 1 {
		t.Fatalf("--emit-case exit %d: %s", code, errb.String())
	}
	c, err := scenario.LoadCase(casePath)
	if err != nil {
		t.Fatalf("emitted case: %v", err)
	}
	if c.Diagnosis.Cause != "AUDIENCE_MISMATCH" || c.IdP.Settings["audienceUri"] != "{redirectUrl}" || c.Expect[scenario.Strict].Reason != "AUDIENCE_MISMATCH" {
		t.Errorf("case %+v", c)
	}
	if !strings.Contains(errb.String(), "wrote case") {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestDiagnoseCommandBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodConfig := write("ok.json", `{"serviceProviderEntityId":"https://x.example","redirectUrl":"https://x.example/__/auth/handler","identityProviderEntityId":"http://www.okta.com/exk1","certificates":["c"],"domains":["x.example"]}`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no config", []string{"--response", goodConfig}, "--config FILE is required"},
		{"no evidence", []string{"--config", goodConfig}, "exactly one of --response"},
		{"both kinds of evidence", []string{"--config", goodConfig, "--response", goodConfig, "--har", goodConfig}, "exactly one of --response"},
		{"missing file", []string{"--config", filepath.Join(dir, "nope.json"), "--response", goodConfig}, "no such file"},
		{"directory", []string{"--config", dir, "--response", goodConfig}, "is a directory"},
		{"invalid config JSON", []string{"--config", write("bad.json", "{"), "--response", goodConfig}, "CONFIG_INVALID_JSON"},
		{"config missing fields", []string{"--config", write("partial.json", `{"ssoProvider":"SAML"}`), "--response", goodConfig}, "CONFIG_MISSING_FIELD"},
		{"empty response", []string{"--config", goodConfig, "--response", write("empty.txt", "")}, "RESPONSE_EMPTY"},
		{"truncated response", []string{"--config", goodConfig, "--response", write("cut.txt", "PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM6bmFtZXM6dGM6U0FNTDoyLjA6cHJvdG9jb2wiIElEPSJpZDEiPjxzYW1s")}, "RESPONSE_TRUNCATED"},
		{"HAR without SAML", []string{"--config", goodConfig, "--har", write("empty.har", `{"log":{"version":"1.2","entries":[]}}`)}, "HAR_NO_SAML"},
		{"HAR that is not JSON", []string{"--config", goodConfig, "--har", write("x.har", "<html>")}, "HAR_INVALID_JSON"},
		{"login without HAR", []string{"--config", goodConfig, "--response", goodConfig, "--login", "2"}, "--login applies to --har only"},
		{"bad --at", []string{"--config", goodConfig, "--response", goodConfig, "--at", "yesterday"}, "not an RFC 3339 time"},
		{"bad profile", []string{"--config", goodConfig, "--response", goodConfig, "--profile", "lenient"}, "use identity-platform or strict"},
		{"bad metadata", []string{"--config", goodConfig, "--response", write("r.txt", responseB64), "--okta-metadata", write("md.xml", "<html/>")}, "METADATA_INVALID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			code := realMain(append([]string{"diagnose"}, tc.args...), &out, &errb)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", code, out.String(), errb.String())
			}
			if !strings.Contains(errb.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.want)
			}
		})
	}
}

// responseB64 is a minimal unsigned response.
const responseB64 = "PHNhbWwycDpSZXNwb25zZSB4bWxuczpzYW1sMnA9InVybjpvYXNpczpuYW1lczp0YzpTQU1MOjIuMDpwcm90b2NvbCIgSUQ9ImlkMSIgVmVyc2lvbj0iMi4wIi8+"

// sampleAt is the instant of the sample evidence's sign-in (its HAR's
// timestamp): the README's --response example judges at it.
const sampleAt = "2026-03-04T14:07:31Z"

// TestDiagnoseSampleEvidence runs the README's diagnose examples exactly as
// written, from the repository's root, on the evidence shipped in
// fixtures/evidence (generated by suites/repro TestSampleEvidence).
func TestDiagnoseSampleEvidence(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	const (
		top     = "1. [cause] Certificate 1 in the workspace cannot be parsed: a character was changed at line 6, column 53   CERT_UNPARSEABLE"
		message = "INVALID_IDP_RESPONSE : Error when parsing certificate"
	)
	commands := [][]string{
		{"diagnose", "--config", "fixtures/evidence/sso-settings.json", "--har", "fixtures/evidence/signin.har", "--okta-metadata", "fixtures/evidence/okta-metadata.xml"},
		{"diagnose", "--config", "fixtures/evidence/sso-settings.json", "--response", "fixtures/evidence/samlresponse.txt", "--at", sampleAt},
		{"diagnose", "--config", "fixtures/evidence/sso-settings.json", "--har", "fixtures/evidence/signin.har", "--okta-metadata", "fixtures/evidence/okta-metadata.xml", "--okta-settings", "fixtures/evidence/okta-settings.json"},
	}
	for _, args := range commands {
		var out, errb bytes.Buffer
		if code := realMain(args, &out, &errb); code != 1 {
			t.Fatalf("samlharness %s: exit %d, want 1 (refused)\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
		}
		for _, want := range []string{top, message, "Judged at   2026-03-04T14:07:31.000Z"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("samlharness %s: the output lacks %q:\n%s", strings.Join(args, " "), want, out.String())
			}
		}

		out.Reset()
		if code := realMain(append(args, "--json"), &out, &errb); code != 1 {
			t.Fatalf("samlharness %s --json: exit %d\n%s", strings.Join(args, " "), code, errb.String())
		}
		var rep struct {
			JudgedAt string `json:"judgedAt"`
			Result   struct{ Reason, Message string }
			Findings []struct {
				Rank              int
				Code, Severity    string
				Certificate, Line int
				Column            int
			}
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("--json: %v", err)
		}
		if rep.JudgedAt != "2026-03-04T14:07:31.000Z" || rep.Result.Reason != "CERT_PARSE" || rep.Result.Message != message {
			t.Errorf("--json: judged %s, result %+v", rep.JudgedAt, rep.Result)
		}
		if len(rep.Findings) == 0 || rep.Findings[0].Code != "CERT_UNPARSEABLE" || rep.Findings[0].Severity != "cause" ||
			rep.Findings[0].Certificate != 1 || rep.Findings[0].Line != 6 || rep.Findings[0].Column != 53 {
			t.Errorf("--json: findings %+v", rep.Findings)
		}
	}
}
