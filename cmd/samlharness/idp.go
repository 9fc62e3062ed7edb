package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

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
	addr = fs.String("idp", "", "the mock IdP's loopback `address` (its SSO URL is part of the metadata; default: the address recorded in the IdP dir, a free port for a new one)")
	dir = fs.String("idp-dir", hostedidp.DefaultDir(), "`DIR` keeping the signing key, app identity and address (created on first use, never overwritten; $"+hostedidp.DirEnv+" overrides the default)")
	return addr, dir
}

func openIdP(addr, dir string, stderr io.Writer) (*hostedidp.HostedIdP, error) {
	h, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Addr: addr, Dir: dir})
	if err != nil {
		return nil, idpDirError(dir, err)
	}
	if h.Created {
		fmt.Fprintf(stderr, "created a new mock IdP in %s (signing key, app identity, address %s)\n", dir, h.Addr())
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
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "samlharness idp metadata: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	h, err := openIdP(*addr, *dir, stderr)
	if err != nil {
		return setupFailed(stderr, "idp metadata", err)
	}
	if h.BaseURL() == "" {
		fmt.Fprintln(stderr, "samlharness idp metadata: --idp with port 0 has no address to write into the metadata: give a port, or leave --idp out to use the IdP dir's")
		return exitUsage
	}
	md, err := h.Metadata()
	if err != nil {
		return setupFailed(stderr, "idp metadata", err)
	}
	if *out == "" {
		_, _ = stdout.Write(append(md, '\n'))
	} else if err := writeFile(*out, func(w io.Writer) error { _, err := w.Write(append(md, '\n')); return err }); err != nil {
		return setupFailed(stderr, "idp metadata", &setupError{cause: fmt.Sprintf("cannot write %s: %v", *out, err), fix: "pass --out a path in a directory you can write"})
	}
	if err := h.MarkMetadataIssued(); err != nil {
		return setupFailed(stderr, "idp metadata", err)
	}
	printIdP(stderr, h)
	fmt.Fprintf(stderr, "  IdP dir                          %s\n", h.Dir())
	return exitOK
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
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "samlharness idp: unexpected argument %q (did you mean 'idp metadata'?)\n", fs.Arg(0))
		return exitUsage
	}
	if *targetFile != "" {
		spec, err := external.LoadTargetFile(*targetFile)
		if err != nil {
			fmt.Fprintln(stderr, "samlharness idp:", err)
			return exitUsage
		}
		if spec.SP.MetadataURL != "" {
			ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
			spec, err = external.ResolveMetadata(ctx, spec, time.Now())
			cancel()
			if err != nil {
				return metadataFailed(stderr, "idp", *targetFile, err)
			}
		}
		*acs, *audience, *user = spec.SP.ACSURL, spec.SP.EntityID, spec.User.Email
	}
	h, err := openIdP(*addr, *dir, stderr)
	if err != nil {
		return setupFailed(stderr, "idp", err)
	}
	if *acs != "" || *audience != "" {
		if err := h.ConfigureApp(*acs, *audience); err != nil {
			fmt.Fprintln(stderr, "samlharness idp:", err)
			return exitUsage
		}
	}
	if _, err := h.AddUser(*user, *user, true); err != nil {
		fmt.Fprintln(stderr, "samlharness idp:", err)
		return exitUsage
	}
	if err := h.Start(); err != nil {
		return setupFailed(stderr, "idp", idpListenError(h, *addr, err))
	}
	defer h.Close()
	if err := h.MarkMetadataIssued(); err != nil {
		return setupFailed(stderr, "idp", err)
	}
	fmt.Fprintf(stdout, "samlharness idp — mock Okta org %s serving on %s\n\n", demo.Org, h.BaseURL())
	printIdP(stdout, h)
	fmt.Fprintf(stdout, "  Sign in as                       %s / %s\n", *user, demo.Password)
	fmt.Fprintf(stdout, "  Admin console                    %s%s (sign in as %s / %s)\n", h.BaseURL(), mockidp.ConsolePath, h.IdP.AdminLogin(), h.IdP.AdminPassword())
	fmt.Fprintf(stdout, "  Admin API                        %s/api/v1/apps (Authorization: SSWS %s)\n", h.BaseURL(), h.IdP.APIToken())
	fmt.Fprintf(stdout, "  IdP dir                          %s\n", h.Dir())
	if *acs == "" {
		fmt.Fprintln(stdout, "\nThe app is not pointed at an SP yet: pass --target FILE or --acs and --audience.")
	}
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")
	<-ctx.Done()
	return exitOK
}

func printIdP(w io.Writer, h *hostedidp.HostedIdP) {
	fmt.Fprintf(w, "  Identity Provider Entity Id      %s\n", h.EntityID())
	fmt.Fprintf(w, "  Identity Provider SSO URL        %s\n", h.SSOURL())
	fmt.Fprintf(w, "  IdP metadata                     %s\n", h.MetadataURL())
}

// legacyIdPDir is where the IdP lived by default before the per-user
// directory: a run in a directory that still has one points there.
const legacyIdPDir = ".samlharness/idp"

// idpDirError explains an IdP directory that cannot be used.
func idpDirError(dir string, err error) error {
	if errors.Is(err, hostedidp.ErrNoIdP) {
		fix := fmt.Sprintf("create it and configure your SP from its metadata first: samlharness idp metadata --idp-dir %s --out idp-metadata.xml "+
			"(or pass --idp-dir the directory your SP was configured from)", dir)
		if _, serr := os.Stat(filepath.Join(legacyIdPDir, "idp.json")); serr == nil {
			fix = fmt.Sprintf("your SP was probably configured from %s (the default before the per-user directory): pass --idp-dir %s, or set $%s",
				legacyIdPDir, legacyIdPDir, hostedidp.DirEnv)
		}
		return &setupError{cause: fmt.Sprintf("there is no mock IdP in %s, so no SP can trust it", dir), fix: fix}
	}
	return &setupError{cause: fmt.Sprintf("the mock IdP in %s cannot be used: %v", dir, err),
		fix: "pass --idp-dir a directory made by `samlharness idp metadata`, or remove this one and configure the SP again"}
}

// idpListenError explains an IdP that cannot serve at its address.
func idpListenError(h *hostedidp.HostedIdP, flagAddr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) && flagAddr == "" && h.Dir() != "" {
		return &setupError{
			cause: fmt.Sprintf("the mock IdP cannot listen on %s, the address recorded in %s: the port is in use (another `samlharness idp` or `run --target`?)", h.Addr(), h.Dir()),
			fix:   "stop the other process; the SP was configured with this address, so moving the IdP with --idp means configuring the SP again",
		}
	}
	return listenError("the mock IdP", h.Addr(), "--idp", err)
}
