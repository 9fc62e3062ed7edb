package mockidp

import (
	"sync"
	"time"
)

// The IdP session: the "sid" cookie names a server-side record of who
// signed in and when (the AuthnInstant of every assertion issued in it).

const (
	sessionCookie   = "sid"
	maxSessions     = 10000
	maxForceTokens  = 10000
	forceTokenTTL   = 10 * time.Minute
	sessionLifetime = 2 * time.Hour
)

type session struct {
	userID       string
	authnInstant time.Time
}

type sessionStore struct {
	mu       sync.Mutex
	sessions map[string]session
	order    []string // creation order, for eviction
	// forced holds one-shot tokens for ForceAuthn: when the IdP sent the
	// browser to re-authenticate and from which session; only a new
	// session (a new sign-in) satisfies the request.
	forced map[string]forceMark
}

type forceMark struct {
	at  time.Time
	sid string
}

func (s *sessionStore) init() {
	s.sessions = map[string]session{}
	s.forced = map[string]forceMark{}
}

func (s *sessionStore) create(id, userID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sessions) >= maxSessions {
		// Evict the oldest sessions (a bound, not a policy).
		drop := len(s.order) / 10
		for _, old := range s.order[:drop] {
			delete(s.sessions, old)
		}
		s.order = append([]string(nil), s.order[drop:]...)
	}
	s.sessions[id] = session{userID: userID, authnInstant: at}
	s.order = append(s.order, id)
}

func (s *sessionStore) get(id string, now time.Time) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if ok && now.Sub(sess.authnInstant) > sessionLifetime {
		delete(s.sessions, id)
		return session{}, false
	}
	return sess, ok
}

func (s *sessionStore) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, id)
}

func (s *sessionStore) newForceToken(token, sid string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.forced) >= maxForceTokens {
		for k, m := range s.forced {
			if at.Sub(m.at) > forceTokenTTL {
				delete(s.forced, k)
			}
		}
		if len(s.forced) >= maxForceTokens {
			s.forced = map[string]forceMark{}
		}
	}
	s.forced[token] = forceMark{at: at, sid: sid}
}

// consumeForceToken reports whether token was issued and the browser has
// signed in again since (its session is not the one the token was issued
// to); a satisfied token is used up.
func (s *sessionStore) consumeForceToken(token, sid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.forced[token]
	if !ok || m.sid == sid {
		return false
	}
	delete(s.forced, token)
	return true
}
