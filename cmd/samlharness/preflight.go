package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/external"
)

// Bounds on the checks made before a run.
const (
	probeTimeout    = 5 * time.Second
	metadataTimeout = 10 * time.Second
)

// checkReports makes sure every report can be written before a run.
func checkReports(jsonOut, junitOut, htmlOut, mdOut string) error {
	for _, r := range []struct{ flag, path string }{{"--json", jsonOut}, {"--junit", junitOut}, {"--html", htmlOut}, {"--markdown", mdOut}} {
		if err := checkWritable(r.flag, r.path); err != nil {
			return err
		}
	}
	return nil
}

// probeSP asks the target's sign-in URL for any HTTP answer: an SP that
// does not answer stops the run before the catalogue starts.
func probeSP(ctx context.Context, file string, spec external.TargetSpec) error {
	u := strings.ReplaceAll(spec.SignIn.URL, "{email}", url.QueryEscape(spec.User.Email))
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		var cause string
		if errors.Is(err, context.DeadlineExceeded) {
			cause = fmt.Sprintf("no answer within %s", probeTimeout)
		} else {
			cause = err.Error()
		}
		return &setupError{
			cause: fmt.Sprintf("the SP of target %s does not answer at %s: %s", spec.Name, u, cause),
			fix:   fmt.Sprintf("start the SP (or correct signIn.url in %s), then run again", file),
		}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return nil
}

// metadataFailed reports a target's unusable sp.metadataUrl: exit 3 when
// the SP does not serve it or its certificate is out of date, 2 when the
// target file is wrong.
func metadataFailed(stderr io.Writer, cmd, file string, err error) int {
	var me *external.MetadataError
	if !errors.As(err, &me) {
		return setupFailed(stderr, cmd, err)
	}
	switch me.Problem {
	case external.MetadataUnreachable:
		return setupFailed(stderr, cmd, &setupError{cause: err.Error(),
			fix: fmt.Sprintf("start the SP so it serves its metadata there (or correct sp.metadataUrl in %s)", file)})
	case external.MetadataStale:
		return setupFailed(stderr, cmd, &setupError{cause: err.Error(), fix: "give the SP a current encryption certificate"})
	}
	fmt.Fprintf(stderr, "samlharness %s: target file %s: %v\n", cmd, file, err)
	return exitUsage
}

// controlError explains a failed control login: the run cannot judge a
// refusal, so it stops before the catalogue.
func controlError(r resolved, p scenario.Profile, c runner.Result, frozen bool, clock time.Time, idpDir string, idp *hostedidp.HostedIdP) error {
	what := c.Why
	if c.Message != "" && !strings.Contains(what, c.Message) {
		what += " (" + c.Message + ")"
	}
	cause := fmt.Sprintf("the valid control login (%s) failed against %s under the %s profile: %s", runner.ControlID, r.target.Name(), p, oneLine(what, 400))
	var fix string
	switch {
	case external.RefusedOnTime(c) && frozen:
		fix = fmt.Sprintf("the SP refused on time: the harness clock is frozen at %s (--at) and the SP reads its own; run without --at (the wall clock), or give the SP the same frozen clock", clock.Format(time.RFC3339))
	case external.RefusedOnTime(c):
		fix = "the SP refused on time: the harness runs on the wall clock; check the SP's clock (or the clock it was given) and its allowed skew"
	case r.file != "" && idp != nil:
		fix = fmt.Sprintf("configure the SP from this IdP's metadata (samlharness idp metadata --idp-dir %s, IdP SSO URL %s), and check signIn and session in %s; 'run -v --filter %s' shows the attempt",
			idpDir, idp.SSOURL(), r.file, runner.ControlID)
	default:
		fix = fmt.Sprintf("'samlharness run -v --filter %s' shows the attempt", runner.ControlID)
	}
	return &setupError{cause: cause, fix: fix}
}

// oneLine folds s onto one line of at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
