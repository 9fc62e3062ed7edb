package sp

import (
	"sync"
	"time"
)

// replayCache remembers accepted Assertion and Response IDs until the
// assertion expires (saml-profiles §4.1.4.5: a bearer assertion must not be
// used twice). It is shared by every workspace of the SP.
type replayCache struct {
	mu      sync.Mutex
	entries map[string]time.Time
	inserts int
}

func newReplayCache() *replayCache {
	return &replayCache{entries: map[string]time.Time{}}
}

// checkAndRecord atomically reports the first key already present and
// unexpired at now; if none is, it records all keys until `until`.
func (c *replayCache) checkAndRecord(keys []string, now, until time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if exp, ok := c.entries[k]; ok && now.Before(exp) {
			return k, true
		}
	}
	for _, k := range keys {
		c.entries[k] = until
	}
	c.inserts++
	if c.inserts%1024 == 0 {
		for k, exp := range c.entries {
			if !now.Before(exp) {
				delete(c.entries, k)
			}
		}
	}
	return "", false
}

// expiry returns when a key leaves the cache.
func (c *replayCache) expiry(key string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[key]
}
