package main

// load_bench_test.go: the soak and load benchmarks of issue 12 against
// what serve runs — the mock Okta org and the workspace SP, wired by
// builtin.NewWorld, on loopback — driven by the runner's protocol driver
// (the full SP-initiated flow over HTTP with a cookie jar per login).
//
//	go test -run '^$' -bench 'Load' -benchtime 2000x ./cmd/samlharness/
//	go test -run '^$' -bench 'Soak' -benchtime 1x ./cmd/samlharness/    (100,000 logins)
//
// TestLoginLoadSmoke runs a few hundred logins in the default `go test`.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// loadUsers is how many distinct users the load signs in, so a crossed
// session (one user's login ending in another's session) shows.
const loadUsers = 32

// simClock is the shared clock of a load run: it starts at the wall clock
// and advances by step per completed login, so time-bounded state (the
// replay cache keeps IDs until NotOnOrAfter, five minutes) turns over as in
// a long run, without waiting.
type simClock struct {
	start time.Time
	step  time.Duration
	n     atomic.Int64
}

func (c *simClock) Now() time.Time { return c.start.Add(time.Duration(c.n.Load()) * c.step) }

type loadWorld struct {
	w     *builtin.World
	clock *simClock
	users []string
}

func newLoadWorld(t testing.TB, step time.Duration) *loadWorld {
	t.Helper()
	clock := &simClock{start: time.Now().UTC(), step: step}
	w, err := builtin.NewWorld(builtin.WorldConfig{Configure: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	lw := &loadWorld{w: w, clock: clock}
	for i := range loadUsers {
		email := fmt.Sprintf("load%02d@%s", i, demo.AllowedSSO)
		u, err := w.IdP.AddUser(mockidp.User{Login: email, Email: email, FirstName: "Load", LastName: strconv.Itoa(i), Password: demo.Password})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.IdP.AssignUser(w.App.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		lw.users = append(lw.users, email)
	}
	return lw
}

// loadResult is what a run of logins measured.
type loadResult struct {
	logins, errors, crossed int
	elapsed                 time.Duration
	latencies               []time.Duration
	firstError              string
}

func (r loadResult) perSecond() float64 { return float64(r.logins) / r.elapsed.Seconds() }

func (r loadResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// run signs in n times with clients concurrent logins; after each
// completed login it calls tick (when set) with the count so far.
func (lw *loadWorld) run(n, clients int, tick func(done int)) loadResult {
	var next, done atomic.Int64
	var mu sync.Mutex
	res := loadResult{latencies: make([]time.Duration, 0, n)}
	site := lw.w.Site()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				email := lw.users[i%len(lw.users)]
				t0 := time.Now()
				obs := runner.SignIn(context.Background(), site, runner.Plan{Username: email, Password: demo.Password, SignInEmail: email}, 30*time.Second)
				d := time.Since(t0)
				lw.clock.n.Add(1)
				mu.Lock()
				res.logins++
				res.latencies = append(res.latencies, d)
				switch {
				case !obs.Session:
					res.errors++
					if res.firstError == "" {
						res.firstError = fmt.Sprintf("%s at %s: %s", obs.Reason, obs.Stage, obs.Message)
					}
				case obs.Identity != email:
					res.crossed++
				}
				mu.Unlock()
				if c := int(done.Add(1)); tick != nil {
					tick(c)
				}
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// keepAlive lets the driver's shared transport keep a connection per
// client, so the benchmark measures logins, not TCP handshakes and
// TIME_WAIT.
func keepAlive(clients int) func() {
	tr := http.DefaultTransport.(*http.Transport)
	old := tr.MaxIdleConnsPerHost
	tr.MaxIdleConnsPerHost = 2 * clients
	return func() { tr.MaxIdleConnsPerHost = old }
}

func TestLoginLoadSmoke(t *testing.T) {
	defer keepAlive(8)()
	lw := newLoadWorld(t, 100*time.Millisecond)
	res := lw.run(100, 8, nil)
	if res.errors != 0 || res.crossed != 0 {
		t.Fatalf("%d logins: %d errors (first: %s), %d crossed sessions", res.logins, res.errors, res.firstError, res.crossed)
	}
	if c := lw.w.SP.StateCounts(); c.IDTokens != 0 {
		t.Fatalf("exchanged ID tokens still stored: %+v", c)
	}
}

// BenchmarkLoad: b.N logins at 1, 8, 32 and 128 concurrent clients against
// serve's handlers; logins/s, p50 and p99 latency, errors and crossed
// sessions (must be 0).
func BenchmarkLoad(b *testing.B) {
	for _, clients := range []int{1, 8, 32, 128} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			defer keepAlive(clients)()
			lw := newLoadWorld(b, 100*time.Millisecond)
			b.ResetTimer()
			res := lw.run(b.N, clients, nil)
			b.StopTimer()
			b.ReportMetric(res.perSecond(), "logins/s")
			b.ReportMetric(float64(res.quantile(0.50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(res.quantile(0.99).Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(res.errors), "errors")
			b.ReportMetric(float64(res.crossed), "crossed")
			if res.crossed != 0 {
				b.Errorf("%d crossed sessions", res.crossed)
			}
			if res.errors != 0 {
				b.Errorf("%d errors, first: %s", res.errors, res.firstError)
			}
		})
	}
}

// memory is the process's Go heap in use after a collection and its RSS.
type memory struct{ heap, rss uint64 }

func measure() memory {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memory{heap: ms.HeapInuse, rss: rssBytes()}
}

// rssBytes reads VmRSS from /proc/self/status (0 where there is none).
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// BenchmarkSoak signs in SAMLHARNESS_SOAK_LOGINS (default 100,000) times at
// 8 clients and compares memory after the first tenth with memory at the
// end: bounded state keeps the Go heap within soakSlack.
func BenchmarkSoak(b *testing.B) {
	total := 100000
	if v, err := strconv.Atoi(os.Getenv("SAMLHARNESS_SOAK_LOGINS")); err == nil && v > 0 {
		total = v
	}
	const clients = 8
	const soakSlack = 16 << 20
	defer keepAlive(clients)()
	for b.Loop() {
		lw := newLoadWorld(b, 100*time.Millisecond)
		var early memory
		var once sync.Once
		res := lw.run(total, clients, func(done int) {
			if done == total/10 {
				once.Do(func() { early = measure() })
			}
		})
		end := measure()
		c := lw.w.SP.StateCounts()
		b.ReportMetric(res.perSecond(), "logins/s")
		b.ReportMetric(float64(early.heap)/(1<<20), "heap-MiB@10%")
		b.ReportMetric(float64(end.heap)/(1<<20), "heap-MiB@end")
		b.ReportMetric(float64(early.rss)/(1<<20), "rss-MiB@10%")
		b.ReportMetric(float64(end.rss)/(1<<20), "rss-MiB@end")
		b.ReportMetric(float64(res.errors), "errors")
		b.ReportMetric(float64(res.crossed), "crossed")
		b.Logf("%d logins in %s; SP state at the end: %+v", res.logins, res.elapsed.Round(time.Second), c)
		if res.errors != 0 || res.crossed != 0 {
			b.Errorf("%d errors (first: %s), %d crossed sessions", res.errors, res.firstError, res.crossed)
		}
		if end.heap > early.heap+soakSlack {
			b.Errorf("heap grew from %d MiB after %d logins to %d MiB after %d", early.heap>>20, total/10, end.heap>>20, total)
		}
	}
}
