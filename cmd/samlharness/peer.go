package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/samlharness/samlharness/suites/peers"
)

// peerCmd is `samlharness peer NAME`: a peer SP on loopback, configured
// from the mock IdP's metadata, with its target file written for `run`.
func peerCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return peerServe(ctx, args, stdout, stderr)
}

func peerServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("peer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "the peer's loopback `address` (default: a free port; the target file written by --write-target names it)")
	idpAddr, idpDir := idpFlags(fs)
	targetOut := fs.String("write-target", "", "write the peer's target file to `FILE` (for run --target)")
	hook := fs.Bool("config-hook", false, "serve the configuration hook, so scenarios that change the SP's configuration run")
	// NAME comes first (peer NAME [flags]) or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "samlharness peer: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if name == "" {
		fmt.Fprintf(stderr, "usage: samlharness peer NAME [flags]   (peers: %s)\n", strings.Join(peers.Names(), ", "))
		return exitUsage
	}
	p, ok := peers.ByName(name)
	if !ok {
		fmt.Fprintf(stderr, "samlharness peer: no peer %q (peers: %s)\n", name, strings.Join(peers.Names(), ", "))
		return exitUsage
	}
	if *targetOut != "" {
		if err := checkWritable("--write-target", *targetOut); err != nil {
			return setupFailed(stderr, "peer", err)
		}
	}
	idp, err := openIdP(*idpAddr, *idpDir, stderr)
	if err != nil {
		return setupFailed(stderr, "peer", err)
	}
	r, err := peers.Start(p, idp, peers.Options{Addr: *addr, ConfigHook: *hook})
	if err != nil {
		return setupFailed(stderr, "peer", listenError("peer "+p.Name, *addr, "--addr", err))
	}
	defer r.Close()
	if *targetOut != "" {
		if err := writeFile(*targetOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(r.Target)
		}); err != nil {
			return setupFailed(stderr, "peer", &setupError{cause: "cannot write the target file: " + err.Error(), fix: "pass --write-target a path in a directory you can write"})
		}
	}
	if err := idp.MarkMetadataIssued(); err != nil {
		return setupFailed(stderr, "peer", err)
	}
	fmt.Fprintf(stdout, "samlharness peer %s — %s\n\n", p.Name, p.Summary)
	fmt.Fprintf(stdout, "  SP                               %s\n", r.URL)
	fmt.Fprintf(stdout, "  Sign in                          %s\n", r.Target.SignIn.URL)
	fmt.Fprintf(stdout, "  Entity ID                        %s\n", r.Target.SP.EntityID)
	fmt.Fprintf(stdout, "  ACS URL                          %s\n", r.Target.SP.ACSURL)
	fmt.Fprintf(stdout, "  trusts the IdP                   %s (%s)\n", idp.EntityID(), idp.SSOURL())
	fmt.Fprintf(stdout, "  IdP dir                          %s\n", idp.Dir())
	if *targetOut != "" {
		fmt.Fprintf(stdout, "\nTarget file written to %s: samlharness run --target %s\n", *targetOut, *targetOut)
	}
	fmt.Fprintln(stdout, "\nThe mock IdP is not served by this command: 'samlharness run --target FILE' (or 'samlharness idp') serves it from the IdP dir.")
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")
	<-ctx.Done()
	return exitOK
}
