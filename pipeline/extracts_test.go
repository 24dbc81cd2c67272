package pipeline

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/veil-data/veil/sinks"
)

// extractStage is copyStage with historical batches: batch fingerprints
// by the day they have rows on.
type extractStage struct {
	copyStage
	batches map[string]string // day → fingerprint of the batch with rows on it
}

func (s *extractStage) ExtractInputs(_ string, dt time.Time) ([]sinks.Input, error) {
	fp, ok := s.batches[dt.Format(time.DateOnly)]
	if !ok {
		return nil, nil
	}
	return []sinks.Input{{Ref: "landing/events/historical/dt=2026-12-01", Fingerprint: fp}}, nil
}

func (s *extractStage) ExtractDates(string) ([]time.Time, error) {
	var out []time.Time
	for d := range s.batches {
		t, _ := time.Parse(time.DateOnly, d)
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out, nil
}

// TestExtracts: the days a stage's historical batches have rows on are
// dates of the runner, ready without a daily landing partition, and due
// again when their batch changes; a day without one still waits for its
// landing partition.
func TestExtracts(t *testing.T) {
	s := &extractStage{batches: map[string]string{"2015-02-14": "a", "2015-02-15": "a"}}
	r, _ := newRunner(t, s)
	land(t, r.Env.Landing, "{}\n", true)
	dates, err := r.LandingDates()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range dates {
		got = append(got, d.Format(time.DateOnly))
	}
	if want := []string{"2015-02-14", "2015-02-15", "2026-11-19"}; !slices.Equal(got, want) {
		t.Fatalf("dates %v, want %v", got, want)
	}
	// A stage of the same feed without batches is fired for its own dates.
	if own, err := r.stageDates(&copyStage{}); err != nil || len(own) != 1 || !own[0].Equal(day) {
		t.Errorf("dates of a stage without batches: %v, %v", own, err)
	}
	if err := r.RunDue(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if s.runs != 3 {
		t.Fatalf("%d runs, want 3", s.runs)
	}
	d14, _ := time.Parse(time.DateOnly, "2015-02-14")
	s.batches["2015-02-14"] = "b" // the batch changed
	for d, wantDue := range map[time.Time]bool{d14: true, d14.AddDate(0, 0, 1): false, day: false} {
		st, err := r.Check(s, d)
		if err != nil || !st.Ready || st.Due != wantDue {
			t.Errorf("%s: %+v, %v; want due %v", d.Format(time.DateOnly), st, err, wantDue)
		}
	}
	st, err := r.Check(s, d14.AddDate(0, 0, 2))
	if err != nil || st.Ready {
		t.Errorf("a day with neither a partition nor batch rows: %+v, %v", st, err)
	}
}
