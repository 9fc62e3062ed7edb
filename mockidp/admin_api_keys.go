package mockidp

// The admin API's signing keys (credentials/keys) and metadata.

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"
)

type keyResource struct {
	KID         string     `json:"kid"`
	Status      CertStatus `json:"status"`
	Kty         string     `json:"kty"`
	Use         string     `json:"use"`
	Created     time.Time  `json:"created"`
	LastUpdated time.Time  `json:"lastUpdated"`
	ExpiresAt   time.Time  `json:"expiresAt"`
	X5C         []string   `json:"x5c"`
	X5TS256     string     `json:"x5t#S256"`
	E           string     `json:"e"`
	N           string     `json:"n"`
	Fingerprint string     `json:"fingerprint"`
}

func toKeyResource(c Certificate) keyResource {
	sum := sha256.Sum256(c.X509.Raw)
	k := keyResource{
		KID: c.KID, Status: c.Status, Kty: "RSA", Use: "sig",
		Created: c.Created, LastUpdated: c.Created, ExpiresAt: c.ExpiresAt,
		X5C:         []string{base64.StdEncoding.EncodeToString(c.X509.Raw)},
		X5TS256:     base64.RawURLEncoding.EncodeToString(sum[:]),
		Fingerprint: c.Fingerprint,
	}
	if pub, ok := c.X509.PublicKey.(*rsa.PublicKey); ok {
		k.N = base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
		k.E = base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	}
	return k
}

func (idp *IdP) apiListKeys(w http.ResponseWriter, r *http.Request) {
	certs, err := idp.Certificates(r.PathValue("id"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	out := make([]keyResource, len(certs))
	for i, c := range certs {
		out[i] = toKeyResource(c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (idp *IdP) certByKID(appID, kid string) (Certificate, error) {
	certs, err := idp.Certificates(appID)
	if err != nil {
		return Certificate{}, err
	}
	for _, c := range certs {
		if c.KID == kid {
			return c, nil
		}
	}
	return Certificate{}, newError(CodeCertNotFound, fmt.Sprintf("app %s has no certificate with kid %q", echo(appID), echo(kid)))
}

func (idp *IdP) apiGetKey(w http.ResponseWriter, r *http.Request) {
	c, err := idp.certByKID(r.PathValue("id"), r.PathValue("kid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toKeyResource(c))
}

func (idp *IdP) apiGenerateKey(w http.ResponseWriter, r *http.Request) {
	years := 10
	if v := r.URL.Query().Get("validityYears"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			idp.apiError(w, newError(CodeInvalidRequest, fmt.Sprintf("validityYears %q is not a whole number of years (2 to 10)", echo(v))))
			return
		}
		years = n
	}
	c, err := idp.GenerateCertificate(r.PathValue("id"), years)
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, toKeyResource(c))
}

func (idp *IdP) apiActivateKey(w http.ResponseWriter, r *http.Request) {
	c, err := idp.ActivateCertificate(r.PathValue("id"), r.PathValue("kid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toKeyResource(c))
}

// apiDownloadCert is "Download certificate": okta.cert, PEM with
// 76-character lines.
func (idp *IdP) apiDownloadCert(w http.ResponseWriter, r *http.Request) {
	c, err := idp.certByKID(r.PathValue("id"), r.PathValue("kid"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-x509-ca-cert")
	w.Header().Set("Content-Disposition", `attachment; filename="okta.cert"`)
	_, _ = w.Write(c.PEM())
}

func (idp *IdP) apiMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := idp.Metadata(r.PathValue("id"))
	if err != nil {
		idp.apiError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(md)
}
