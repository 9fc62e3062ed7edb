package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/peers"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/target"
	"github.com/samlharness/samlharness/suites/target/external"
)

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"help", "run"},
		{"run", "--help"}, {"list", "--help"}, {"serve", "--help"}, {"diagnose", "--help"},
		{"idp", "--help"}, {"idp", "metadata", "--help"}, {"peer", "--help"}, {"peer", "crewjam-default", "-h"},
		{"run", "--filter", "baseline", "-h"},
	} {
		var out, errb bytes.Buffer
		code := realMain(args, &out, &errb)
		if code != exitOK {
			t.Errorf("%v exited %d, want 0: %s", args, code, errb.String())
			continue
		}
		if !strings.Contains(out.String(), "exit codes:") || !strings.Contains(out.String(), "samlharness") {
			t.Errorf("%v: no description or exit codes on stdout:\n%s", args, out.String())
		}
		if args[0] != "help" && args[0] != "--help" && args[0] != "-h" {
			if first, _, _ := strings.Cut(out.String(), "\n"); !strings.Contains(first, " — ") {
				t.Errorf("%v: the first line is not a one-line description: %q", args, first)
			}
			if !strings.Contains(out.String(), "\nflags:\n  -") {
				t.Errorf("%v: no flags:\n%s", args, out.String())
			}
		}
	}
	var out, errb bytes.Buffer
	if code := realMain(nil, &out, &errb); code != exitUsage {
		t.Errorf("no command exited %d, want 2", code)
	}
	if code := realMain([]string{"run", "--no-such-flag"}, &out, &errb); code != exitUsage {
		t.Errorf("an unknown flag exited %d, want 2", code)
	}
}

func TestUnknownFilterTermExits2(t *testing.T) {
	for _, cmd := range []string{"run", "list"} {
		var out, errb bytes.Buffer
		code := realMain([]string{cmd, "--filter", "baseline,no-such-term-zzz"}, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), `unknown filter term "no-such-term-zzz"`) {
			t.Errorf("%s with an unknown filter term exited %d, want 2: %s", cmd, code, errb.String())
		}
	}
}

// deadTarget writes a target file whose SP port nothing listens on.
func deadTarget(t *testing.T, dir string) string {
	addr := freeAddr(t)
	spec := external.TargetSpec{
		Name:    "dead",
		SP:      external.SPSpec{EntityID: "http://" + addr + "/saml/metadata", ACSURL: "http://" + addr + "/saml/acs"},
		SignIn:  external.URLSpec{URL: "http://" + addr + "/me"},
		Session: external.SessionSpec{URL: "http://" + addr + "/me", Pattern: `signed in as (\S+)`},
		User:    external.UserSpec{Email: "alice@example.com"},
	}
	return writeTarget(t, dir, "dead.json", spec)
}

func writeTarget(t *testing.T, dir, name string, spec any) string {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A target whose SP is down stops at once with exit 3 and one message,
// not a catalogue of identical failures.
func TestDeadTargetExits3Fast(t *testing.T) {
	dir := t.TempDir()
	target := deadTarget(t, dir)
	var out, errb bytes.Buffer
	start := time.Now()
	code := realMain([]string{"run", "--target", target, "--idp-dir", filepath.Join(dir, "idp")}, &out, &errb)
	if code != exitSetup {
		t.Fatalf("exited %d, want 3\n%s%s", code, out.String(), errb.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s to give up", d)
	}
	all := out.String() + errb.String()
	if n := strings.Count(all, "\n"); n > 5 || !strings.Contains(all, "does not answer") || !strings.Contains(all, "fix: start the SP") {
		t.Errorf("want one message naming the cause and the fix, got %d lines:\n%s", n, all)
	}
}

func TestUnwritableReportExits3BeforeRunning(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	_ = os.WriteFile(blocker, nil, 0o644)
	for _, args := range [][]string{
		{"run", "--filter", "baseline", "--junit", filepath.Join(blocker, "r.xml")},
		{"run", "--filter", "baseline", "--target", "builtin", "--json", filepath.Join(blocker, "r.json")},
		{"run", "--filter", "baseline", "--junit", dir},
	} {
		var out, errb bytes.Buffer
		code := realMain(args, &out, &errb)
		if code != exitSetup || out.Len() != 0 || !strings.Contains(errb.String(), "fix: pass --") {
			t.Errorf("%v exited %d, want 3 before any scenario:\n%s%s", args, code, out.String(), errb.String())
		}
	}
}

// startPeer serves a peer SP configured from the IdP in idpDir (made by
// `idp metadata`, as a user would) and writes its target file.
func startPeer(t *testing.T, dir, idpDir, name string, at time.Time) (*peers.Running, external.TargetSpec) {
	t.Helper()
	var md, errb bytes.Buffer
	if code := realMain([]string{"idp", "metadata", "--idp-dir", idpDir}, &md, &errb); code != exitOK {
		t.Fatalf("idp metadata exited %d: %s", code, errb.String())
	}
	idp, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Dir: idpDir})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := peers.ByName(name)
	sp, err := peers.Start(p, idp, peers.Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sp.Close)
	return sp, sp.Target
}

