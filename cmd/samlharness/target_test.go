package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/peers"
	"github.com/samlharness/samlharness/suites/runner"
)

// freeAddr is a loopback address nothing listens on (for the IdP's fixed
// address).
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The external workflow end to end: the IdP's metadata first, an SP
// configured from it, then `run --target FILE` with every report. No
// --idp anywhere: the address recorded in the IdP dir is the one both use.
func TestRunTargetFile(t *testing.T) {
	dir := t.TempDir()
	idpDir := filepath.Join(dir, "idp")
	var md1, errb bytes.Buffer
	if code := realMain([]string{"idp", "metadata", "--idp-dir", idpDir}, &md1, &errb); code != 0 {
		t.Fatalf("idp metadata exited %d: %s", code, errb.String())
	}
	var md2 bytes.Buffer
	if code := realMain([]string{"idp", "metadata", "--idp-dir", idpDir}, &md2, &errb); code != 0 || !bytes.Equal(md1.Bytes(), md2.Bytes()) {
		t.Fatal("the metadata changed between two calls")
	}

	at := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	idp, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Dir: idpDir})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := peers.ByName("crewjam-hardened")
	sp, err := peers.Start(p, idp, peers.Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	raw, _ := json.Marshal(sp.Target)
	target := filepath.Join(dir, "sp.json")
	if err := os.WriteFile(target, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	errb.Reset()
	files := map[string]string{"json": "r.json", "junit": "r.xml", "html": "m.html", "markdown": "m.md"}
	args := []string{"run", "--target", target, "--idp-dir", idpDir, "--at", at.Format(time.RFC3339),
		"--filter", "baseline,replay,!needs:sp-config", "--parallel", "4"}
	for flag, name := range files {
		args = append(args, "--"+flag, filepath.Join(dir, name))
	}
	if code := realMain(args, &out, &errb); code != 0 {
		t.Fatalf("run exited %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "against crewjam-hardened") {
		t.Errorf("no summary for the target:\n%s", out.String())
	}
	for _, name := range files {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || len(b) == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	var rep runner.Report
	b, _ := os.ReadFile(filepath.Join(dir, "r.json"))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Target != "crewjam-hardened" || rep.Summary.Total == 0 || rep.Summary.Failed != 0 {
		t.Errorf("report %+v", rep.Summary)
	}
}

func TestRunPeerTargets(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := realMain([]string{"run", "--target", "peer:crewjam-default", "--target", "peer:crewjam-hardened",
		"--filter", "replay-same-browser-after-sign-out,valid-login-guide-settings", "--markdown", filepath.Join(dir, "m.md")}, &out, &errb)
	if code != 1 {
		t.Fatalf("run exited %d, want 1 (the default crewjam SP accepts a replay)\n%s%s", code, out.String(), errb.String())
	}
	md, _ := os.ReadFile(filepath.Join(dir, "m.md"))
	if !strings.Contains(string(md), "| `replay-same-browser-after-sign-out` | reject:REPLAY | **accept** FAIL | reject:REPLAY |") {
		t.Errorf("the matrix does not tell the two apart:\n%s", md)
	}
}

func TestTargetBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("sp: {entityId: x, acsUrl: 'http://10.1.2.3/acs'}\n"), 0o644)
	for _, args := range [][]string{
		{"run", "--target", bad},
		{"run", "--target", filepath.Join(dir, "missing.json")},
		{"run", "--target", "peer:nope"},
		{"peer", "nope"},
	} {
		var out, errb bytes.Buffer
		if code := realMain(args, &out, &errb); code != 2 {
			t.Errorf("%v exited %d, want 2: %s", args, code, errb.String())
		}
	}
}
