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
//
// Exit status (every command): 0 every expectation met, 1 some failed, 2
// usage or bad input, 3 setup could not be completed (see exitcodes.go).
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	// usage is the synopsis --help prints after "usage: ".
	usage string
	// exits says what each exit status means for this command.
	exits string
	run   func(args []string, stdout, stderr io.Writer) int
	// more, when set, is printed after the flags by --help.
	more func() string
}

func commands() []command {
	return []command{
		{"run", "run catalogue scenarios against the built-in SP, or any SP with --target, and print a verdict table",
			"samlharness run [--target FILE|peer:NAME|builtin]... [--filter TERMS] [--profile P] [--junit FILE] [flags]", exitsRun, runCmd, runHelp},
		{"list", "print the scenario catalogue (--json for the machine-readable form)",
			"samlharness list [--filter TERMS] [--json] [--coverage] [--provenance KIND]", exitsList, listCmd, nil},
		{"serve", "serve the mock Okta org and the workspace SP on loopback, wired together",
			"samlharness serve [--sp ADDR] [--idp ADDR] [--profile P] [--admin EMAIL] [--unconfigured]", exitsServe, serveCmd, nil},
		{"idp", "serve the mock IdP an external SP is configured against ('idp metadata' writes its metadata)",
			"samlharness idp [--target FILE | --acs URL --audience ID] [--idp-dir DIR] [--idp ADDR]\n       samlharness idp metadata [--out FILE] [--idp-dir DIR] [--idp ADDR]", exitsIdP, idpCmd, nil},
		{"peer", "serve a peer SP (crewjam-default, crewjam-hardened, gosaml2, gosaml2-hardened) as an external target",
			"samlharness peer NAME [--addr ADDR] [--write-target FILE] [--config-hook] [--idp-dir DIR]", exitsPeer, peerCmd, nil},
		{"diagnose", "explain a customer's SSO failure from the workspace settings and a SAMLResponse or HAR (offline)",
			"samlharness diagnose --config FILE (--response FILE | --har FILE) [flags]", exitsDiagnose, diagnoseCmd, nil},
	}
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if isHelp(args[0]) || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return realMain([]string{args[1], "--help"}, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if prefix, ok := wantsHelp(args[1:]); ok {
				printHelp(c, prefix, stdout)
				return exitOK
			}
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "samlharness: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "samlharness — a SAML 2.0 conformance harness: a mock Okta IdP, a workspace SP and a catalogue of valid and broken responses.")
	fmt.Fprintln(w, "\nusage: samlharness <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n'samlharness <command> --help' shows a command's flags and exit codes.")
	fmt.Fprint(w, "\n"+exitsRun)
}

// subSummaries describe subcommands in their --help.
var subSummaries = map[string]string{
	"samlharness idp metadata": "write the mock IdP's metadata to configure your SP from (creates the IdP dir, with a free port, on first use)",
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// wantsHelp reports whether a command's arguments ask for help, and the
// positional words before the request (e.g. "metadata" in `idp metadata
// --help`). Arguments after "--" are not looked at.
func wantsHelp(args []string) ([]string, bool) {
	var prefix []string
	for i, a := range args {
		if a == "--" {
			return nil, false
		}
		if isHelp(a) {
			return prefix, true
		}
		if i == len(prefix) && !strings.HasPrefix(a, "-") {
			prefix = append(prefix, a)
		}
	}
	return nil, false
}

// printHelp prints a command's description, synopsis, flags and exit
// codes to w. The flags are the command's own flag set's, which it prints
// when parsing -h (before it does anything else).
func printHelp(c command, prefix []string, w io.Writer) {
	var flags bytes.Buffer
	_ = c.run(append(append([]string(nil), prefix...), "-h"), io.Discard, &flags)
	text := flags.String()
	// Drop the flag package's own heading or a command's usage line: the
	// synopsis below says the same.
	if first, rest, ok := strings.Cut(text, "\n"); ok && (strings.HasPrefix(first, "Usage of ") || strings.HasPrefix(first, "usage: ")) {
		text = rest
	}
	name := strings.TrimSpace("samlharness " + c.name + " " + strings.Join(prefix, " "))
	summary := c.summary
	if sub, ok := subSummaries[name]; ok {
		summary = sub
	}
	fmt.Fprintf(w, "%s — %s\n\nusage: %s\n", name, summary, c.usage)
	if strings.TrimSpace(text) != "" {
		fmt.Fprintf(w, "\nflags:\n%s", text)
	}
	if c.more != nil && len(prefix) == 0 {
		fmt.Fprint(w, "\n"+c.more())
	}
	fmt.Fprint(w, "\n"+c.exits)
}
