package mockidp

import (
	"crypto/x509"
	"fmt"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp/fault"
)

const xencElementType = "http://www.w3.org/2001/04/xmlenc#Element"

const (
	algRSAOAEP11    = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
	algAES128GCM    = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	algAES192CBC    = "http://www.w3.org/2001/04/xmlenc#aes192-cbc"
	algTripleDES    = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"
	encryptKeySpare = "wrong"
)

// encryptPlan is the EncryptPlan of the settings.
func encryptPlan(s SAMLSettings) *fault.EncryptPlan {
	p := &fault.EncryptPlan{Enabled: s.encrypted(), KeyTransport: wire.AlgRSAOAEPMGF1P, DataEncryption: wire.AlgAES256CBC}
	if s.KeyTransportAlgorithm == RSA15 {
		p.KeyTransport = wire.AlgRSA15
	}
	switch s.EncryptionAlgorithm {
	case AES128CBC:
		p.DataEncryption = wire.AlgAES128CBC
	case AES256GCM:
		p.DataEncryption = wire.AlgAES256GCM
	}
	return p
}

// encrypter returns crewjam/saml's xmlenc key transport for the plan, with
// its block cipher. RSA-OAEP is rsa-oaep-mgf1p with a SHA-1 digest, as Okta
// sends it.
func encrypter(p *fault.EncryptPlan) (xmlenc.RSA, error) {
	var e xmlenc.RSA
	switch p.KeyTransport {
	case "", wire.AlgRSAOAEPMGF1P:
		e = xmlenc.OAEP()
		e.DigestMethod = xmlenc.SHA1
	case wire.AlgRSA15:
		e = xmlenc.PKCS1v15()
	case algRSAOAEP11:
		e = xmlenc.OAEP_SHA256()
	default:
		return e, fmt.Errorf("unsupported key transport algorithm %q", p.KeyTransport)
	}
	switch p.DataEncryption {
	case "", wire.AlgAES256CBC:
		e.BlockCipher = xmlenc.AES256CBC
	case wire.AlgAES128CBC:
		e.BlockCipher = xmlenc.AES128CBC
	case algAES192CBC:
		e.BlockCipher = xmlenc.AES192CBC
	case wire.AlgAES256GCM:
		e.BlockCipher = xmlenc.AES256GCM
	case algAES128GCM:
		e.BlockCipher = xmlenc.AES128GCM
	case algTripleDES:
		e.BlockCipher = xmlenc.TripleDES
	default:
		return e, fmt.Errorf("unsupported data encryption algorithm %q", p.DataEncryption)
	}
	return e, nil
}

// encryptAssertion replaces assertion (signed already, if the plan signs
// it) with a saml2:EncryptedAssertion for cert, laid out as Okta does: the
// xenc:EncryptedData (Type Element, KeyInfo/RetrievalMethod pointing at the
// key) and, beside it, the xenc:EncryptedKey with a ReferenceList.
func encryptAssertion(assertion *etree.Element, p *fault.EncryptPlan, cert *x509.Certificate) error {
	parent := assertion.Parent()
	if parent == nil {
		return fmt.Errorf("the assertion to encrypt has no parent")
	}
	plain := etree.NewDocument()
	plain.SetRoot(assertion.Copy())
	plaintext, err := serialize(plain)
	if err != nil {
		return err
	}
	enc, err := encrypter(p)
	if err != nil {
		return err
	}
	data, err := enc.Encrypt(cert, plaintext, nil)
	if err != nil {
		return fmt.Errorf("cannot encrypt the assertion for the Encryption Certificate: %w", err)
	}

	// Okta layout: lift the EncryptedKey out of EncryptedData/KeyInfo.
	dataID := data.SelectAttrValue("Id", "")
	reorderAttrs(data, "Id")
	data.CreateAttr("Type", xencElementType)
	reorderAttrs(data, "Id", "Type")
	keyInfo := data.FindElement("./KeyInfo")
	var encKey *etree.Element
	if keyInfo != nil {
		encKey = keyInfo.FindElement("./EncryptedKey")
	}
	if encKey != nil {
		keyInfo.RemoveChild(encKey)
		keyID := encKey.SelectAttrValue("Id", "")
		reorderAttrs(encKey, "Id")
		rm := keyInfo.CreateElement("ds:RetrievalMethod")
		rm.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#EncryptedKey")
		rm.CreateAttr("URI", "#"+keyID)
		if inner := encKey.FindElement("./KeyInfo"); inner != nil {
			inner.CreateAttr("xmlns:ds", wire.NSDSig)
			if c := inner.FindElement("./X509Data/X509Certificate"); c != nil {
				c.SetText(wrap76(c.Text()))
			}
		}
		encKey.CreateElement("xenc:ReferenceList").CreateElement("xenc:DataReference").CreateAttr("URI", "#"+dataID)
	}

	ea := etree.NewElement("saml2:EncryptedAssertion")
	ea.CreateAttr("xmlns:saml2", wire.NSAssertion)
	ea.AddChild(data)
	if encKey != nil {
		ea.AddChild(encKey)
	}
	parent.InsertChildAt(assertion.Index(), ea)
	parent.RemoveChild(assertion)
	return nil
}

// reorderAttrs moves the named attributes, in order, to the front.
func reorderAttrs(el *etree.Element, keys ...string) {
	front := make([]etree.Attr, 0, len(el.Attr))
	for _, k := range keys {
		for _, a := range el.Attr {
			if a.Space == "" && a.Key == k {
				front = append(front, a)
			}
		}
	}
	for _, a := range el.Attr {
		keep := true
		for _, k := range keys {
			if a.Space == "" && a.Key == k {
				keep = false
			}
		}
		if keep {
			front = append(front, a)
		}
	}
	el.Attr = front
}
