package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/samlharness/samlharness/sp/diagnose"
	"github.com/samlharness/samlharness/suites/repro"
	"github.com/samlharness/samlharness/suites/scenario"
)

// diagnoseCmd explains a customer's SSO failure from the workspace's
// settings and a captured SAMLResponse or HAR, offline. Exit status: 0 when
// the SP signs the user in, 1 when it refuses (the diagnosis is printed),
// 2 when the inputs cannot be used.
func diagnoseCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagnose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "the workspace's SSO settings as JSON (admin UI names: ssoProvider, serviceProviderEntityId, redirectUrl, identityProviderEntityId, identityProviderSignInUrl, certificates, domains) `FILE`")
	responseFile := fs.String("response", "", "a captured SAMLResponse: base64, URL-encoded base64, a form body, or XML `FILE`")
	harFile := fs.String("har", "", "a browser HAR export of the sign-in `FILE`")
	metadataFile := fs.String("okta-metadata", "", "Okta's IdP metadata XML `FILE` (optional)")
	settingsFile := fs.String("okta-settings", "", "the Okta app's SAML settings as JSON (ssoUrl, audienceUri, nameIdFormat, applicationUsername, …) `FILE` (optional)")
	at := fs.String("at", "", "judge validity windows at this RFC 3339 `TIME` (default: the HAR's timestamp, else now)")
	profile := fs.String("profile", "", "SP profile: identity-platform or strict (default: the config's, else identity-platform)")
	login := fs.Int("login", 0, "with --har, diagnose sign-in `N` of the HAR (default: the last failed one)")
	asJSON := fs.Bool("json", false, "print the diagnosis as JSON (the structure the README documents)")
	emitCase := fs.String("emit-case", "", "also write a regression case recreating the failure to `FILE` (e.g. fixtures/cases/NAME.json)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: samlharness diagnose --config FILE (--response FILE | --har FILE) [--okta-metadata FILE] [--okta-settings FILE] [--at TIME] [--json] [--emit-case FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "samlharness diagnose:", err)
		return 2
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if *configFile == "" {
		return fail(errors.New("--config FILE is required: the workspace's SSO settings as JSON (Workspace settings → Security & SSO, or GET /api/workspaces/{id}/sso)"))
	}
	if (*responseFile == "") == (*harFile == "") {
		return fail(errors.New("give the evidence with exactly one of --response FILE (a SAMLResponse) or --har FILE (a browser HAR export)"))
	}
	if *profile != "" && *profile != "identity-platform" && *profile != "strict" {
		return fail(fmt.Errorf("--profile %q: use identity-platform or strict", *profile))
	}
	in := diagnose.Input{Profile: *profile}
	if *at != "" {
		t, err := time.Parse(time.RFC3339Nano, *at)
		if err != nil {
			return fail(fmt.Errorf("--at %q is not an RFC 3339 time like 2026-01-15T09:30:00Z", *at))
		}
		in.At = t
	}

	data, err := readInput(*configFile, diagnose.MaxConfigBytes)
	if err != nil {
		return fail(err)
	}
	if in.Config, err = diagnose.ParseConfig(data); err != nil {
		return fail(fmt.Errorf("%s: %w", *configFile, err))
	}
	evidenceFile := *responseFile
	if *harFile != "" {
		evidenceFile = *harFile
		if data, err = readInput(*harFile, diagnose.MaxHARBytes); err != nil {
			return fail(err)
		}
		if in.Evidence, _, err = diagnose.ParseHAR(data, diagnose.HARSelect(*login)); err != nil {
			return fail(fmt.Errorf("%s: %w", *harFile, err))
		}
	} else {
		if *login != 0 {
			return fail(errors.New("--login applies to --har only"))
		}
		if data, err = readInput(*responseFile, diagnose.MaxResponseInputBytes); err != nil {
			return fail(err)
		}
		if in.Evidence, err = diagnose.ParseResponse(data); err != nil {
			return fail(fmt.Errorf("%s: %w", *responseFile, err))
		}
	}
	if *metadataFile != "" {
		if data, err = readInput(*metadataFile, diagnose.MaxConfigBytes); err != nil {
			return fail(err)
		}
		md, err := diagnose.ParseMetadata(data)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", *metadataFile, err))
		}
		in.Metadata = &md
	}
	if *settingsFile != "" {
		if data, err = readInput(*settingsFile, diagnose.MaxConfigBytes); err != nil {
			return fail(err)
		}
		s, err := diagnose.ParseOktaSettings(data)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", *settingsFile, err))
		}
		in.Okta = &s
	}

	rep := diagnose.Diagnose(in)
	rep.Evidence.File = filepath.Base(evidenceFile)
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "samlharness diagnose:", err)
		return 1
	}
	if *emitCase != "" {
		if code := writeCase(*emitCase, rep, stderr); code != 0 {
			return code
		}
	}
	if rep.Result.Outcome == "accept" {
		return 0
	}
	return 1
}

// writeCase writes the regression case of a diagnosis.
func writeCase(path string, rep *diagnose.Report, stderr io.Writer) int {
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	c, err := repro.CaseFromReport(rep, name)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness diagnose: --emit-case:", err)
		return 2
	}
	b, err := scenario.MarshalCase(c)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness diagnose: --emit-case:", err)
		return 2
	}
	if err := writeFile(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		fmt.Fprintln(stderr, "samlharness diagnose: --emit-case:", err)
		return 2
	}
	fmt.Fprintf(stderr, "wrote case %s (%s under identity-platform); review it for personal data, then run go test ./suites/repro/\n", path, c.Expect[scenario.IdentityPlatform])
	return 0
}

// readInput reads a file, bounded by limit (one byte more is read so the
// parser can say the file is too large).
func readInput(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", path)
	}
	return io.ReadAll(io.LimitReader(f, int64(limit)+1))
}
