package peers

import (
	"context"
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
	"github.com/samlharness/samlharness/suites/target/external"
)

// BenchmarkCatalogueBuiltinVsPeer runs the whole catalogue (strict) against
// the built-in target and against the hardened crewjam peer as an external
// target over HTTP, in the same benchmark, and reports both per-scenario
// costs and their ratio (machines are shared and noisy: the ratio is the
// figure to read).
func BenchmarkCatalogueBuiltinVsPeer(b *testing.B) {
	idp, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Addr: "127.0.0.1:0", Now: func() time.Time { return clock }})
	if err != nil {
		b.Fatal(err)
	}
	if err := idp.Start(); err != nil {
		b.Fatal(err)
	}
	defer idp.Close()
	p, _ := ByName("crewjam-hardened")
	sp, err := Start(p, idp, Options{At: clock, ConfigHook: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	peer, err := external.New(sp.Target, idp, external.Options{FrozenClock: true})
	if err != nil {
		b.Fatal(err)
	}
	builtin := builtin.New(builtin.Config{At: clock})
	list := scenario.All()
	ctx := context.Background()
	opts := runner.Options{Profiles: []scenario.Profile{scenario.Strict}, Scenarios: list, Seed: 1}
	var builtinTime, peerTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if rep := runner.Run(ctx, builtin, opts); rep.Summary.Total != len(list) {
			b.Fatal("incomplete builtin run")
		}
		builtinTime += time.Since(start)
		start = time.Now()
		if rep := runner.Run(ctx, peer, opts); rep.Summary.Total != len(list) || rep.Controls[scenario.Strict] != "pass" {
			b.Fatalf("peer run: %+v %v", rep.Summary, rep.Controls)
		}
		peerTime += time.Since(start)
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N*len(list)) }
	b.ReportMetric(per(builtinTime), "builtin-ms/scenario")
	b.ReportMetric(per(peerTime), "peer-ms/scenario")
	b.ReportMetric(float64(peerTime)/float64(builtinTime), "peer/builtin")
}
