package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/target/external"
)

// idpCmd is `samlharness idp`: the mock IdP an SP outside the harness is
// configured against, on its own (`idp`) or its metadata (`idp metadata`).
func idpCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "metadata" {
		return idpMetadata(args[1:], stdout, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return idpServe(ctx, args, stdout, stderr)
}

// idpFlags are the flags both forms share.
func idpFlags(fs *flag.FlagSet) (addr, dir *string) {
	addr = fs.String("idp", hostedidp.DefaultIdPAddr, "the mock IdP's loopback `address` (its SSO URL is part of the metadata)")
	dir = fs.String("idp-dir", defaultIdPDir, "`DIR` keeping the signing key and app identity (created on first use, never overwritten)")
	return addr, dir
}

func openIdP(addr, dir string, stderr io.Writer) (*hostedidp.HostedIdP, error) {
	h, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Addr: addr, Dir: dir})
	if err != nil {
		return nil, err
	}
	if h.Created {
		fmt.Fprintf(stderr, "created a new signing key and app identity in %s\n", dir)
	}
	if w := h.Warning(); w != nil {
		fmt.Fprintln(stderr, "warning:", w)
	}
	return h, nil
}

// idpMetadata writes the metadata, so the SP can be configured before any
// run.
func idpMetadata(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("idp metadata", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr, dir := idpFlags(fs)
	out := fs.String("out", "", "write the metadata to `FILE` (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	h, err := openIdP(*addr, *dir, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness idp metadata:", err)
		return 1
	}
	md, err := h.Metadata()
	if err != nil {
		fmt.Fprintln(stderr, "samlharness idp metadata:", err)
		return 1
	}
	if *out == "" {
		_, _ = stdout.Write(append(md, '\n'))
	} else if err := writeFile(*out, func(w io.Writer) error { _, err := w.Write(append(md, '\n')); return err }); err != nil {
		fmt.Fprintln(stderr, "samlharness idp metadata:", err)
		return 1
	}
	printIdP(stderr, h)
	return 0
}

// idpServe serves the IdP on its own until ctx ends, its app pointed at
// the SP a target file (or --acs and --audience) names.
func idpServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("idp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr, dir := idpFlags(fs)
	targetFile := fs.String("target", "", "point the app at the SP a target `FILE` describes, and add its user")
	acs := fs.String("acs", "", "the SP's ACS `URL` (Okta's Single sign-on URL)")
	audience := fs.String("audience", "", "the SP's entity `ID` (Okta's Audience URI)")
	user := fs.String("user", "alice@acme.test", "the `EMAIL` that signs in (password "+demo.Password+")")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *targetFile != "" {
		spec, err := external.LoadTargetFile(*targetFile)
		if err != nil {
			fmt.Fprintln(stderr, "samlharness idp:", err)
			return 2
		}
		*acs, *audience, *user = spec.SP.ACSURL, spec.SP.EntityID, spec.User.Email
	}
	h, err := openIdP(*addr, *dir, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness idp:", err)
		return 1
	}
	if *acs != "" || *audience != "" {
		if err := h.ConfigureApp(*acs, *audience); err != nil {
			fmt.Fprintln(stderr, "samlharness idp:", err)
			return 2
		}
	}
	if _, err := h.AddUser(*user, *user, true); err != nil {
		fmt.Fprintln(stderr, "samlharness idp:", err)
		return 2
	}
	if err := h.Start(); err != nil {
		fmt.Fprintln(stderr, "samlharness idp:", err)
		return 1
	}
	defer h.Close()
	fmt.Fprintf(stdout, "samlharness idp — mock Okta org %s serving on %s\n\n", demo.Org, h.BaseURL())
	printIdP(stdout, h)
	fmt.Fprintf(stdout, "  Sign in as                       %s / %s\n", *user, demo.Password)
	fmt.Fprintf(stdout, "  Admin console                    %s%s (sign in as %s / %s)\n", h.BaseURL(), mockidp.ConsolePath, h.IdP.AdminLogin(), h.IdP.AdminPassword())
	fmt.Fprintf(stdout, "  Admin API                        %s/api/v1/apps (Authorization: SSWS %s)\n", h.BaseURL(), h.IdP.APIToken())
	if *acs == "" {
		fmt.Fprintln(stdout, "\nThe app is not pointed at an SP yet: pass --target FILE or --acs and --audience.")
	}
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")
	<-ctx.Done()
	return 0
}

func printIdP(w io.Writer, h *hostedidp.HostedIdP) {
	fmt.Fprintf(w, "  Identity Provider Entity Id      %s\n", h.EntityID())
	fmt.Fprintf(w, "  Identity Provider SSO URL        %s\n", h.SSOURL())
	fmt.Fprintf(w, "  IdP metadata                     %s\n", h.MetadataURL())
}
