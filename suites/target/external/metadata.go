package external

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/crewjam/saml"
)

// MetadataProblem says what went wrong with a target's SP metadata.
type MetadataProblem string

// Metadata problems.
const (
	// MetadataUnreachable: the SP did not serve its metadata (down, or
	// not HTTP 200): a setup failure.
	MetadataUnreachable MetadataProblem = "unreachable"
	// MetadataInvalid: the document is not SP metadata the harness can
	// read.
	MetadataInvalid MetadataProblem = "invalid"
	// MetadataMismatch: the target file says something else than the SP's
	// metadata (e.g. a stale encryptionCertificate copied by hand).
	MetadataMismatch MetadataProblem = "mismatch"
	// MetadataStale: the SP publishes an encryption certificate that is
	// not valid at the harness's clock.
	MetadataStale MetadataProblem = "stale-certificate"
)

// MetadataError is a failure to use a target's sp.metadataUrl.
type MetadataError struct {
	Problem MetadataProblem
	URL     string
	Err     error
}

func (e *MetadataError) Error() string {
	return fmt.Sprintf("sp.metadataUrl %s: %v", e.URL, e.Err)
}

func (e *MetadataError) Unwrap() error { return e.Err }

// maxMetadata bounds the metadata document read from the SP.
const maxMetadata = 1 << 20

