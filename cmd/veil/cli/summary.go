package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/veil-data/veil/pipeline"
)

// tally is the observer of a one-shot command: it prints a progress line
// to stderr for each stage run that started, and keeps, per date and
// stage, what the command came to for the summary at the end.
type tally struct {
	progress io.Writer // nil: no progress lines
	mu       sync.Mutex
	dates    []string
	stages   []string
	last     map[[2]string]pipeline.Outcome
	lastRun  pipeline.RunResult // the latest result seen
}

func newTally(progress io.Writer, stages []pipeline.Stage) *tally {
	t := &tally{progress: progress, last: map[[2]string]pipeline.Outcome{}}
	for _, s := range stages {
		t.stages = append(t.stages, s.Name())
	}
	return t
}

// StageDone implements pipeline.Observer. A later pass finding a
// partition up to date does not hide what the earlier pass did to it.
func (t *tally) StageDone(r pipeline.RunResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !slices.Contains(t.dates, r.DT) {
		t.dates = append(t.dates, r.DT)
	}
	t.lastRun = r
	k := [2]string{r.DT, r.Stage}
	if _, seen := t.last[k]; !seen || r.Outcome != pipeline.UpToDate {
		t.last[k] = r.Outcome
	}
	if t.progress != nil && r.Started {
		fmt.Fprintf(t.progress, "%s %s: %s in %.1f s\n", r.DT, r.Stage, word(r.Outcome), r.Duration.Seconds())
	}
}

// Due implements pipeline.Observer.
func (t *tally) Due(string, int) {}

// word is what the summary calls an outcome.
func word(o pipeline.Outcome) string {
	switch o {
	case pipeline.Ran:
		return "done"
	case pipeline.UpToDate:
		return "up-to-date"
	case pipeline.NotReady:
		return "no-input"
	case pipeline.Failed:
		return "FAILED"
	case pipeline.Panicked:
		return "PANICKED"
	case pipeline.SkippedUpstream:
		return "skipped"
	case pipeline.Busy:
		return "busy"
	}
	return string(o)
}

// summaryOrder is the order of the totals line.
var summaryOrder = []pipeline.Outcome{pipeline.Ran, pipeline.UpToDate, pipeline.NotReady, pipeline.Failed, pipeline.Panicked, pipeline.SkippedUpstream, pipeline.Busy}

// print writes the summary of a backfill of [from, to]: one row per date,
// one column per stage, then the totals. A range, or a date, with no
// committed input for any stage says so.
func (t *tally) print(w io.Writer, from, to time.Time, landing string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	span := from.Format(time.DateOnly) + ".." + to.Format(time.DateOnly)
	n := map[pipeline.Outcome]int{}
	for _, o := range t.last {
		n[o]++
	}
	if len(t.last) == 0 || n[pipeline.NotReady] == len(t.last) {
		fmt.Fprintf(w, "backfill %s: no landing data in %s for these dates: nothing to do\n", span, landing)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "date\t"+strings.Join(t.stages, "\t"))
	for _, dt := range t.dates {
		cells, empty := []string{dt}, true
		for _, s := range t.stages {
			o, ok := t.last[[2]string{dt, s}]
			switch {
			case !ok:
				cells = append(cells, "-") // not reached: cancelled
				empty = false
			default:
				cells = append(cells, word(o))
				empty = empty && o == pipeline.NotReady
			}
		}
		if empty {
			cells = []string{dt, "no landing data"}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	var parts []string
	for _, o := range summaryOrder {
		if n[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[o], word(o)))
		}
	}
	fmt.Fprintf(w, "backfill %s: %d stage runs: %s\n", span, len(t.last), strings.Join(parts, ", "))
}
