package sp

import (
	"strings"
	"testing"
)

// BenchmarkHostileInput measures what hostile input costs the SP against a
// valid response verified in the same run: each must be refused within a
// bounded time and memory, well under the cost of the genuine work (see
// -benchmem's B/op; for the oversized input B/op is the test building
// the 8 MiB post body — the SP refuses it by length before decoding).
func BenchmarkHostileInput(b *testing.B) {
	e := newEnv(b, ProfileStrict)
	started := e.start()
	valid := e.spec(started).build(b)
	laughs := `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">` // nine levels of tenfold expansion: 10^10 bytes if expanded
	for i := 1; i < 10; i++ {
		laughs += `<!ENTITY ` + string(rune('a'+i)) + ` "` + strings.Repeat("&"+string(rune('a'+i-1))+";", 10) + `">`
	}
	laughs += `]>` + wrapResponse("&j;")
	inputs := []struct {
		name string
		raw  string
		want Reason
	}{
		{"valid-both-signed", valid, ""},
		{"billion-laughs-1e10", b64(laughs), ReasonXMLForbidden},
		{"nesting-100000-deep", b64(wrapResponse(strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000))), ReasonXMLLimit},
		{"elements-150000", b64(wrapResponse(strings.Repeat("<a/>", 150000))), ReasonXMLLimit},
		{"oversize-8MiB", strings.Repeat("A", 8<<20), ReasonResponseTooLarge},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, apiErr := e.submit(started, in.raw)
				switch {
				case in.want == "" && apiErr != nil && apiErr.Reason != ReasonReplay:
					b.Fatalf("valid response refused: %v", apiErr)
				case in.want != "" && (apiErr == nil || apiErr.Reason != in.want):
					b.Fatalf("got %v, want %s", apiErr, in.want)
				}
			}
		})
	}
}
