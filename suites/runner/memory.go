package runner

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMemoryLimit is the heap size past which the scenarios in flight are
// stopped and failed (a catalogue run needs about 200 MB).
const DefaultMemoryLimit = 2 << 30

const heapMetric = "/memory/classes/heap/objects:bytes"

// memoryWatch samples the heap and, past the limit, cancels every scenario
// in flight. Attribution is by time: the heap is the process's, and an
// in-process SP shares it with the runner.
type memoryWatch struct {
	limit    uint64
	mu       sync.Mutex
	inflight map[*memoryTicket]struct{}
	done     chan struct{}
	stopped  sync.WaitGroup
}

// memoryTicket is one scenario in flight.
type memoryTicket struct {
	cancel context.CancelFunc
	peak   atomic.Uint64 // the heap seen past the limit, 0 if never
}

func startMemoryWatch(limit uint64, every time.Duration) *memoryWatch {
	m := &memoryWatch{limit: limit, inflight: map[*memoryTicket]struct{}{}, done: make(chan struct{})}
	m.stopped.Add(1)
	go m.loop(every)
	return m
}

func (m *memoryWatch) loop(every time.Duration) {
	defer m.stopped.Done()
	sample := []metrics.Sample{{Name: heapMetric}}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-m.done:
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			continue
		}
		heap := sample[0].Value.Uint64()
		if heap <= m.limit {
			continue
		}
		m.mu.Lock()
		for t := range m.inflight {
			t.peak.Store(heap)
			t.cancel()
		}
		m.mu.Unlock()
		runtime.GC()
	}
}

// enter registers a scenario in flight; cancel stops it.
func (m *memoryWatch) enter(cancel context.CancelFunc) *memoryTicket {
	t := &memoryTicket{cancel: cancel}
	m.mu.Lock()
	m.inflight[t] = struct{}{}
	m.mu.Unlock()
	return t
}

func (m *memoryWatch) leave(t *memoryTicket) {
	m.mu.Lock()
	delete(m.inflight, t)
	m.mu.Unlock()
}

func (m *memoryWatch) stop() {
	close(m.done)
	m.stopped.Wait()
}
