// Command samlharness is the SAML 2.0 conformance harness: an Okta-like mock
// IdP, a workspace SP on Google Identity Platform, and a catalogue of valid
// and broken responses with a verdict for each.
//
//	samlharness run      run the catalogue against the built-in SP
//	samlharness list     print the catalogue
//	samlharness serve    the mock IdP and the SP on loopback, wired together
//	samlharness idp      the mock IdP an external SP is configured against
//	samlharness peer     a peer SP built on a SAML library, as an external target
//	samlharness diagnose explain a captured SSO failure and turn it into a regression case
package main

import (
	"fmt"
	"io"
	"os"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run catalogue scenarios against the built-in SP, or any SP with --target, and print a verdict table", runCmd},
		{"list", "print the scenario catalogue (--json for the machine-readable form)", listCmd},
		{"serve", "serve the mock Okta org and the workspace SP on loopback, wired together", serveCmd},
		{"idp", "serve the mock IdP an external SP is configured against ('idp metadata' writes its metadata)", idpCmd},
		{"peer", "serve a peer SP (crewjam-default, crewjam-hardened, gosaml2, gosaml2-hardened) as an external target", peerCmd},
		{"diagnose", "explain a customer's SSO failure from the workspace settings and a SAMLResponse or HAR (offline)", diagnoseCmd},
	}
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "samlharness: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: samlharness <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n'samlharness <command> -h' shows a command's flags.")
}