func TestIdPDirMissingOrUnconfiguredExits3(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	_, spec := startPeer(t, dir, filepath.Join(dir, "idp"), "crewjam-hardened", at)
	target := writeTarget(t, dir, "sp.json", spec)

	missing := filepath.Join(dir, "elsewhere", "idp")
	var out, errb bytes.Buffer
	code := realMain([]string{"run", "--target", target, "--idp-dir", missing, "--at", at.Format(time.RFC3339)}, &out, &errb)
	if code != exitSetup || !strings.Contains(errb.String(), "no mock IdP in "+missing) || !strings.Contains(errb.String(), "samlharness idp metadata --idp-dir "+missing) {
		t.Errorf("a missing IdP dir exited %d, want 3 with the fix:\n%s%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("run created the missing IdP dir")
	}

	fresh := filepath.Join(dir, "fresh")
	if _, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Dir: fresh}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code = realMain([]string{"run", "--target", target, "--idp-dir", fresh, "--at", at.Format(time.RFC3339)}, &out, &errb)
	if code != exitSetup || !strings.Contains(errb.String(), "never handed out") || out.Len() != 0 {
		t.Errorf("an IdP dir whose metadata no SP got exited %d, want 3 before any scenario:\n%s%s", code, out.String(), errb.String())
	}
}

