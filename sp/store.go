package sp

import (
	"container/list"
	"time"
)

// boundedMap is the SP's store for state an unauthenticated client can make
// it keep (pending sign-ins, ID tokens, sessions): a map with an expiry per
// entry and a cap on its size. At the cap the oldest entry (by insertion)
// is evicted; expired entries are dropped when met at the front, when
// looked up, and by a sweep every sweepEvery insertions, so the store holds
// at most max entries whatever the clock does. It is not safe for
// concurrent use: Server.mu guards it.
type boundedMap[V any] struct {
	max     int
	m       map[string]*list.Element
	order   *list.List // of *boundedEntry[V], oldest first
	inserts int
}

type boundedEntry[V any] struct {
	key     string
	val     V
	expires time.Time
}

const sweepEvery = 1024

func newBoundedMap[V any](max int) *boundedMap[V] {
	return &boundedMap[V]{max: max, m: map[string]*list.Element{}, order: list.New()}
}

// put stores v under key until expires, evicting expired entries at the
// front and then the oldest entries while the store is full.
func (b *boundedMap[V]) put(key string, v V, expires, now time.Time) {
	if el, ok := b.m[key]; ok {
		b.order.Remove(el)
		delete(b.m, key)
	}
	for el := b.order.Front(); el != nil && !now.Before(el.Value.(*boundedEntry[V]).expires); el = b.order.Front() {
		b.removeElement(el)
	}
	for len(b.m) >= b.max {
		b.removeElement(b.order.Front())
	}
	b.m[key] = b.order.PushBack(&boundedEntry[V]{key: key, val: v, expires: expires})
	b.inserts++
	if b.inserts%sweepEvery == 0 {
		b.sweep(now)
	}
}

// get returns an unexpired entry; an expired one is deleted.
func (b *boundedMap[V]) get(key string, now time.Time) (V, bool) {
	el, ok := b.m[key]
	if !ok {
		var zero V
		return zero, false
	}
	e := el.Value.(*boundedEntry[V])
	if !now.Before(e.expires) {
		b.removeElement(el)
		var zero V
		return zero, false
	}
	return e.val, true
}

// take returns an unexpired entry and deletes it (expired or not).
func (b *boundedMap[V]) take(key string, now time.Time) (V, bool) {
	v, ok := b.get(key, now)
	b.delete(key)
	return v, ok
}

// setExpiry moves an entry's expiry (for idle timeouts).
func (b *boundedMap[V]) setExpiry(key string, expires time.Time) {
	if el, ok := b.m[key]; ok {
		el.Value.(*boundedEntry[V]).expires = expires
	}
}

func (b *boundedMap[V]) delete(key string) bool {
	el, ok := b.m[key]
	if ok {
		b.removeElement(el)
	}
	return ok
}

// deleteIf deletes every entry for which drop returns true and reports how
// many it deleted.
func (b *boundedMap[V]) deleteIf(drop func(V) bool) int {
	n := 0
	for el := b.order.Front(); el != nil; {
		next := el.Next()
		if drop(el.Value.(*boundedEntry[V]).val) {
			b.removeElement(el)
			n++
		}
		el = next
	}
	return n
}

// each calls fn for every unexpired entry, oldest first.
func (b *boundedMap[V]) each(now time.Time, fn func(V)) {
	for el := b.order.Front(); el != nil; el = el.Next() {
		if e := el.Value.(*boundedEntry[V]); now.Before(e.expires) {
			fn(e.val)
		}
	}
}

// sweep drops every expired entry.
func (b *boundedMap[V]) sweep(now time.Time) {
	for el := b.order.Front(); el != nil; {
		next := el.Next()
		if !now.Before(el.Value.(*boundedEntry[V]).expires) {
			b.removeElement(el)
		}
		el = next
	}
}

func (b *boundedMap[V]) len() int { return len(b.m) }

func (b *boundedMap[V]) removeElement(el *list.Element) {
	delete(b.m, el.Value.(*boundedEntry[V]).key)
	b.order.Remove(el)
}
