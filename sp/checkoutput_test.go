package sp

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// TestRefusingStepsKeepTheirOutput: the steps that produce what later
// steps read keep what a lenient SP would have read when they refuse, so a
// test that disables them (Config.UnsafeDisableSteps) sees the later steps
// run on it; with the steps on, the refusal is unchanged.
func TestRefusingStepsKeepTheirOutput(t *testing.T) {
	t.Parallel()
	doc := []byte("<r a=\"\xfb\xff\xbf\"/>") // encodes with '-' and '_' in the URL-safe alphabet
	urlSafe := base64.URLEncoding.EncodeToString(doc)
	if _, e := decodeBase64(urlSafe); e == nil || e.Reason != ReasonResponseMalformed {
		t.Fatalf("URL-safe base64: %v, want %s", e, ReasonResponseMalformed)
	}
	if got := lenientBase64(urlSafe); !bytes.Equal(got, doc) {
		t.Errorf("lenient decoding read %q", got)
	}
	if got := lenientBase64("%%%"); got != nil {
		t.Errorf("lenient decoding of no base64 read %q", got)
	}
	roots, e := buildTree([]byte(`<a/>text`))
	if e == nil || e.Reason != ReasonResponseMalformed || len(roots) != 1 {
		t.Errorf("text outside the root: %d roots, %v", len(roots), e)
	}
	if roots, e := buildTree([]byte(`<a`)); e == nil || roots != nil {
		t.Errorf("not well-formed: %d roots, %v", len(roots), e)
	}
	st := &checkState{encoded: "x"}
	if !checkPostBinding.output(st) || checkBase64.output(st) || checkXMLParse.output(st) {
		t.Error("output reports the wrong steps as having produced")
	}
}