// An SP that trusts another IdP fails the control login: the run stops
// with exit 3 and the fix, instead of judging every scenario inconclusive.
func TestControlFailureExits3(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	_, spec := startPeer(t, dir, filepath.Join(dir, "idp-a"), "crewjam-hardened", at)
	target := writeTarget(t, dir, "sp.json", spec)
	other := filepath.Join(dir, "idp-b")
	var out, errb bytes.Buffer
	if code := realMain([]string{"idp", "metadata", "--idp-dir", other, "--out", filepath.Join(dir, "b.xml")}, &out, &errb); code != exitOK {
		t.Fatalf("idp metadata exited %d: %s", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	code := realMain([]string{"run", "--target", target, "--idp-dir", other, "--at", at.Format(time.RFC3339)}, &out, &errb)
	msg := errb.String()
	if code != exitSetup || !strings.Contains(msg, "valid control login ("+runner.ControlID+") failed") || !strings.Contains(msg, "fix: configure the SP from this IdP's metadata") {
		t.Errorf("exited %d, want 3 naming the control and the fix:\n%s%s", code, out.String(), msg)
	}
	if strings.Count(out.String()+msg, "\n") > 5 {
		t.Errorf("more than one message:\n%s%s", out.String(), msg)
	}
}

// Two starts of `idp` and `idp metadata` without --idp agree on the
// address recorded in the IdP dir; a new dir gets a free port, not a
// fixed one that collides with `serve`.
func TestIdPAddressIsRecorded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idp")
	var md1, md2, errb bytes.Buffer
	if code := realMain([]string{"idp", "metadata", "--idp-dir", dir}, &md1, &errb); code != exitOK {
		t.Fatalf("exited %d: %s", code, errb.String())
	}
	if strings.Contains(md1.String(), "127.0.0.1:7781") {
		t.Error("a new IdP dir took the fixed port serve uses")
	}
	h, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md1.String(), h.SSOURL()) || !h.MetadataIssued() {
		t.Errorf("the IdP reopened from its dir serves elsewhere (%s) or forgot the metadata was issued", h.SSOURL())
	}
	if code := realMain([]string{"idp", "metadata", "--idp-dir", dir}, &md2, &errb); code != exitOK || md1.String() != md2.String() {
		t.Error("the metadata changed between two calls")
	}

	// The recorded port in use: `idp` refuses with exit 3 and the fix.
	ln, err := net.Listen("tcp", h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errb.Reset()
	if code := idpServe(ctx, []string{"--idp-dir", dir}, &out, &errb); code != exitSetup || !strings.Contains(errb.String(), "port is in use") {
		t.Errorf("idp on a port in use exited %d, want 3: %s", code, errb.String())
	}
	errb.Reset()
	if code := serve(ctx, []string{"--sp", h.Addr(), "--idp", "127.0.0.1:0"}, &out, &errb); code != exitSetup || !strings.Contains(errb.String(), "fix:") {
		t.Errorf("serve on a port in use exited %d, want 3: %s", code, errb.String())
	}
}

// A target file that reads the SP's metadata (entity ID, ACS, encryption
// certificate) and allows a deliberate policy: the allowed failure is
// reported as allowed, and an allowance the SP no longer needs fails.
func TestTargetMetadataURLAndAllow(t *testing.T) {
	dir := t.TempDir()
	idpDir := filepath.Join(dir, "idp")
	at := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	sp, spec := startPeer(t, dir, idpDir, "crewjam-default", at)
	spec.SP = external.SPSpec{MetadataURL: sp.URL + "/saml/metadata"}
	spec.Allow = []external.Allowance{{Scenario: "replay-same-browser-after-sign-out", Reason: "sessions are not tracked after sign-out"}}
	target := writeTarget(t, dir, "sp.json", spec)
	run := func(target string) (int, runner.Report, string) {
		var out, errb bytes.Buffer
		js := filepath.Join(dir, "r.json")
		_ = os.Remove(js)
		code := realMain([]string{"run", "--target", target, "--idp-dir", idpDir, "--at", at.Format(time.RFC3339),
			"--filter", "replay-same-browser-after-sign-out,valid-login-guide-settings,encrypted-assertion-aes256-gcm", "--json", js}, &out, &errb)
		var rep runner.Report
		if b, err := os.ReadFile(js); err == nil {
			_ = json.Unmarshal(b, &rep)
		}
		return code, rep, out.String() + errb.String()
	}
	code, rep, text := run(target)
	if code != exitOK {
		t.Fatalf("exited %d, want 0 with the failure allowed:\n%s", code, text)
	}
	for _, r := range rep.Results {
		switch r.ID {
		case "replay-same-browser-after-sign-out":
			if r.Verdict != runner.Skipped || !strings.HasPrefix(r.Why, external.Allowed+"sessions are not tracked") {
				t.Errorf("the allowed failure is reported as %s: %s", r.Verdict, r.Why)
			}
		case "encrypted-assertion-aes256-gcm":
			// Accepted only when the metadata's encryption certificate reached the IdP.
			if r.Verdict != runner.Pass || r.Observed != "accept" {
				t.Errorf("encryption to the metadata's certificate: %s %s %s", r.Verdict, r.Observed, r.Why)
			}
		}
	}

	spec.Allow = append(spec.Allow, external.Allowance{Scenario: runner.ControlID, Reason: "no reason any more"})
	code, rep, text = run(writeTarget(t, dir, "stale-allow.json", spec))
	if code != exitFailed || rep.Summary.Failed != 1 || !strings.Contains(text, "stale allowance") {
		t.Errorf("a stale allowance exited %d (%+v), want 1 naming it:\n%s", code, rep.Summary, text)
	}

	spec.Allow = nil
	spec.SP.EncryptionCertificate = testOtherCert(t, at)
	code, _, text = run(writeTarget(t, dir, "stale-cert.json", spec))
	if code != exitUsage || !strings.Contains(text, "sp.encryptionCertificate is stale") {
		t.Errorf("a stale encryption certificate exited %d, want 2 naming it:\n%s", code, text)
	}
}

func testOtherCert(t *testing.T, at time.Time) string {
	t.Helper()
	return target.MintFixturePEM(fixtures.KeyAttacker, at)
}

// An SP that goes down during the run stops it with exit 3 instead of a
// catalogue of identical failures.
func TestSPDownMidRunExits3(t *testing.T) {
	dir := t.TempDir()
	idpDir := filepath.Join(dir, "idp")
	at := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	sp, spec := startPeer(t, dir, idpDir, "crewjam-hardened", at)
	target := writeTarget(t, dir, "sp.json", spec)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- realMain([]string{"run", "--target", target, "--idp-dir", idpDir, "--at", at.Format(time.RFC3339), "--parallel", "2"}, &out, &errb)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(errb.String(), "running ") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	sp.Close()
	select {
	case code := <-done:
		if code != exitSetup || !strings.Contains(errb.String(), "stopped answering during the run") {
			t.Errorf("exited %d, want 3 naming the SP that went down:\n%s", code, errb.String())
		}
		if strings.Count(out.String(), "FAIL") > 0 {
			t.Errorf("a table of failures was printed:\n%.2000s", out.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the run did not stop")
	}
}

func TestDownWatch(t *testing.T) {
	stopped := false
	d := &downWatch{cancel: func() { stopped = true }}
	for i := 0; i < downAfter-1; i++ {
		d.see(runner.Result{Reason: string(runner.ReasonTransport)})
	}
	d.see(runner.Result{Reason: "REPLAY"})
	for i := 0; i < downAfter-1; i++ {
		d.see(runner.Result{Reason: string(runner.ReasonTransport)})
	}
	if stopped || d.stopped {
		t.Fatal("stopped before downAfter connection failures in a row")
	}
	d.see(runner.Result{Reason: string(runner.ReasonTransport), Message: "connection refused"})
	if !stopped || !d.stopped || d.last != "connection refused" {
		t.Fatal("not stopped after downAfter connection failures in a row")
	}
}

// A run in a directory holding an IdP at the old default (.samlharness/idp)
// points there when the per-user directory has none.
func TestLegacyIdPDirIsNamed(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	_, spec := startPeer(t, dir, filepath.Join(dir, legacyIdPDir), "crewjam-hardened", at)
	target := writeTarget(t, dir, "sp.json", spec)
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code := realMain([]string{"run", "--target", target, "--idp-dir", filepath.Join(dir, "per-user"), "--at", at.Format(time.RFC3339)}, &out, &errb)
	if code != exitSetup || !strings.Contains(errb.String(), "pass --idp-dir "+legacyIdPDir) {
		t.Errorf("exited %d, want 3 naming %s:\n%s", code, legacyIdPDir, errb.String())
	}
}