// ResolveMetadata fetches spec.SP.MetadataURL (a loopback URL, read at each
// run so a rotated key is picked up) and fills the SP's entity ID, ACS URL
// (the HTTP-POST endpoint: the default, else the lowest index) and
// encryption certificate from it. Values the target file also gives must
// agree with the metadata. now judges the encryption certificate's
// validity. A spec without metadataUrl is returned as is.
func ResolveMetadata(ctx context.Context, spec TargetSpec, now time.Time) (TargetSpec, error) {
	u := spec.SP.MetadataURL
	if u == "" {
		return spec, nil
	}
	fail := func(p MetadataProblem, format string, args ...any) (TargetSpec, error) {
		return spec, &MetadataError{Problem: p, URL: u, Err: fmt.Errorf(format, args...)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fail(MetadataInvalid, "%v", err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fail(MetadataUnreachable, "the SP does not answer: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(MetadataUnreachable, "the SP answered HTTP %d, not its metadata", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		return fail(MetadataUnreachable, "reading the metadata: %v", err)
	}
	if len(data) > maxMetadata {
		return fail(MetadataInvalid, "larger than %d bytes", maxMetadata)
	}
	ed, err := spEntity(data)
	if err != nil {
		return fail(MetadataInvalid, "%v", err)
	}
	sd := ed.SPSSODescriptors[0]
	acs := postACS(sd.AssertionConsumerServices)
	if acs == "" {
		return fail(MetadataInvalid, "the SPSSODescriptor lists no AssertionConsumerService with the HTTP-POST binding")
	}
	certPEM, cert, err := encryptionCert(sd.KeyDescriptors)
	if err != nil {
		return fail(MetadataInvalid, "%v", err)
	}
	var mismatches []string
	if spec.SP.EntityID != "" && spec.SP.EntityID != ed.EntityID {
		mismatches = append(mismatches, fmt.Sprintf("sp.entityId is %q, the metadata's entityID %q", spec.SP.EntityID, ed.EntityID))
	}
	if spec.SP.ACSURL != "" && spec.SP.ACSURL != acs {
		mismatches = append(mismatches, fmt.Sprintf("sp.acsUrl is %q, the metadata's HTTP-POST AssertionConsumerService %q", spec.SP.ACSURL, acs))
	}
	if spec.SP.EncryptionCertificate != "" {
		if d := certDifference(spec.SP.EncryptionCertificate, cert); d != "" {
			mismatches = append(mismatches, "sp.encryptionCertificate is stale: "+d)
		}
	}
	if len(mismatches) > 0 {
		return fail(MetadataMismatch, "the target file disagrees with the SP's metadata: %s; remove these fields (the metadata provides them) or correct them",
			strings.Join(mismatches, "; "))
	}
	if cert != nil && !now.IsZero() && (now.Before(cert.NotBefore) || now.After(cert.NotAfter)) {
		return fail(MetadataStale, "the SP's encryption certificate (%s, serial %s) is valid from %s to %s, not at the harness clock %s: renew it, or run with --at inside its validity",
			cert.Subject, cert.SerialNumber, cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	spec.SP.EntityID, spec.SP.ACSURL, spec.SP.EncryptionCertificate = ed.EntityID, acs, certPEM
	return spec, nil
}

// spEntity finds the SP entity in an EntityDescriptor or EntitiesDescriptor,
// using crewjam/saml's metadata types.
func spEntity(data []byte) (*saml.EntityDescriptor, error) {
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not XML metadata: %v", err)
	}
	var found []saml.EntityDescriptor
	switch root.XMLName.Local {
	case "EntityDescriptor":
		var ed saml.EntityDescriptor
		if err := xml.Unmarshal(data, &ed); err != nil {
			return nil, fmt.Errorf("not SAML metadata: %v", err)
		}
		found = append(found, ed)
	case "EntitiesDescriptor":
		var eds saml.EntitiesDescriptor
		if err := xml.Unmarshal(data, &eds); err != nil {
			return nil, fmt.Errorf("not SAML metadata: %v", err)
		}
		found = append(found, eds.EntityDescriptors...)
	default:
		return nil, fmt.Errorf("the document is a <%s>, not an EntityDescriptor", root.XMLName.Local)
	}
	var sps []*saml.EntityDescriptor
	for i := range found {
		if len(found[i].SPSSODescriptors) > 0 {
			sps = append(sps, &found[i])
		}
	}
	switch {
	case len(sps) == 0:
		return nil, errors.New("no entity with an SPSSODescriptor: this is not an SP's metadata")
	case len(sps) > 1:
		return nil, fmt.Errorf("%d SP entities: serve the metadata of this SP alone", len(sps))
	}
	if sps[0].EntityID == "" {
		return nil, errors.New("the EntityDescriptor has no entityID")
	}
	return sps[0], nil
}

// postACS is the HTTP-POST ACS: the one marked default, else the lowest
// index, else the first.
func postACS(eps []saml.IndexedEndpoint) string {
	var post []saml.IndexedEndpoint
	for _, e := range eps {
		if e.Binding == saml.HTTPPostBinding && e.Location != "" {
			if e.IsDefault != nil && *e.IsDefault {
				return e.Location
			}
			post = append(post, e)
		}
	}
	if len(post) == 0 {
		return ""
	}
	sort.SliceStable(post, func(i, j int) bool { return post[i].Index < post[j].Index })
	return post[0].Location
}

// encryptionCert is the SP's encryption certificate (use="encryption", or
// a key descriptor without use), as PEM; none is not an error.
func encryptionCert(kds []saml.KeyDescriptor) (string, *x509.Certificate, error) {
	for _, want := range []string{"encryption", ""} {
		for _, kd := range kds {
			if kd.Use != want || len(kd.KeyInfo.X509Data.X509Certificates) == 0 {
				continue
			}
			raw := strings.Join(strings.Fields(kd.KeyInfo.X509Data.X509Certificates[0].Data), "")
			der, err := base64.StdEncoding.DecodeString(raw)
			if err != nil {
				return "", nil, fmt.Errorf("the %s certificate is not base64: %v", orUse(want), err)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return "", nil, fmt.Errorf("the %s certificate does not parse: %v", orUse(want), err)
			}
			return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), c, nil
		}
	}
	return "", nil, nil
}

func orUse(use string) string {
	if use == "" {
		return "KeyDescriptor's"
	}
	return use
}

// certDifference describes how the PEM certificate in a target file differs
// from the one the metadata publishes ("" when they are the same).
func certDifference(filePEM string, published *x509.Certificate) string {
	if published == nil {
		return "the SP's metadata publishes no encryption certificate, the target file gives one"
	}
	blk, _ := pem.Decode([]byte(filePEM))
	if blk == nil {
		return "the target file's certificate is not PEM"
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return "the target file's certificate does not parse: " + err.Error()
	}
	if c.Equal(published) {
		return ""
	}
	return fmt.Sprintf("the target file has %s (serial %s, valid until %s), the SP now publishes %s (serial %s, valid until %s)",
		c.Subject, c.SerialNumber, c.NotAfter.Format("2006-01-02"),
		published.Subject, published.SerialNumber, published.NotAfter.Format("2006-01-02"))
}
