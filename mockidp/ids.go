package mockidp

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// IDGenerator is the source of randomness behind every identifier the mock
// IdP mints: app, external key, user and group IDs, key IDs, Response and
// Assertion IDs, session IDs. It must be safe for concurrent use.
type IDGenerator interface {
	// Uint64 returns a uniformly distributed 64-bit value.
	Uint64() uint64
}

// NewRandomIDs returns the default IDGenerator, backed by crypto/rand.
func NewRandomIDs() IDGenerator { return cryptoIDs{} }

type cryptoIDs struct{}

func (cryptoIDs) Uint64() uint64 {
	var b [8]byte
	// crypto/rand.Read never returns an error (it panics on an unusable
	// system source, per its documentation).
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// NewSeededIDs returns a deterministic IDGenerator (math/rand/v2 PCG seeded
// with seed) for tests: the same seed and the same sequence of calls give
// the same identifiers.
func NewSeededIDs(seed uint64) IDGenerator {
	return &seededIDs{r: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

type seededIDs struct {
	mu sync.Mutex
	r  *mrand.Rand
}

func (s *seededIDs) Uint64() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Uint64()
}

const alnumChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ids turns an IDGenerator into Okta-shaped identifiers.
type ids struct{ g IDGenerator }

// intn returns a uniform value in [0, n) (n small, so modulo bias is
// negligible for identifiers).
func (x ids) intn(n int) int { return int(x.g.Uint64() % uint64(n)) }

func (x ids) alnum(n int) string {
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < n; i++ {
		b.WriteByte(alnumChars[x.intn(len(alnumChars))])
	}
	return b.String()
}

func (x ids) digits(n int) string {
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < n; i++ {
		c := byte('0' + x.intn(10))
		if i == 0 && c == '0' {
			c = '1' + byte(x.intn(9))
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Okta object IDs: a 3-character type prefix and 17 alphanumerics.
func (x ids) appID() string       { return "0oa" + x.alnum(17) }
func (x ids) externalKey() string { return "exk" + x.alnum(17) }
func (x ids) userID() string      { return "00u" + x.alnum(17) }
func (x ids) groupID() string     { return "00g" + x.alnum(17) }
func (x ids) sessionID() string   { return "102" + x.alnum(22) }
func (x ids) token() string       { return x.alnum(32) }

// kid is a URL-safe 43-character key ID (32 random bytes, unpadded base64url).
func (x ids) kid() string {
	var b [32]byte
	for i := 0; i < 32; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], x.g.Uint64())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// responseIDs returns a Response ID and an Assertion ID shaped like Okta's:
// "id" and 25 to 27 digits, the two sharing a long common prefix (Okta
// derives both from one time-based counter).
func (x ids) responseIDs() (responseID, assertionID string) {
	prefix := x.digits(13)
	responseID = "id" + prefix + x.digits(12+x.intn(3))
	assertionID = "id" + prefix + x.digits(12+x.intn(3))
	return responseID, assertionID
}

// idpSessionIndex is the SessionIndex of an IdP-initiated response:
// "id" + epoch milliseconds + "." + an integer.
func (x ids) idpSessionIndex(now time.Time) string {
	return "id" + strconv.FormatInt(now.UnixMilli(), 10) + "." + strconv.Itoa(x.intn(1_000_000_000))
}
