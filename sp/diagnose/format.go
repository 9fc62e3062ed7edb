package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/wire"
)

func parseInstant(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t.UTC(), err == nil
}

// instant formats a time as the SP's messages do.
func instant(t time.Time) string { return t.UTC().Format(wire.TimeLayout) }

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func roundDur(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= time.Second {
		d = d.Round(time.Second)
	}
	return d.String()
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func lowerAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}
