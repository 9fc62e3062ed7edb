package fault

import (
	"strings"
	"testing"

	"github.com/crewjam/saml/xmlenc"
	"github.com/samlharness/samlharness/internal/wire"
)

func TestEncryptionPlanFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    Fault
		want EncryptPlan
	}{
		{fault("encrypt-with"), EncryptPlan{Enabled: true, Key: "wrong"}},
		{fault("encrypt-with", "key", "sp"), EncryptPlan{Enabled: true}},
		{fault("key-transport"), EncryptPlan{Enabled: true, KeyTransport: wire.AlgRSA15}},
		{fault("key-transport", "alg", "rsa-oaep"), EncryptPlan{Enabled: true, KeyTransport: wire.AlgRSAOAEPMGF1P}},
		{fault("data-encryption", "alg", "tripledes-cbc"), EncryptPlan{Enabled: true, DataEncryption: algTripleDES}},
	} {
		c := newContext(t)
		if err := Apply(StageSign, c, []Fault{tc.f}); err != nil {
			t.Fatal(err)
		}
		if *c.Encryption != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.f, *c.Encryption, tc.want)
		}
	}
	c := newContext(t)
	c.Encryption = nil
	if err := Apply(StageSign, c, []Fault{fault("encrypt-with")}); err == nil || !strings.Contains(err.Error(), "Context.Encryption") {
		t.Errorf("no plan: %v", err)
	}
}

func TestCorruptCiphertext(t *testing.T) {
	t.Parallel()
	spKey := keys(t)["encryption"].key
	decrypt := func(c *Context) error {
		resp, _ := delivered(t, c)
		ed := child(child(resp, wire.NSAssertion, "EncryptedAssertion"), wire.NSXMLEnc, "EncryptedData")
		if ed == nil {
			t.Fatal("no EncryptedData")
		}
		_, err := xmlenc.Decrypt(spKey, detachedCopy(ed))
		return err
	}
	if err := decrypt(run(t, fault("encrypt-with", "key", "sp"))); err != nil {
		t.Fatalf("the test IdP's encryption does not decrypt: %v", err)
	}
	if err := decrypt(run(t, fault("encrypt-with"))); err == nil {
		t.Error("encrypted to the wrong certificate, yet decrypted")
	}
	for _, tc := range [][]string{
		{"target", "data", "how", "flip-last"},
		{"target", "data", "how", "flip-first"},
		{"target", "data", "how", "truncate"},
		{"target", "key", "how", "flip-last"},
	} {
		c := run(t, fault("encrypt-with", "key", "sp"), fault("data-encryption", "alg", "aes256-gcm"), fault("corrupt-ciphertext", tc...))
		if err := decrypt(c); err == nil {
			t.Errorf("%v: corrupted ciphertext decrypted", tc)
		}
	}
	if err := stages(t, newContext(t), StagePostSign, fault("corrupt-ciphertext")); err == nil || !strings.Contains(err.Error(), "EncryptedAssertion") {
		t.Errorf("without encryption: %v", err)
	}
}
