package pipeline

import (
	"fmt"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Observer is told what the runner and the scheduler do, so that metrics
// and progress lines need no hook in the stages and pipeline needs no
// metrics library. Calls come from the goroutines that run stages, several
// at once under the scheduler: implementations must be safe for concurrent
// use and must not block.
type Observer interface {
	// StageDone is called once per stage and date the runner considered,
	// whatever the outcome (up to date and not ready included).
	StageDone(RunResult)
	// Due is called at each firing of a stage with the number of its
	// partitions that were ready and due when the firing began.
	Due(stage string, n int)
}

// RunResult is what one attempt of a stage on a date came to.
type RunResult struct {
	Stage, DT, RunID string
	Outcome          Outcome
	// Started is set when the stage's Run was called (ran, failed after
	// starting, panicked); Duration is then its wall time.
	Started  bool
	Duration time.Duration
	Err      error
	// Outputs are the manifests this run committed, in plan order, with
	// the quarantine's left out (its stats repeat the stage's own).
	Outputs []*sinks.Manifest
}

// Observers calls each of its observers in turn.
type Observers []Observer

// StageDone implements Observer.
func (o Observers) StageDone(r RunResult) {
	for _, x := range o {
		x.StageDone(r)
	}
}

// Due implements Observer.
func (o Observers) Due(stage string, n int) {
	for _, x := range o {
		x.Due(stage, n)
	}
}

// PanicError is a stage's recovered panic; Stack is where it happened,
// for the logs of whoever reports the failure.
type PanicError struct {
	Stage, DT string
	Value     any
	Stack     []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("%s %s: panic: %v", e.Stage, e.DT, e.Value) }

// observe tells the observer, if any, about a stage and date; for a run
// that committed, it reads the manifests the run wrote.
func (r *Runner) observe(s Stage, dt time.Time, res RunResult) {
	if r.Observer == nil {
		return
	}
	if res.Outcome == Ran && res.RunID != "" {
		for _, o := range s.Plan(dt).Outputs {
			if o.Dataset.Name == schemas.Quarantine.Name {
				continue
			}
			m, err := r.Env.Warehouse.Manifest(o.Dataset, o.Partition)
			if err == nil && m.RunID == res.RunID {
				res.Outputs = append(res.Outputs, m)
			}
		}
	}
	r.Observer.StageDone(res)
}
