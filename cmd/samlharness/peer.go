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
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "usage: samlharness peer NAME [flags]   (peers: %s)\n", strings.Join(peers.Names(), ", "))
		return 2
	}
	p, ok := peers.ByName(args[0])
	if !ok {
		fmt.Fprintf(stderr, "samlharness peer: no peer %q (peers: %s)\n", args[0], strings.Join(peers.Names(), ", "))
		return 2
	}
	fs := flag.NewFlagSet("peer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:7790", "the peer's loopback `address`")
	idpAddr, idpDir := idpFlags(fs)
	targetOut := fs.String("write-target", "", "write the peer's target file to `FILE` (for run --target)")
	hook := fs.Bool("config-hook", false, "serve the configuration hook, so scenarios that change the SP's configuration run")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	idp, err := openIdP(*idpAddr, *idpDir, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness peer:", err)
		return 1
	}
	r, err := peers.Start(p, idp, peers.Options{Addr: *addr, ConfigHook: *hook})
	if err != nil {
		fmt.Fprintln(stderr, "samlharness peer:", err)
		return 1
	}
	defer r.Close()
	if *targetOut != "" {
		if err := writeFile(*targetOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(r.Target)
		}); err != nil {
			fmt.Fprintln(stderr, "samlharness peer:", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "samlharness peer %s — %s\n\n", p.Name, p.Summary)
	fmt.Fprintf(stdout, "  SP                               %s\n", r.URL)
	fmt.Fprintf(stdout, "  Sign in                          %s\n", r.Target.SignIn.URL)
	fmt.Fprintf(stdout, "  Entity ID                        %s\n", r.Target.SP.EntityID)
	fmt.Fprintf(stdout, "  ACS URL                          %s\n", r.Target.SP.ACSURL)
	fmt.Fprintf(stdout, "  trusts the IdP                   %s (%s)\n", idp.EntityID(), idp.SSOURL())
	if *targetOut != "" {
		fmt.Fprintf(stdout, "\nTarget file written to %s: samlharness run --target %s\n", *targetOut, *targetOut)
	}
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")
	<-ctx.Done()
	return 0
}
