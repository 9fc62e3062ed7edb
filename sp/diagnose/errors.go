package diagnose

import "fmt"

// Input error codes: why the inputs could not be read. Each Error says what
// was found and what was expected.
const (
	ErrInputTooLarge      = "INPUT_TOO_LARGE"
	ErrConfigJSON         = "CONFIG_INVALID_JSON"
	ErrConfigMissingField = "CONFIG_MISSING_FIELD"
	ErrConfigInvalidField = "CONFIG_INVALID_FIELD"
	ErrResponseEmpty      = "RESPONSE_EMPTY"
	ErrResponseTruncated  = "RESPONSE_TRUNCATED"
	ErrResponseNotBase64  = "RESPONSE_NOT_BASE64"
	ErrResponseNotSAML    = "RESPONSE_NOT_SAML"
	ErrHARJSON            = "HAR_INVALID_JSON"
	ErrHARNotHAR          = "HAR_NOT_HAR"
	ErrHARNoSAML          = "HAR_NO_SAML"
	ErrHARLogin           = "HAR_NO_SUCH_LOGIN"
	ErrMetadata           = "METADATA_INVALID"
	ErrOktaSettings       = "OKTA_SETTINGS_INVALID"
	ErrNoEvidence         = "NO_EVIDENCE"
)

// Error is an input the diagnosis cannot use, with a stable code.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Size limits of the inputs.
const (
	// MaxConfigBytes bounds the settings and metadata files.
	MaxConfigBytes = 1 << 20
	// MaxResponseInputBytes bounds a --response file: eight times the SP's
	// cap, so an over-size response is still explained (the SP refuses it
	// with RESPONSE_TOO_LARGE) but nothing absurd is read.
	MaxResponseInputBytes = 8 << 20
	// MaxHARBytes bounds a HAR file (exports with page content are large).
	MaxHARBytes = 256 << 20
	// MaxCertificates bounds the configured certificates a config may
	// list (a workspace holds one or two; each is tried on every signature).
	MaxCertificates = 64
	// MaxDomains bounds the domains and verified domains of a config.
	MaxDomains = 1000
	// MaxMetadataCertificates bounds the signing certificates read from
	// IdP metadata (Okta lists one).
	MaxMetadataCertificates = 16
	// MaxSignatures bounds the enveloped signatures examined in one
	// response (Okta signs the Response and its one Assertion).
	MaxSignatures = 8
)

// checkSize refuses data over limit with a message naming what was expected.
func checkSize(what string, n, limit int, expected string) error {
	if n > limit {
		return errorf(ErrInputTooLarge, "the %s is %s; the limit is %s. Expected %s", what, byteSize(n), byteSize(limit), expected)
	}
	return nil
}

// byteSize renders a size for people.
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB (%d bytes)", float64(n)/(1<<10), n)
	}
	return fmt.Sprintf("%d bytes", n)
}
