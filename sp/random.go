package sp

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
)

// randSource serialises reads from the configured Rand so that a seeded,
// non-thread-safe reader still gives deterministic, race-free IDs.
type randSource struct {
	mu sync.Mutex
	r  io.Reader
}

func (s *randSource) bytes(n int) ([]byte, error) {
	b := make([]byte, n)
	s.mu.Lock()
	_, err := io.ReadFull(s.r, b)
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("random source: %w", err)
	}
	return b, nil
}

// hex returns 2n lowercase hex characters.
func (s *randSource) hex(n int) (string, error) {
	b, err := s.bytes(n)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// token returns an unpadded base64url string of n random bytes.
func (s *randSource) token(n int) (string, error) {
	b, err := s.bytes(n)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// alnum returns n random alphanumerics (like Identity Platform's localId).
func (s *randSource) alnum(n int) (string, error) {
	b, err := s.bytes(n)
	if err != nil {
		return "", err
	}
	out := make([]byte, n)
	for i, c := range b {
		out[i] = alphanumerics[int(c)%len(alphanumerics)]
	}
	return string(out), nil
}

// authnRequestID is Identity Platform's AuthnRequest ID: "_" + 32 lowercase hex.
func (s *randSource) authnRequestID() (string, error) {
	h, err := s.hex(16)
	if err != nil {
		return "", err
	}
	return "_" + h, nil
}
