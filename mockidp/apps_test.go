package mockidp

import (
	"fmt"
	"regexp"
	"sync"
	"testing"
)

func TestOrgModel(t *testing.T) {
	t.Parallel()
	idp := newTestIdP(t)
	s := defaultSettings()
	s.AttributeStatements = []AttributeStatement{{Name: "email", Value: "user.email"}}
	a1, err := idp.CreateApp("Eleven Labs!", s)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := idp.CreateApp("ElevenLabs", s)
	if err != nil {
		t.Fatal(err)
	}
	if a1.Name != "dev-123456_elevenlabs_1" || a2.Name != "dev-123456_elevenlabs_2" {
		t.Errorf("app names %q %q", a1.Name, a2.Name)
	}
	for _, id := range []string{a1.ID, a2.ID} {
		if !regexp.MustCompile(`^0oa[0-9A-Za-z]{17}$`).MatchString(id) {
			t.Errorf("app ID %q", id)
		}
	}
	if !regexp.MustCompile(`^exk[0-9A-Za-z]{17}$`).MatchString(a1.ExternalKey) {
		t.Errorf("external key %q", a1.ExternalKey)
	}
	if _, err := idp.CreateApp("", SAMLSettings{}); ErrorCode(err) != CodeInvalidSettings {
		t.Errorf("invalid app: %v", err)
	} else if e := err.(*Error); len(e.Causes) != 3 {
		t.Errorf("want label, SSO URL and audience problems, got %v", e.Causes)
	}

	// Returned values are copies.
	a1.Settings.AttributeStatements[0].Value = "user.login"
	a1.Label = "changed"
	again, _ := idp.App(a1.ID)
	if again.Settings.AttributeStatements[0].Value != "user.email" || again.Label != "Eleven Labs!" {
		t.Errorf("mutating a returned App changed the IdP's")
	}
	if byKey, err := idp.App(a1.ExternalKey); err != nil || byKey.ID != a1.ID {
		t.Errorf("App by external key: %v", err)
	}
	if err := idp.SetLabel(a1.ID, "Renamed"); err != nil {
		t.Fatal(err)
	}
	if again, _ := idp.App(a1.ID); again.Label != "Renamed" || again.Name != "dev-123456_elevenlabs_1" {
		t.Errorf("SetLabel: %+v", again)
	}

	u, err := idp.AddUser(User{Login: "grace@example.com", Groups: []string{"Navy"}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^00u[0-9A-Za-z]{17}$`).MatchString(u.ID) || u.Email != "grace@example.com" || fmt.Sprint(u.Groups) != "[Everyone Navy]" {
		t.Errorf("user %+v", u)
	}
	if _, err := idp.AddUser(User{Login: "GRACE@example.com"}); ErrorCode(err) != CodeDuplicate {
		t.Errorf("duplicate login: %v", err)
	}
	if _, err := idp.AddGroup("Navy"); ErrorCode(err) != CodeDuplicate {
		t.Errorf("duplicate group: %v", err)
	}
	if err := idp.RemoveUserFromGroup(u.ID, "Everyone"); ErrorCode(err) != CodeInvalidRequest {
		t.Errorf("leaving Everyone: %v", err)
	}
	if err := idp.AssignUser(a1.ID, "nobody"); ErrorCode(err) != CodeUserNotFound {
		t.Errorf("assign unknown user: %v", err)
	}
	if err := idp.AssignGroup(a1.ID, "nothing"); ErrorCode(err) != CodeGroupNotFound {
		t.Errorf("assign unknown group: %v", err)
	}
	if _, err := idp.Respond(ResponseRequest{AppID: a1.ID, Login: u.Login}); ErrorCode(err) != CodeAppNotAssigned {
		t.Errorf("unassigned: %v", err)
	}
	if err := idp.AssignGroup(a1.ID, "Everyone"); err != nil {
		t.Fatal(err)
	}
	if _, err := idp.Respond(ResponseRequest{AppID: a1.ID, Login: u.Login}); err != nil {
		t.Errorf("assigned through Everyone: %v", err)
	}
	if users, _ := idp.AppUsers(a1.ID); len(users) != 1 {
		t.Errorf("AppUsers = %v", users)
	}
	if err := idp.RemoveUserFromGroup(u.ID, "Navy"); err != nil {
		t.Fatal(err)
	}
	if got, _ := idp.User(u.ID); fmt.Sprint(got.Groups) != "[Everyone]" {
		t.Errorf("groups after leaving Navy: %v", got.Groups)
	}
}

// TestConcurrentUse exercises the IdP from many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 3; j++ {
				if _, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: testLogin}); err != nil {
					errs <- err
				}
				s := defaultSettings()
				s.DefaultRelayState = fmt.Sprint(i, j)
				if _, err := idp.UpdateApp(app.ID, s); err != nil {
					errs <- err
				}
				if _, err := idp.AddUser(User{Login: fmt.Sprintf("u%d-%d@example.com", i, j)}); err != nil {
					errs <- err
				}
				if c, err := idp.GenerateCertificate(app.ID, 2); err != nil {
					errs <- err
				} else if _, err := idp.ActivateCertificate(app.ID, c.KID); err != nil {
					errs <- err
				}
				_ = idp.Apps()
				_, _ = idp.Certificates(app.ID)
				_, _ = idp.Metadata(app.ID)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
