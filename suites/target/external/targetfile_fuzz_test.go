package external

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// refusalPrefixes are how every refusal of a target file begins: each names
// what is wrong (the file's size, its YAML, its shape, or the list of
// problems compileSpec found).
var refusalPrefixes = []string{
	"larger than ",
	"not valid YAML: ",
	"YAML that has no JSON form",
	"not a valid target description",
	"problem(s): ",
}

// FuzzParseTargetSpec checks the target-file loader on any input, YAML or
// JSON: it answers within a bounded time; a refusal is one of the clear
// errors above; a file it accepts, written back as JSON and loaded again
// (as JSON, and as YAML, of which JSON is a subset), is the same
// description.
func FuzzParseTargetSpec(f *testing.F) {
	f.Add([]byte(targetYAML), true)
	f.Add([]byte(laughs()), true)
	f.Add([]byte(`{"sp":{"entityId":"e","acsUrl":"http://127.0.0.1:1/acs"},"signIn":{"url":"http://127.0.0.1:1/"},"session":{"url":"http://127.0.0.1:1/me","pattern":"(.+)"},"user":{"email":"a@b.test"}}`), false)
	f.Fuzz(func(t *testing.T, data []byte, isYAML bool) {
		start := time.Now()
		spec, err := ParseTargetSpec(data, isYAML)
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Fatalf("took %s on %d bytes", elapsed, len(data))
		}
		if err != nil {
			msg := err.Error()
			clear := false
			for _, p := range refusalPrefixes {
				clear = clear || strings.Contains(msg, p)
			}
			if !clear {
				t.Fatalf("unclear refusal: %q", msg)
			}
			return
		}
		once, err := json.Marshal(spec)
		if err != nil {
			t.Fatalf("an accepted description does not encode: %v", err)
		}
		for _, asYAML := range []bool{false, true} {
			again, err := ParseTargetSpec(once, asYAML)
			if err != nil {
				t.Fatalf("re-encoded description refused (yaml=%v): %v\n%s", asYAML, err, once)
			}
			twice, _ := json.Marshal(again)
			if string(twice) != string(once) {
				t.Fatalf("re-encoded description differs (yaml=%v):\n%s\n%s", asYAML, once, twice)
			}
		}
	})
}
