package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

func serveCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve runs until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spAddr := fs.String("sp", "127.0.0.1:7780", "the workspace SP's loopback `address` (port 0 picks a free one)")
	idpAddr := fs.String("idp", "127.0.0.1:7781", "the mock Okta org's loopback `address` (use 127.0.0.2:PORT for a cross-site IdP)")
	profile := fs.String("profile", string(sp.ProfileIdentityPlatform), "the workspace's SP profile: identity-platform or strict")
	unconfigured := fs.Bool("unconfigured", false, "leave the workspace's SSO empty, to walk through the setup guide yourself")
	adminEmail := fs.String("admin", demo.AdminEmail, "the workspace admin's `email` (signs in with a password to Security & SSO)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "samlharness serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if _, err := sp.ParseProfile(*profile); err != nil {
		fmt.Fprintln(stderr, "samlharness serve:", err)
		return exitUsage
	}
	w, err := builtin.NewWorld(builtin.WorldConfig{
		SPAddr: *spAddr, IdPAddr: *idpAddr, Profile: sp.Profile(*profile), Configure: !*unconfigured,
	})
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return setupFailed(stderr, "serve", &setupError{
				cause: fmt.Sprintf("cannot listen: %v (another samlharness serve?)", err),
				fix:   "stop the other process, or pass --sp 127.0.0.1:0 --idp 127.0.0.1:0 to pick free ports",
			})
		}
		return setupFailed(stderr, "serve", err)
	}
	defer w.Close()
	password, err := newAdminPassword()
	if err == nil {
		err = w.SP.AddAdmin(w.Workspace.ID, *adminEmail, password)
	}
	if err != nil {
		return setupFailed(stderr, "serve", fmt.Errorf("workspace admin: %w", err))
	}
	printWorld(stdout, w, !*unconfigured)
	printAdmin(stdout, w, *adminEmail, password)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\nstopping")
	return exitOK
}

// printWorld prints the URLs to open and the credentials, in the words of
// the two admin UIs.
func printWorld(out io.Writer, w *builtin.World, configured bool) {
	fmt.Fprintf(out, "samlharness serve — mock Okta org %s and workspace %q, wired together as the setup guide says\n\n", demo.Org, demo.Workspace)
	fmt.Fprintf(out, "Workspace SP (Identity Platform)   %s\n", w.SPURL)
	fmt.Fprintf(out, "  Sign in with SSO                 %s\n", w.Site().SignInURL("alice@acme.test"))
	fmt.Fprintf(out, "  Security & SSO settings          %s/app/settings/security?workspace=%s\n", w.SPURL, w.Workspace.ID)
	fmt.Fprintf(out, "  Service Provider Entity Id       %s\n", w.SPEntityID())
	fmt.Fprintf(out, "  Redirect URL                     %s\n", w.RedirectURL())
	fmt.Fprintf(out, "  Provider ID                      %s\n\n", w.ProviderID())
	fmt.Fprintf(out, "Mock Okta org (IdP)                %s\n", w.IdPURL)
	fmt.Fprintf(out, "  App %-28s %s\n", fmt.Sprintf("%q", demo.AppLabel), w.App.ID)
	fmt.Fprintf(out, "  IdP metadata                     %s\n", w.App.MetadataURL)
	fmt.Fprintf(out, "  Identity Provider Entity Id      %s\n", w.App.EntityID)
	fmt.Fprintf(out, "  Identity Provider Sign-In URL    %s\n", w.App.SignOnURL)
	fmt.Fprintf(out, "  Okta tile (IdP-initiated)        %s\n", w.Site().IdPInitiatedURL)
	fmt.Fprintf(out, "  Admin console                    %s%s\n", w.IdPURL, mockidp.ConsolePath)
	fmt.Fprintf(out, "    sign in as                     %s / %s\n", w.IdP.AdminLogin(), w.IdP.AdminPassword())
	fmt.Fprintf(out, "  Admin API                        %s/api/v1/apps\n", w.IdPURL)
	fmt.Fprintf(out, "    header                         Authorization: SSWS %s\n\n", w.IdP.APIToken())
	if !configured {
		fmt.Fprintln(out, "The workspace's SSO is not configured: copy the values above as the setup guide says.")
	}
	fmt.Fprintf(out, "Users (password %s):\n", demo.Password)
	for _, u := range demo.Users {
		fmt.Fprintf(out, "  %-22s %s\n", u.Login, u.Note)
	}
}

// newAdminPassword draws the workspace admin's password for one serve run:
// serve runs on shared machines, so there is no fixed password to guess.
func newAdminPassword() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// printAdmin says who may change the workspace's Security & SSO settings
// and how to sign in.
func printAdmin(out io.Writer, w *builtin.World, email, password string) {
	fmt.Fprintf(out, "\nWorkspace admin (Security & SSO needs a signed-in admin):\n")
	fmt.Fprintf(out, "  Email                            %s\n", email)
	fmt.Fprintf(out, "  Password                         %s\n", password)
	fmt.Fprintf(out, "  Sign in                          %s%s (the \"Workspace admin\" form)\n", w.SPURL, sp.PathSignIn)
	fmt.Fprintf(out, "  Admin API                        %s/api/workspaces/%s/sso — send the app_session cookie and, to change\n", w.SPURL, w.Workspace.ID)
	fmt.Fprintf(out, "                                   anything, the X-CSRF-Token header from GET %s\n", sp.PathAppMe)
	fmt.Fprintln(out, "\nPress Ctrl-C to stop.")
}
