package sp

import (
	"container/heap"
	"sync"
	"time"
)

// replayCache remembers accepted Assertion and Response IDs until the
// assertion expires (saml-profiles §4.1.4.5: a bearer assertion must not be
// used twice). It is shared by every workspace of the SP.
//
// Its size is bounded by time, not by a cap (evicting an unexpired entry
// would let a response be replayed): every entry leaves at its expiry — the
// assertion's NotOnOrAfter — and no later than maxTTL after it was recorded.
// maxTTL is the pending sign-in lifetime: a response answers one pending
// sign-in (InResponseTo) and is refused once that has expired, so a longer
// memory would protect nothing. Expired entries are dropped on every
// insertion, oldest expiry first.
type replayCache struct {
	mu      sync.Mutex
	maxTTL  time.Duration
	entries map[string]time.Time
	byTime  expiryHeap
}

// newReplayCache is an empty cache; set maxTTL (0: entries last until
// their own expiry).
func newReplayCache() *replayCache {
	return &replayCache{entries: map[string]time.Time{}}
}

// checkAndRecord atomically reports the first key already present and
// unexpired at now; if none is, it records all keys until `until` (at most
// now + maxTTL).
func (c *replayCache) checkAndRecord(keys []string, now, until time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purgeLocked(now)
	for _, k := range keys {
		if exp, ok := c.entries[k]; ok && now.Before(exp) {
			return k, true
		}
	}
	if limit := now.Add(c.maxTTL); c.maxTTL > 0 && until.After(limit) {
		until = limit
	}
	for _, k := range keys {
		c.entries[k] = until
		heap.Push(&c.byTime, expiryItem{key: k, at: until})
	}
	return "", false
}

// purgeLocked drops every entry whose expiry is not after now.
func (c *replayCache) purgeLocked(now time.Time) {
	for len(c.byTime) > 0 && !now.Before(c.byTime[0].at) {
		it := heap.Pop(&c.byTime).(expiryItem)
		if exp, ok := c.entries[it.key]; ok && exp.Equal(it.at) {
			delete(c.entries, it.key)
		}
	}
}

// expiry returns when a key leaves the cache.
func (c *replayCache) expiry(key string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[key]
}

// size is how many IDs the cache holds.
func (c *replayCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

type expiryItem struct {
	key string
	at  time.Time
}

// expiryHeap is a min-heap of expiries.
type expiryHeap []expiryItem

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryItem)) }
func (h *expiryHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
