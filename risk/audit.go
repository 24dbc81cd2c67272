package risk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/features/pitref"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// The leakage audit recomputes a sample of risk_features rows with the
// by-definition reference (risk/features/pitref) from the raw events of
// the 30 days before and the day itself, each from what came strictly
// before its event, and requires every feature to agree bit for bit. It
// shares no code with the engine but the definitions.
//
// What the raw window cannot hold comes from the checkpoint: labels (kept
// forever) and registrations older than the window (account age). Over
// auditFullLimit raw events the audit keeps only the events that share a
// key or live session with a sampled event; the cluster features, which
// need the whole graph, are then not audited, and the audit says so.

// auditDays is the raw window: the 30 days before dt and dt.
const auditDays = 31

// auditFullLimit bounds the raw events the audit holds whole.
var auditFullLimit int64 = 2_000_000

// Audit is the leakage audit's account, recorded in the manifest.
type Audit struct {
	Rows              int      `json:"rows_recomputed"`
	RawEvents         int      `json:"raw_events"`
	Mode              string   `json:"mode"` // full, or keyed (cluster features not audited)
	NotAudited        []string `json:"not_audited,omitempty"`
	Mismatches        int      `json:"mismatches"`
	Examples          []string `json:"examples,omitempty"` // event id, feature, values
	LabelsAfterCutoff int64    `json:"labels_after_cutoff"`
}

// ErrLeak is the error of a failed audit.
var ErrLeak = errors.New("leakage audit failed")

func (a Audit) err() error {
	if a.Mismatches == 0 && a.LabelsAfterCutoff == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d features of %d sampled rows differ from their recomputation from earlier raw events (%s); %d labels known after the cutoff",
		ErrLeak, a.Mismatches, a.Rows, strings.Join(a.Examples, "; "), a.LabelsAfterCutoff)
}

func audit(ctx context.Context, job *pipeline.Job, sample []sampled, known, regs map[string]int64) (Audit, error) {
	a := Audit{Rows: len(sample), Mode: "full"}
	if len(sample) == 0 {
		return a, nil
	}
	window := pipeline.Window(schemas.EventsClean, job.Date, auditDays)
	var total int64
	for _, in := range window {
		if m, err := job.Warehouse.Manifest(in.Dataset, in.Partition); err == nil {
			total += m.Rows
		}
	}
	want := make(map[string]bool, len(sample))
	for _, s := range sample {
		want[s.id] = true
	}
	d0, d1 := job.Date.UnixMilli(), job.Date.AddDate(0, 0, 1).UnixMilli()
	keep := func(features.Event) bool { return true }
	if total > auditFullLimit {
		a.Mode = "keyed"
		a.NotAudited = []string{features.Defs[features.FClusterSize].Name, features.Defs[features.FClusterFraud].Name}
		var err error
		if keep, err = sharesKey(ctx, job, want); err != nil {
			return a, err
		}
	}
	var history []features.Event
	for _, in := range window {
		err := job.Warehouse.Scan(ctx, job.Mem, in.Dataset, in.Partition, func(rec arrow.RecordBatch) error {
			for j := range int(rec.NumRows()) {
				if e, _, _ := readEvent(rec, j); keep(e) {
					history = append(history, cloneEvent(e))
				}
			}
			return nil
		}, scanColumns...)
		if errors.Is(err, sinks.ErrNotCommitted) && !in.Required {
			continue
		}
		if err != nil {
			return a, fmt.Errorf("audit: read %s/dt=%s: %w", in.Dataset.Name, in.Partition.DT, err)
		}
	}
	// The sampled events themselves, raw, from the day's part of history.
	byID := make(map[string]*features.Event, len(sample))
	for i := range history {
		if e := &history[i]; e.TS >= d0 && e.TS < d1 && want[e.ID] {
			byID[e.ID] = e
		}
	}
	// Registrations older than the raw window, from the checkpoint.
	start := job.Date.AddDate(0, 0, 1-auditDays).UnixMilli()
	for _, u := range slices.Sorted(maps.Keys(regs)) {
		if t := regs[u]; t < start {
			e := features.Event{ID: "state-register-" + u, TS: t, Type: "register"}
			e.Keys[features.User] = u
			history = append(history, e)
		}
	}
	a.RawEvents = len(history)
	var labels []features.Label
	for _, u := range slices.Sorted(maps.Keys(known)) {
		labels = append(labels, features.Label{User: u, KnownAt: known[u]})
	}
	var rows []pitref.Checked
	for _, s := range sample {
		e, ok := byID[s.id]
		if !ok {
			a.Mismatches++
			a.Examples = appendExample(a.Examples, fmt.Sprintf("event %s: not in %s/dt=%s", s.id, schemas.EventsClean.Name, job.DT()))
			continue
		}
		rows = append(rows, pitref.Checked{Event: *e, Row: s.row})
	}
	for _, m := range pitref.NewIndex(history, labels).Audit(rows) {
		if slices.Contains(a.NotAudited, m.Feature) {
			continue
		}
		a.Mismatches++
		a.Examples = appendExample(a.Examples, m.String())
	}
	return a, nil
}

func appendExample(ex []string, s string) []string {
	if len(ex) < 5 {
		ex = append(ex, s)
	}
	return ex
}

// sharesKey reads the sampled events of the day (by event_id) and returns
// a filter keeping the events that share an entity key or a live session
// with one of them: all a sampled row's features but the cluster's read.
func sharesKey(ctx context.Context, job *pipeline.Job, want map[string]bool) (func(features.Event) bool, error) {
	var keys [features.NEntities]map[string]bool
	for k := range keys {
		keys[k] = map[string]bool{}
	}
	lives := map[string]bool{}
	err := job.Warehouse.Scan(ctx, job.Mem, schemas.EventsClean, job.Partition(), func(rec arrow.RecordBatch) error {
		ids := rec.Column(cID).(*array.String)
		for j := range int(rec.NumRows()) {
			if !want[ids.Value(j)] {
				continue
			}
			e, _, _ := readEvent(rec, j)
			for k, v := range e.Keys {
				if v != "" {
					keys[k][strings.Clone(v)] = true
				}
			}
			if e.Live != "" {
				lives[strings.Clone(e.Live)] = true
			}
		}
		return nil
	}, scanColumns...)
	if err != nil {
		return nil, fmt.Errorf("audit: read %s/dt=%s: %w", schemas.EventsClean.Name, job.DT(), err)
	}
	return func(e features.Event) bool {
		for k, v := range e.Keys {
			if v != "" && keys[k][v] {
				return true
			}
		}
		return e.Live != "" && lives[e.Live]
	}, nil
}

// readState returns the labels (user -> earliest known_at) and
// registrations of risk_state/p.
func readState(ctx context.Context, job *pipeline.Job, p sinks.Partition) (labels, regs map[string]int64, err error) {
	labels, regs = map[string]int64{}, map[string]int64{}
	err = job.Warehouse.Scan(ctx, job.Mem, schemas.RiskState, p, func(rec arrow.RecordBatch) error {
		sec := rec.Column(0).(*array.String)
		key := rec.Column(2).(*array.String)
		ts := rec.Column(5).(*array.Int64)
		for j := range int(rec.NumRows()) {
			switch sec.Value(j) {
			case "label":
				labels[strings.Clone(key.Value(j))] = ts.Value(j)
			case "register":
				regs[strings.Clone(key.Value(j))] = ts.Value(j)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read %s/dt=%s: %w", schemas.RiskState.Name, p.DT, err)
	}
	return labels, regs, nil
}
