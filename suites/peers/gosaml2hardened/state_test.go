package gosaml2hardened

import (
	"strconv"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

func TestRequestsOnePendingPerBrowser(t *testing.T) {
	q := newRequests()
	if _, ok := q.pendingID("b1", t0); ok {
		t.Fatal("a browser that started no sign-in has a pending request")
	}
	q.issue("b1", "id-1", t0)
	q.issue("b2", "id-2", t0)
	if id, ok := q.pendingID("b1", t0); !ok || id != "id-1" {
		t.Fatalf("b1 pending %q %v", id, ok)
	}
	q.issue("b1", "id-3", t0.Add(time.Minute))
	if id, _ := q.pendingID("b1", t0.Add(time.Minute)); id != "id-3" {
		t.Fatalf("a new sign-in did not replace the pending request: %q", id)
	}
	if id, _ := q.pendingID("b2", t0); id != "id-2" {
		t.Fatalf("another browser's request changed: %q", id)
	}
	if _, ok := q.pendingID("b1", t0.Add(time.Minute+pendingTTL)); ok {
		t.Fatal("a request is still pending after its TTL")
	}
}

func TestReplayCache(t *testing.T) {
	c := newReplayCache()
	if c.seen("a1", t0) {
		t.Fatal("an unknown ID is seen")
	}
	if !c.remember("a1", t0.Add(time.Hour), t0) {
		t.Fatal("remember failed")
	}
	if !c.seen("a1", t0.Add(59*time.Minute)) {
		t.Fatal("a remembered ID is not seen before it expires")
	}
	if c.seen("a1", t0.Add(time.Hour)) {
		t.Fatal("an expired ID is still seen")
	}
}

func TestReplayCacheFullFailsClosed(t *testing.T) {
	c := newReplayCache()
	for i := 0; i < replayCap; i++ {
		c.until["id"+strconv.Itoa(i)] = t0.Add(time.Hour)
	}
	if c.remember("new", t0.Add(time.Hour), t0) {
		t.Fatal("a full cache of live IDs accepted another")
	}
	// Once they expire, room is made.
	if !c.remember("new", t0.Add(3*time.Hour), t0.Add(2*time.Hour)) {
		t.Fatal("a cache of expired IDs refused a new one")
	}
}
