package riskbench

import (
	"runtime/metrics"
	"time"
)

// heapPeak samples the Go heap's allocated objects (live or not yet
// swept) every 10 ms: the stage's state grows over seconds, so a shorter
// peak would not matter to the 8 GiB goal, which RSS measures anyway.
type heapPeak struct {
	quit, done chan struct{}
	peak       uint64
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{quit: make(chan struct{}), done: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(s)
		h.peak = max(h.peak, s[0].Value.Uint64())
	}
	read()
	go func() {
		defer close(h.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.quit:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return h
}

// stop ends sampling and returns the peak in MiB.
func (h *heapPeak) stop() float64 {
	close(h.quit)
	<-h.done
	return float64(h.peak) / (1 << 20)
}
