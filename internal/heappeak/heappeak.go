// Package heappeak samples the Go heap's peak while a benchmark runs,
// without stopping the world: the tags, audience and risk benchmarks
// report it beside peak RSS.
package heappeak

import (
	"runtime/metrics"
	"time"
)

const (
	// heapObjects is the heap's allocated objects, live or not yet swept:
	// what runtime.MemStats.HeapAlloc reports, read without stopping the
	// world. With GOGC=100 it peaks near twice heapLive.
	heapObjects = "/memory/classes/heap/objects:bytes"
	// heapLive is what the last garbage collection found live.
	heapLive = "/gc/heap/live:bytes"
)

// Sampler samples heapObjects and heapLive every 10 ms between Start
// and Stop. A peak shorter than 10 ms can be missed; the
// stages' state grows over seconds.
type Sampler struct {
	stop, done chan struct{}
	peak       [2]uint64
}

// Start starts sampling.
func Start() *Sampler {
	h := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	s := []metrics.Sample{{Name: heapObjects}, {Name: heapLive}}
	read := func() {
		metrics.Read(s)
		for i := range s {
			h.peak[i] = max(h.peak[i], s[i].Value.Uint64())
		}
	}
	read()
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return h
}

// Stop ends sampling and returns the peaks of heapObjects and heapLive in
// MiB.
func (h *Sampler) Stop() (objects, live float64) {
	close(h.stop)
	<-h.done
	return float64(h.peak[0]) / (1 << 20), float64(h.peak[1]) / (1 << 20)
}
