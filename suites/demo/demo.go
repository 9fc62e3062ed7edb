// Package demo is the demo Okta org and workspace every built-in scenario
// runs in: its users, their password, and the names of the org, the app,
// the workspace and its domains. The built-in target, the hosted IdP, the
// external target (which renames these facts to a foreign SP's) and the
// suites share it.
package demo

// Password is every demo user's Okta password.
const Password = "Sso-Demo-2026!"

// User is one user of the demo Okta org.
type User struct {
	Key       string // short name scenarios use: "alice"
	Login     string // Okta username
	Email     string
	FirstName string
	LastName  string
	Groups    []string
	Assigned  bool // assigned to the app (directly or through a group)
	Note      string
}

// Users is the demo org: the setup guide's happy path and the users its
// troubleshooting cases need.
var Users = []User{
	{Key: "alice", Login: "alice@acme.test", Email: "alice@acme.test", FirstName: "Alice", LastName: "Archer", Groups: []string{"Engineering"}, Assigned: true,
		Note: "assigned through the Engineering group; signs in"},
	{Key: "bob", Login: "bob@acme.test", Email: "bob@acme.test", FirstName: "Bob", LastName: "Baker", Assigned: false,
		Note: "not assigned to the app: Okta's 403 App Not Assigned"},
	{Key: "carol", Login: "carol", Email: "carol@acme.test", FirstName: "Carol", LastName: "Chen", Assigned: true,
		Note: "legacy short Okta username: with Application username = Okta username the NameID is not an email"},
	{Key: "erin", Login: "erin@acme-labs.test", Email: "erin@acme-labs.test", FirstName: "Erin", LastName: "Evans", Assigned: true,
		Note: "email on acme-labs.test: verified in the workspace but not an allowed SSO domain"},
	{Key: "frank", Login: "frank@freemail.test", Email: "frank@freemail.test", FirstName: "Frank", LastName: "Fisher", Assigned: true,
		Note: "email on a domain the workspace never verified"},
}

// DefaultUser is the user a scenario signs in as when it names none.
const DefaultUser = "alice"

// Demo org and workspace facts.
const (
	Org          = "dev-123456"
	AppLabel     = "ElevenLabs"
	Workspace    = "Acme Corp"
	Group        = "Engineering"
	AllowedSSO   = "acme.test"
	VerifiedLabs = "acme-labs.test"
	// AdminEmail is the workspace's admin (serve prints its password).
	AdminEmail = "admin@acme.test"
)
