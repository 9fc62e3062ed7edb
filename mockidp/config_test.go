package mockidp

import (
	"crypto/rsa"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
)

// The extra keys come through Config: the configured ones are used as given,
// and an IdP configured with none generates each on first use, once.
func TestConfigKeys(t *testing.T) {
	t.Parallel()
	t.Run("configured", func(t *testing.T) {
		t.Parallel()
		idp := newTestIdP(t)
		for _, tc := range []struct {
			name string
			cert func() (*signingCert, error)
			want *rsa.PrivateKey
		}{
			{"attacker", idp.attackerCert, fixtures.Key(fixtures.KeyAttacker)},
			{"rotated", idp.rotatedCert, fixtures.Key(fixtures.KeyIdPRotated)},
			{"weak", idp.weakCert, fixtures.Key(fixtures.KeyWeak1024)},
			{"spare", idp.spareCert, fixtures.Key(fixtures.KeySpare)},
		} {
			sc, err := tc.cert()
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !sc.key.Equal(tc.want) {
				t.Errorf("%s: the configured key is not the one used", tc.name)
			}
		}
	})
	t.Run("generated when absent", func(t *testing.T) {
		t.Parallel()
		idp, err := New(Config{Now: func() time.Time { return testNow }, IDs: NewSeededIDs(7), NewKey: primaryKey})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, tc := range []struct {
			name string
			cert func() (*signingCert, error)
			bits int
		}{
			{"attacker", idp.attackerCert, 2048},
			{"rotated", idp.rotatedCert, 2048},
			{"weak", idp.weakCert, 1024},
			{"spare", idp.spareCert, 2048},
		} {
			first, err := tc.cert()
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			again, _ := tc.cert()
			if first != again {
				t.Errorf("%s: generated again on second use", tc.name)
			}
			if got := first.key.N.BitLen(); got != tc.bits {
				t.Errorf("%s: RSA-%d, want RSA-%d", tc.name, got, tc.bits)
			}
			for _, fixed := range []fixtures.KeyName{fixtures.KeyAttacker, fixtures.KeyIdPRotated, fixtures.KeyWeak1024, fixtures.KeySpare, fixtures.KeyIdPPrimary} {
				if first.key.Equal(fixtures.Key(fixed)) {
					t.Errorf("%s: a generated key equals the committed fixture %s", tc.name, fixed)
				}
			}
			fp := string(first.key.N.Bytes())
			if seen[fp] {
				t.Errorf("%s: the same key serves two plans", tc.name)
			}
			seen[fp] = true
		}
	})
	t.Run("weak key of another size refused", func(t *testing.T) {
		t.Parallel()
		_, err := New(Config{WeakKey: fixtures.Key(fixtures.KeySpare)})
		if ErrorCode(err) != CodeInvalidRequest {
			t.Errorf("New with a 2048-bit WeakKey: %v, want %s", err, CodeInvalidRequest)
		}
	})
}
