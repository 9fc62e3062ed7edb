package gosaml2hardened

import (
	"sync"
	"time"
)

// pendingTTL is how long an AuthnRequest stays answerable.
const pendingTTL = 10 * time.Minute

// replayCap bounds the replay cache; when it is full of unexpired IDs the
// peer refuses logins rather than forget one (fail closed).
const replayCap = 100000

// replayTTL is how long an assertion ID is remembered when the assertion
// gives no usable NotOnOrAfter.
const replayTTL = time.Hour

// requests remembers, per browser, the AuthnRequest it was last sent with.
// A new sign-in in the same browser replaces it, so a response to an older
// request no longer matches. An answered request stays pending until it
// expires: one use of each assertion is the replay cache's job, so a
// response posted again in the same browser is refused as a replay.
type requests struct {
	mu        sync.Mutex
	byBrowser map[string]pending
}

type pending struct {
	id      string
	expires time.Time
}

func newRequests() *requests { return &requests{byBrowser: map[string]pending{}} }

// issue records id as browser's pending request.
func (q *requests) issue(browser, id string, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for b, p := range q.byBrowser {
		if !now.Before(p.expires) {
			delete(q.byBrowser, b)
		}
	}
	q.byBrowser[browser] = pending{id: id, expires: now.Add(pendingTTL)}
}

// pendingID returns browser's unexpired pending request.
func (q *requests) pendingID(browser string, now time.Time) (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	p, ok := q.byBrowser[browser]
	if !ok || !now.Before(p.expires) {
		return "", false
	}
	return p.id, true
}

// replayCache remembers the IDs of accepted assertions until they expire.
type replayCache struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func newReplayCache() *replayCache { return &replayCache{until: map[string]time.Time{}} }

// seen reports whether id was accepted before and has not expired.
func (c *replayCache) seen(id string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	u, ok := c.until[id]
	return ok && now.Before(u)
}

// remember records id until until; false when the cache is full.
func (c *replayCache) remember(id string, until, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.until) >= replayCap {
		for k, u := range c.until {
			if !now.Before(u) {
				delete(c.until, k)
			}
		}
		if len(c.until) >= replayCap {
			return false
		}
	}
	c.until[id] = until
	return true
}
