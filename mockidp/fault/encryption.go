package fault

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Encryption faults (catalogue §7). The sign-stage ones edit the IdP's
// EncryptPlan (Context.Encryption) and turn assertion encryption on; the IdP
// honours the plan when it encrypts (sign the Assertion, encrypt it into a
// saml2:EncryptedAssertion, then sign the Response). corrupt-ciphertext edits
// the EncryptedAssertion after signing.

const algTripleDES = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"

var (
	keyTransports = map[string]string{
		"rsa-oaep": wire.AlgRSAOAEPMGF1P,
		"rsa-1_5":  wire.AlgRSA15,
	}
	dataEncryptions = map[string]string{
		"aes128-cbc":    wire.AlgAES128CBC,
		"aes256-cbc":    wire.AlgAES256CBC,
		"aes256-gcm":    wire.AlgAES256GCM,
		"tripledes-cbc": algTripleDES,
	}
)

// encryptPlan returns the IdP's encryption plan with encryption turned on.
func encryptPlan(c *Context) (*EncryptPlan, error) {
	if c == nil || c.Encryption == nil {
		return nil, fmt.Errorf("the IdP supports no encryption faults here (Context.Encryption is nil)")
	}
	c.Encryption.Enabled = true
	return c.Encryption, nil
}

func init() {
	registerAll(
		encryptWithFault,
		keyTransportFault,
		dataEncryptionFault,
		corruptCiphertextFault,
	)
}

func encryptWithFault() Spec {
	return Spec{
		Name: "encrypt-with", Stage: StageSign,
		Summary: "encrypt the Assertion (turning encryption on) to another recipient: wrong is a certificate whose key the SP does not hold (the IdP's spare key, Config.SpareKey: enc-wrong-sp-key); sp is the configured SP encryption certificate. The IdP sets EncryptPlan.Key and must encrypt to that certificate",
		Params:  []ParamSpec{{Name: "key", Default: "wrong", Values: []string{"wrong", "sp"}, Summary: "recipient certificate"}},
		Apply:   applyEncryptWith,
	}
}

func applyEncryptWith(c *Context, f Fault) error {
	p, err := encryptPlan(c)
	if err != nil {
		return err
	}
	p.Key = ""
	if f.Param("key", "wrong") == "wrong" {
		p.Key = "wrong"
	}
	return nil
}

func keyTransportFault() Spec {
	return Spec{
		Name: "key-transport", Stage: StageSign,
		Summary: "encrypt the Assertion (turning encryption on) with another EncryptedKey algorithm: rsa-1_5 (enc-rsa15-key-transport, Bleichenbacher: the SP must refuse it) or rsa-oaep. The IdP sets EncryptPlan.KeyTransport",
		Params:  []ParamSpec{{Name: "alg", Default: "rsa-1_5", Values: []string{"rsa-1_5", "rsa-oaep"}, Summary: "key transport"}},
		Apply:   applyKeyTransport,
	}
}

func applyKeyTransport(c *Context, f Fault) error {
	p, err := encryptPlan(c)
	if err != nil {
		return err
	}
	p.KeyTransport = keyTransports[f.Param("alg", "rsa-1_5")]
	return nil
}

func dataEncryptionFault() Spec {
	return Spec{
		Name: "data-encryption", Stage: StageSign,
		Summary: "encrypt the Assertion (turning encryption on) with another EncryptedData algorithm: aes128-cbc, aes256-cbc (Okta's), aes256-gcm, or tripledes-cbc (enc-3des-weak). With an unsigned Response, CBC is enc-cbc-unsigned-response. The IdP sets EncryptPlan.DataEncryption",
		Params:  []ParamSpec{{Name: "alg", Required: true, Values: []string{"aes128-cbc", "aes256-cbc", "aes256-gcm", "tripledes-cbc"}, Summary: "block cipher"}},
		Apply:   applyDataEncryption,
	}
}

func applyDataEncryption(c *Context, f Fault) error {
	p, err := encryptPlan(c)
	if err != nil {
		return err
	}
	p.DataEncryption = dataEncryptions[f.Param("alg", "")]
	return nil
}

func corruptCiphertextFault() Spec {
	return Spec{
		Name: "corrupt-ciphertext", Stage: StagePostSign,
		Summary: "corrupt a CipherValue of the EncryptedAssertion (enc-cbc-bad-padding-crash, enc-gcm-tag-not-checked, enc-padding-oracle-errors): flip the last byte (CBC padding / GCM tag), flip the first byte (IV / nonce), or cut the last 5 bytes. The SP must fail with one uniform decryption error and never panic. Needs encryption on (e.g. encrypt-with key=sp)",
		Params: []ParamSpec{
			{Name: "target", Default: "data", Values: []string{"data", "key"}, Summary: "the EncryptedData's or the EncryptedKey's CipherValue"},
			{Name: "how", Default: "flip-last", Values: []string{"flip-last", "flip-first", "truncate"}, Summary: "how the ciphertext is damaged"}},
		Apply: applyCorruptCiphertext,
	}
}

func applyCorruptCiphertext(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	ea := child(resp, wire.NSAssertion, "EncryptedAssertion")
	if ea == nil {
		return fmt.Errorf("the Response has no saml:EncryptedAssertion (turn encryption on)")
	}
	cv, err := cipherValue(ea, f.Param("target", "data"))
	if err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(cv.Text()), ""))
	if err != nil || len(b) < 6 {
		return fmt.Errorf("the CipherValue is not usable base64 ciphertext")
	}
	switch f.Param("how", "flip-last") {
	case "flip-first":
		b[0] ^= 0x01
	case "truncate":
		b = b[:len(b)-5]
	default:
		b[len(b)-1] ^= 0x01
	}
	setText(cv, base64.StdEncoding.EncodeToString(b))
	return nil
}

// cipherValue finds the CipherValue of the EncryptedData (target data) or
// of the EncryptedKey (target key, wherever it sits in the
// EncryptedAssertion: Okta makes it a sibling of EncryptedData, others put
// it in EncryptedData's KeyInfo).
func cipherValue(ea *etree.Element, target string) (*etree.Element, error) {
	var holder *etree.Element
	if target == "key" {
		if keys := descendants(ea, wire.NSXMLEnc, "EncryptedKey"); len(keys) > 0 {
			holder = keys[0]
		}
	} else {
		holder = child(ea, wire.NSXMLEnc, "EncryptedData")
	}
	cv := child(child(holder, wire.NSXMLEnc, "CipherData"), wire.NSXMLEnc, "CipherValue")
	if cv == nil {
		return nil, fmt.Errorf("no %s CipherData/CipherValue in the EncryptedAssertion", map[string]string{"key": "EncryptedKey", "data": "EncryptedData"}[target])
	}
	return cv, nil
}
