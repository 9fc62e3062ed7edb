// Package oracle checks the harness's XML signatures with a second,
// independent implementation: xmlsec1 (libxml2 + xmlsec + OpenSSL, Debian's
// xmlsec1 package). Everything else in the harness signs and verifies with
// goxmldsig — the mock IdP signs with it and the SP verifies with it — so a
// bug shared by both sides of the same library would cancel out. The tests
// of this package verify the responses the mock IdP signs with xmlsec1, sign
// responses with xmlsec1 for the SP to judge, and name every scenario where
// the two libraries disagree (DISAGREEMENTS.md).
//
// This file only drives the xmlsec1 command line: it never canonicalizes,
// digests or signs anything itself.
package oracle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// Environment variables.
const (
	// EnvBinary names the xmlsec1 binary to use instead of xmlsec1 on PATH.
	EnvBinary = "SAMLHARNESS_XMLSEC1"
	// EnvRequire, when set to anything but "" or "0", makes a missing
	// xmlsec1 a failure instead of a skip (CI=true does the same).
	EnvRequire = "SAMLHARNESS_REQUIRE_XMLSEC1"
)

// Locate finds the xmlsec1 binary: $SAMLHARNESS_XMLSEC1 when set (it must
// be an executable file), else xmlsec1 on PATH.
func Locate() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s=%s is not an executable file: point it at xmlsec1, or unset it", EnvBinary, p)
		}
		return p, nil
	}
	p, err := exec.LookPath("xmlsec1")
	if err != nil {
		return "", errors.New("xmlsec1 is not on PATH: run 'make xmlsec1' (installs Debian's xmlsec1 package as root), " +
			"'sudo apt-get install -y xmlsec1', or set " + EnvBinary)
	}
	return p, nil
}

// Required reports whether a missing xmlsec1 must fail the tests: in CI
// (CI=true) or when SAMLHARNESS_REQUIRE_XMLSEC1 is set.
func Required() bool {
	if v := os.Getenv(EnvRequire); v != "" && v != "0" {
		return true
	}
	return os.Getenv("CI") == "true"
}

// XMLSec1 runs the xmlsec1 binary at Path.
type XMLSec1 struct {
	Path string
}

// idAttrs registers the SAML ID attributes with xmlsec1. libxml2 knows an
// attribute is of type ID only from a DTD or schema, and a SAML response
// carries neither, so without these a Reference URI="#id..." resolves to
// nothing. xmlsec1 refuses a document in which a registered ID value occurs
// twice ("duplicate ID attribute"): that is its defence against signature
// wrapping, and a reason it disagrees with goxmldsig (see DISAGREEMENTS.md).
var idAttrs = []string{
	"--id-attr:ID", wire.NSProtocol + ":Response",
	"--id-attr:ID", wire.NSAssertion + ":Assertion",
}

// signatureXPath selects the k-th (1-based, document order) ds:Signature
// element of the document. xmlsec1 --verify and --sign process only ONE
// Signature: the first ds:Signature found, or the node --node-xpath selects.
// A SAML response often has two, nested: the Response's (which covers the
// Assertion, the Assertion's own Signature included) and the Assertion's.
// Each is therefore verified in its own run, selected by its position;
// nothing is stripped, because the Response's signature covers the
// Assertion's, and removing it would break the outer digest. The
// enveloped-signature transform removes only the Signature being processed
// (the one whose Reference carries the transform), which is exactly the
// XML-DSig semantics both libraries implement. local-name() and
// namespace-uri() avoid relying on prefix registration in xmlsec1's XPath
// context.
func signatureXPath(k int) string {
	return "(//*[local-name()='Signature' and namespace-uri()='" + wire.NSDSig + "'])[" + strconv.Itoa(k) + "]"
}

// Signature is one ds:Signature of a document and xmlsec1's verdict on it.
type Signature struct {
	// Index is the 1-based position in document order.
	Index int
	// Parent names the element holding the signature ("Response",
	// "Assertion", or another element's local name).
	Parent string
	// OK is true when xmlsec1 verified the signature with the trusted key.
	OK bool
	// Detail is xmlsec1's diagnostic when OK is false (its last lines).
	Detail string
}

