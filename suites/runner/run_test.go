package runner

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/scenario"
)

// brokenTarget is a target whose SP does not answer: every sign-in stops at
// the transport, so the control fails.
type brokenTarget struct {
	addr  string
	panic string // scenario ID whose preparation panics
	hang  string // scenario ID whose preparation blocks until the deadline
}

func (b brokenTarget) Name() string { return "broken" }

func (b brokenTarget) Prepare(ctx context.Context, sc scenario.Scenario, p scenario.Profile, seed uint64) (*Env, error) {
	switch sc.ID {
	case b.panic:
		panic("boom")
	case b.hang:
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &Env{Site: Site{SPBase: "http://" + b.addr}, Plan: Plan{Username: "u", Password: "p", SignInEmail: "alice@acme.test"}, Identity: "alice@acme.test"}, nil
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRunWithoutControlIsInconclusive(t *testing.T) {
	t.Parallel()
	list, _ := scenario.Filter(scenario.All(), "baseline")
	rep := Run(context.Background(), brokenTarget{addr: closedAddr(t)}, Options{
		Profiles: scenario.Profiles, Scenarios: list, Timeout: 5 * time.Second,
	})
	if rep.OK() {
		t.Fatal("a run whose control failed must not be OK")
	}
	for _, r := range rep.Results {
		want := Inconclusive
		if r.Expect.Outcome == scenario.Accept {
			want = Fail
		}
		if r.Verdict != want {
			t.Errorf("%s/%s: verdict %s, want %s (%s)", r.ID, r.Profile, r.Verdict, want, r.Why)
		}
	}
	for _, p := range scenario.Profiles {
		if !strings.HasPrefix(rep.Controls[p], "fail") {
			t.Errorf("control %s = %q, want a failure", p, rep.Controls[p])
		}
	}
}

func TestRunSurvivesPanicsAndHangs(t *testing.T) {
	t.Parallel()
	list, _ := scenario.Filter(scenario.All(), "audience-uri-wrong,idp-entity-id-wrong")
	rep := Run(context.Background(), brokenTarget{addr: closedAddr(t), panic: "audience-uri-wrong", hang: "idp-entity-id-wrong"}, Options{
		Profiles: []scenario.Profile{scenario.Strict}, Scenarios: list, Timeout: 300 * time.Millisecond,
	})
	if len(rep.Results) != 2 {
		t.Fatalf("%d results, want 2", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Verdict != Fail {
			t.Errorf("%s: verdict %s, want fail", r.ID, r.Verdict)
		}
	}
	if !strings.Contains(rep.Results[0].Why, "crashed") && !strings.Contains(rep.Results[1].Why, "crashed") {
		t.Error("the panic is not reported as a crash")
	}
	if !strings.Contains(rep.Results[0].Why+rep.Results[1].Why, context.DeadlineExceeded.Error()) {
		t.Error("the hang is not reported as a deadline")
	}
}

// hungryTarget's SP allocates memory without bound (until its request is
// cancelled) on every request.
type hungryTarget struct{ base string }

func (h hungryTarget) Name() string { return "hungry" }

func (h hungryTarget) Prepare(ctx context.Context, sc scenario.Scenario, p scenario.Profile, seed uint64) (*Env, error) {
	return &Env{Site: Site{SPBase: h.base}, Plan: Plan{Username: "u", Password: "p", SignInEmail: "alice@acme.test"}, Identity: "alice@acme.test"}, nil
}

func TestRunStopsATargetUsingUnboundedMemory(t *testing.T) {
	// Not parallel: it measures the process's heap.
	var held [][]byte
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			mu.Lock()
			if len(held) < 64 { // at most 1 GiB, whatever happens
				held = append(held, make([]byte, 16<<20))
			}
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}))
	defer srv.Close()
	list, _ := scenario.Filter(scenario.All(), "audience-uri-wrong")
	start := time.Now()
	rep := Run(context.Background(), hungryTarget{base: srv.URL}, Options{
		Profiles: []scenario.Profile{scenario.Strict}, Scenarios: list, Timeout: 20 * time.Second, MemoryLimit: 128 << 20,
	})
	mu.Lock()
	held = nil
	mu.Unlock()
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("took %s: the limit did not stop the scenarios", elapsed)
	}
	for _, r := range append([]Result{}, rep.Results...) {
		if r.Verdict != Fail || r.Reason != string(ReasonMemory) {
			t.Errorf("%s: verdict %s reason %s (%s), want fail with %s", r.ID, r.Verdict, r.Reason, r.Why, ReasonMemory)
		}
	}
	if !strings.HasPrefix(rep.Controls[scenario.Strict], "fail") {
		t.Errorf("the control should have failed too: %q", rep.Controls[scenario.Strict])
	}
}
