package mockidp

import (
	"crypto/subtle"
	"fmt"
	"sort"
	"strings"
	"time"
)

// User is a person in the Okta org.
type User struct {
	// ID is Okta's user ID ("00u" + 17 alphanumerics), set by AddUser.
	ID string `json:"id"`
	// Login is the Okta username (usually email-shaped); unique in the org,
	// case-insensitively.
	Login     string `json:"login"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// Password is what the login page accepts. Never serialized.
	Password string `json:"-"`
	// Groups are the names of the user's groups. On AddUser, groups that do
	// not exist yet are created. Reads always include "Everyone".
	Groups []string `json:"groups"`
}

// Group is an Okta group.
type Group struct {
	// ID is Okta's group ID ("00g" + 17 alphanumerics).
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
}

type userRecord struct {
	User
	created time.Time
	groups  map[string]bool // group IDs (Everyone implicit)
}

const maxNameLen = 512

// AddUser adds u to the org and returns it with its ID. Login is required
// and unique; Email defaults to Login. Groups named in u.Groups are created
// when they do not exist.
func (idp *IdP) AddUser(u User) (User, error) {
	var problems []string
	u.Login = strings.TrimSpace(u.Login)
	if u.Login == "" {
		problems = append(problems, "Username (login) is required")
	}
	if u.Email == "" {
		u.Email = u.Login
	}
	for name, v := range map[string]string{"login": u.Login, "email": u.Email, "firstName": u.FirstName, "lastName": u.LastName} {
		if len(v) > maxNameLen {
			problems = append(problems, fmt.Sprintf("%s is longer than %d characters", name, maxNameLen))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return User{}, &Error{Code: CodeInvalidUser, Message: "the user profile is not valid", Causes: problems}
	}
	idp.mu.Lock()
	defer idp.mu.Unlock()
	if _, dup := idp.userByLogin[strings.ToLower(u.Login)]; dup {
		return User{}, newError(CodeDuplicate, fmt.Sprintf("a user with login %q already exists: logins must be unique in the org", echo(u.Login)))
	}
	rec := &userRecord{User: u, created: idp.now(), groups: map[string]bool{}}
	rec.ID = idp.ids.userID()
	rec.Groups = nil
	for _, name := range u.Groups {
		gid, ok := idp.groupByName[name]
		if !ok {
			g := idp.addGroupLocked(name, "")
			gid = g.ID
		}
		rec.groups[gid] = true
	}
	idp.users[rec.ID] = rec
	idp.userByLogin[strings.ToLower(u.Login)] = rec.ID
	return idp.userCopyLocked(rec), nil
}

// User returns the user with the given ID or login (case-insensitive).
func (idp *IdP) User(idOrLogin string) (User, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	rec, err := idp.userLocked(idOrLogin)
	if err != nil {
		return User{}, err
	}
	return idp.userCopyLocked(rec), nil
}

// Users returns every user, by login.
func (idp *IdP) Users() []User {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	out := make([]User, 0, len(idp.users))
	for _, rec := range idp.users {
		out = append(out, idp.userCopyLocked(rec))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out
}

func (idp *IdP) userLocked(idOrLogin string) (*userRecord, error) {
	if rec, ok := idp.users[idOrLogin]; ok {
		return rec, nil
	}
	if id, ok := idp.userByLogin[strings.ToLower(idOrLogin)]; ok {
		return idp.users[id], nil
	}
	return nil, newError(CodeUserNotFound, fmt.Sprintf("no user with ID or login %q in org %s: add the user first", echo(idOrLogin), idp.org))
}

// userCopyLocked returns a copy of rec with its group names (Everyone
// first, then by name).
func (idp *IdP) userCopyLocked(rec *userRecord) User {
	u := rec.User
	names := make([]string, 0, len(rec.groups))
	for gid := range rec.groups {
		if g, ok := idp.groups[gid]; ok && gid != idp.everyoneID {
			names = append(names, g.Name)
		}
	}
	sort.Strings(names)
	if idp.everyoneID != "" {
		names = append([]string{"Everyone"}, names...)
	}
	u.Groups = names
	return u
}

// checkPassword reports whether password is the user's, in constant time.
func (rec *userRecord) checkPassword(password string) bool {
	return subtle.ConstantTimeCompare([]byte(rec.Password), []byte(password)) == 1
}

// AddGroup adds a group with a unique name.
func (idp *IdP) AddGroup(name string) (Group, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Group{}, newError(CodeInvalidRequest, "a group needs a name")
	}
	if len(name) > maxNameLen {
		return Group{}, newError(CodeInvalidRequest, fmt.Sprintf("the group name is longer than %d characters", maxNameLen))
	}
	idp.mu.Lock()
	defer idp.mu.Unlock()
	if _, dup := idp.groupByName[name]; dup {
		return Group{}, newError(CodeDuplicate, fmt.Sprintf("a group named %q already exists", echo(name)))
	}
	return *idp.addGroupLocked(name, ""), nil
}

func (idp *IdP) addGroupLocked(name, description string) *Group {
	g := &Group{ID: idp.ids.groupID(), Name: name, Description: description, Created: idp.now()}
	idp.groups[g.ID] = g
	idp.groupByName[name] = g.ID
	return g
}

// Group returns the group with the given ID or name.
func (idp *IdP) Group(idOrName string) (Group, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	g, err := idp.groupLocked(idOrName)
	if err != nil {
		return Group{}, err
	}
	return *g, nil
}

func (idp *IdP) groupLocked(idOrName string) (*Group, error) {
	if g, ok := idp.groups[idOrName]; ok {
		return g, nil
	}
	if id, ok := idp.groupByName[idOrName]; ok {
		return idp.groups[id], nil
	}
	return nil, newError(CodeGroupNotFound, fmt.Sprintf("no group with ID or name %q in org %s", echo(idOrName), idp.org))
}

// Groups returns every group, by name.
func (idp *IdP) Groups() []Group {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	out := make([]Group, 0, len(idp.groups))
	for _, g := range idp.groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// AddUserToGroup makes the user (ID or login) a member of the group (ID or
// name).
func (idp *IdP) AddUserToGroup(user, group string) error {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	rec, err := idp.userLocked(user)
	if err != nil {
		return err
	}
	g, err := idp.groupLocked(group)
	if err != nil {
		return err
	}
	rec.groups[g.ID] = true
	return nil
}

// RemoveUserFromGroup ends the user's membership of the group. Everyone
// cannot be left.
func (idp *IdP) RemoveUserFromGroup(user, group string) error {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	rec, err := idp.userLocked(user)
	if err != nil {
		return err
	}
	g, err := idp.groupLocked(group)
	if err != nil {
		return err
	}
	if g.ID == idp.everyoneID {
		return newError(CodeInvalidRequest, "every user is a member of Everyone: that membership cannot be removed")
	}
	delete(rec.groups, g.ID)
	return nil
}