// Signatures lists the ds:Signature elements of doc in document order with
// the local name of each one's parent. A document etree cannot parse gives
// an error.
func Signatures(doc []byte) ([]Signature, error) {
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	var out []Signature
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		if el.Tag == "Signature" && el.NamespaceURI() == wire.NSDSig {
			parent := ""
			if p := el.Parent(); p != nil {
				parent = p.Tag
			}
			out = append(out, Signature{Index: len(out) + 1, Parent: parent})
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	if r := d.Root(); r != nil {
		walk(r)
	}
	return out, nil
}

// verifyArgs are the options of every verification:
//
//   - --pubkey-cert-pem loads the trusted certificate's public key into the
//     keys manager. No certificate is loaded as trusted (--trusted-pem), so
//     a certificate the signature's KeyInfo carries never verifies and can
//     never supply the key; and the certificate's validity period plays no
//     part (Identity Platform accepts an expired IdP certificate, which is a
//     trust decision, not a cryptographic one).
//   - --enabled-key-data key-name limits what xmlsec1 reads from KeyInfo to
//     KeyName: an RSAKeyValue or X509Data an attacker put there is ignored,
//     and the key always comes from the keys manager — the Okta certificate.
//     Without it xmlsec1 verifies an attacker's signature against the
//     RSAKeyValue the attacker put in KeyInfo (TestXMLSec1SignedByAttacker
//     checks that the oracle does not).
//   - --enabled-reference-uris empty,same-doc forbids references to other
//     documents (no file or network access while verifying).
func verifyArgs(certFile string) []string {
	args := []string{"--verify", "--pubkey-cert-pem", certFile,
		"--enabled-key-data", "key-name", "--enabled-reference-uris", "empty,same-doc"}
	return append(args, idAttrs...)
}

// Verify checks every ds:Signature of doc with xmlsec1, trusting only the
// public key of certPEM (the IdP's signing certificate). It returns one
// entry per signature in document order; no signature gives an empty list.
func (x XMLSec1) Verify(ctx context.Context, doc, certPEM []byte) ([]Signature, error) {
	res, errs, err := x.VerifyMany(ctx, [][]byte{doc}, certPEM)
	if err != nil {
		return nil, err
	}
	return res[0], errs[0]
}

// failedFile is xmlsec1's last word when a file does not verify.
var failedFile = regexp.MustCompile(`Error: failed to verify file "([^"]+)"`)

// VerifyMany is Verify for many documents trusting the same certificate,
// with as few xmlsec1 processes as it takes: starting xmlsec1 costs more
// than verifying one signature. xmlsec1 verifies the files named on its
// command line in order and stops at the first that fails, naming it
// ("Error: failed to verify file"); the files before it verified, and the
// run resumes after it. Each signature position k (first, second, … in
// document order) is one series of runs with --node-xpath selecting the
// k-th signature. errs[i] is set when document i could not be parsed; the
// error is for a failure to run xmlsec1 at all.
func (x XMLSec1) VerifyMany(ctx context.Context, docs [][]byte, certPEM []byte) (res [][]Signature, errs []error, err error) {
	res, errs = make([][]Signature, len(docs)), make([]error, len(docs))
	dir, err := os.MkdirTemp("", "oracle-verify-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	const certFile = "idp.pem"
	if err := os.WriteFile(filepath.Join(dir, certFile), certPEM, 0o600); err != nil {
		return nil, nil, err
	}
	names := make([]string, len(docs))
	maxSigs := 0
	for i, doc := range docs {
		if res[i], errs[i] = Signatures(doc); errs[i] != nil {
			continue
		}
		names[i] = fmt.Sprintf("response-%04d.xml", i)
		if err := os.WriteFile(filepath.Join(dir, names[i]), doc, 0o600); err != nil {
			return nil, nil, err
		}
		maxSigs = max(maxSigs, len(res[i]))
	}
	for k := 1; k <= maxSigs; k++ {
		var pending []int
		for i := range docs {
			if errs[i] == nil && len(res[i]) >= k {
				pending = append(pending, i)
			}
		}
		for len(pending) > 0 {
			args := append(verifyArgs(certFile), "--node-xpath", signatureXPath(k))
			for _, i := range pending {
				args = append(args, names[i])
			}
			cmd := exec.CommandContext(ctx, x.Path, args...)
			cmd.Dir = dir
			out, runErr := cmd.CombinedOutput()
			var exit *exec.ExitError
			if runErr != nil && !errors.As(runErr, &exit) {
				return nil, nil, fmt.Errorf("run %s: %w", x.Path, runErr)
			}
			failed := -1
			if runErr != nil {
				m := failedFile.FindAllSubmatch(out, -1)
				if len(m) == 0 {
					return nil, nil, fmt.Errorf("%s failed without naming a file: %s", x.Path, lastLines(out, 6))
				}
				for j, i := range pending {
					if names[i] == string(m[len(m)-1][1]) {
						failed = j
					}
				}
				if failed < 0 {
					return nil, nil, fmt.Errorf("%s named %q, which it was not given", x.Path, m[len(m)-1][1])
				}
			}
			done := len(pending)
			if failed >= 0 {
				done = failed
				res[pending[failed]][k-1].Detail = diagnostic(outputOf(out, failed))
			}
			for _, i := range pending[:done] {
				res[i][k-1].OK = true
			}
			if failed < 0 {
				break
			}
			pending = pending[failed+1:]
		}
	}
	return res, errs, nil
}

// outputOf is the part of a multi-file run's output about the n-th file
// (0-based): each file's report ends with a "Manifests References" line.
func outputOf(out []byte, n int) []byte {
	lines := bytes.SplitAfter(out, []byte("\n"))
	seen := 0
	for i, l := range lines {
		if seen == n {
			return bytes.Join(lines[i:], nil)
		}
		if bytes.HasPrefix(l, []byte("Manifests References")) {
			seen++
		}
	}
	return out
}

// Sign fills the k-th (1-based, document order) ds:Signature template of doc
// with xmlsec1 --sign, using the private key and certificate in PEM (the
// certificate goes into the template's X509Data when it has one). A template
// is a ds:Signature whose DigestValue and SignatureValue are empty. To sign a
// Response and its Assertion, sign the Assertion's (inner) template first:
// the Response's signature covers it.
func (x XMLSec1) Sign(ctx context.Context, doc, keyPEM, certPEM []byte, k int) ([]byte, error) {
	dir, err := os.MkdirTemp("", "oracle-sign-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "template.xml"), filepath.Join(dir, "signed.xml")
	keyFile, certFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	for f, b := range map[string][]byte{in: doc, keyFile: keyPEM, certFile: certPEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			return nil, err
		}
	}
	args := append([]string{"--sign", "--privkey-pem", keyFile + "," + certFile}, idAttrs...)
	args = append(args, "--node-xpath", signatureXPath(k), "--output", out, in)
	if msg, err := exec.CommandContext(ctx, x.Path, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("xmlsec1 --sign: %v: %s", err, lastLines(msg, 6))
	}
	return os.ReadFile(out)
}

// Version is xmlsec1's version line.
func (x XMLSec1) Version(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, x.Path, "--version").CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// diagnostic keeps xmlsec1's error lines (without the func=/file= noise)
// and its reference summary.
func diagnostic(out []byte) string {
	var keep []string
	for _, l := range bytes.Split(out, []byte("\n")) {
		s := strings.TrimSpace(string(l))
		switch {
		case strings.HasPrefix(s, "func="):
			if i := strings.Index(s, ":error="); i >= 0 {
				s = s[i+1:]
			}
			keep = append(keep, s)
		case strings.HasPrefix(s, "Error:"), strings.HasPrefix(s, "SignedInfo References"), s == "FAIL", s == "ERROR":
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, " | ")
}

// lastLines is the last n non-empty lines of out, joined with " | ".
func lastLines(out []byte, n int) string {
	var lines []string
	for _, l := range bytes.Split(out, []byte("\n")) {
		if s := strings.TrimSpace(string(l)); s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// Failure classifies xmlsec1's diagnostic for a signature that did not
// verify, in words stable across xmlsec1 versions.
func (s Signature) Failure() string {
	switch {
	case s.OK:
		return ""
	case strings.Contains(s.Detail, "duplicate ID"):
		return "document refused: duplicate ID"
	case strings.Contains(s.Detail, "failed to load document"):
		return "document refused"
	case strings.Contains(s.Detail, "expr=xpointer(") && strings.Contains(s.Detail, "Invalid expression"):
		// xmlsec1 resolves a same-document Reference URI "#v" by
		// evaluating the XPointer xpointer(id('v')), v spliced in
		// verbatim: a v that is not an XML name can break the expression.
		return "reference URI not resolved: XPointer expression invalid"
	case refsFailed(s.Detail):
		return "reference digest mismatch"
	case strings.Contains(s.Detail, "data do not match") || strings.Contains(s.Detail, "FAIL"):
		return "signature value mismatch"
	case strings.Contains(s.Detail, "key is not found"):
		return "no usable key"
	}
	return "error"
}

// refsFailed reads "SignedInfo References (ok/all): N/M" with N < M.
func refsFailed(detail string) bool {
	const marker = "SignedInfo References (ok/all): "
	i := strings.Index(detail, marker)
	if i < 0 {
		return false
	}
	var ok, all int
	if _, err := fmt.Sscanf(detail[i+len(marker):], "%d/%d", &ok, &all); err != nil {
		return false
	}
	return ok < all
}
