package pipeline

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

type recorder struct {
	mu   sync.Mutex
	runs []RunResult
	due  map[string]int
}

func (r *recorder) StageDone(x RunResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, x)
}

func (r *recorder) Due(stage string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.due == nil {
		r.due = map[string]int{}
	}
	r.due[stage] = n
}

// TestFiringIsObservedAndLoggedOnce: each firing tells the observer how
// many partitions were due and what each attempt came to, logs its outcome
// at info, and logs a failure once, with the panic's stack.
func TestFiringIsObservedAndLoggedOnce(t *testing.T) {
	st := &copyStage{}
	r, _ := newRunner(t, st)
	var logs bytes.Buffer
	r.Env.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	rec := &recorder{}
	r.Observer = Observers{rec}
	land(t, r.Env.Landing, "{}\n", true)
	s := &Scheduler{Runner: r}
	s.Fire(context.Background(), st)
	if rec.due["copy"] != 1 || len(rec.runs) != 1 || rec.runs[0].Outcome != Ran || !rec.runs[0].Started || rec.runs[0].RunID == "" {
		t.Fatalf("first firing: due %v, runs %+v", rec.due, rec.runs)
	}
	s.Fire(context.Background(), st)
	if rec.due["copy"] != 0 || rec.runs[1].Outcome != UpToDate || rec.runs[1].Started {
		t.Fatalf("second firing: due %v, runs %+v", rec.due, rec.runs[1])
	}
	if n := strings.Count(logs.String(), `"msg":"firing done"`); n != 2 {
		t.Fatalf("%d firing lines at info:\n%s", n, logs.String())
	}

	logs.Reset()
	st.panics = true
	if _, err := r.RunOne(context.Background(), st, day, true); err == nil {
		t.Fatal("panic not reported")
	} else if p := (*PanicError)(nil); !errors.As(err, &p) || len(p.Stack) == 0 || err.Error() != "copy 2026-11-19: panic: stage bug" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(logs.String(), "stage bug") {
		t.Fatalf("RunOne logged the failure it returns:\n%s", logs.String())
	}
	if last := rec.runs[len(rec.runs)-1]; last.Outcome != Panicked || last.Err == nil {
		t.Fatalf("observed %+v", last)
	}
	if err := r.RunDue(context.Background(), st); err != nil {
		t.Fatal(err) // the panicked run left its output committed from before: up to date
	}
}
