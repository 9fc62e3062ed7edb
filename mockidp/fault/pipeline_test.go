package fault

import (
	"testing"

	"github.com/samlharness/samlharness/internal/wire"
)

// The baseline: no fault, both signatures verify with goxmldsig.
func TestBaselineVerifies(t *testing.T) {
	t.Parallel()
	c := run(t)
	doc := reparse(t, c.Raw)
	resp, err := response(ctxFor(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := verify(t, resp); err != nil {
		t.Fatalf("Response signature: %v", err)
	}
	a := child(resp, wire.NSAssertion, "Assertion")
	if err := verify(t, a); err != nil {
		t.Fatalf("Assertion signature: %v", err)
	}
	if !digestMatches(t, a, signatureOf(a)) || !signedInfoVerifies(t, signatureOf(a), keys(t)["idp"].cert) {
		t.Fatal("helpers disagree with goxmldsig")
	}
}
