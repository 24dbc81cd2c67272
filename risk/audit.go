package risk

import (
	"context"
	"errors"
	"fmt"
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
	// The sampled events themselves, from the raw day.
	var targets []features.Event
	err := job.Warehouse.Scan(ctx, job.Mem, schemas.EventsClean, job.Partition(), func(rec arrow.RecordBatch) error {
		ids := rec.Column(cID).(*array.String)
		for j := range int(rec.NumRows()) {
			if want[ids.Value(j)] {
				targets = append(targets, eventOf(rec, j))
			}
		}
		return nil
	}, scanColumns...)
	if err != nil {
		return a, fmt.Errorf("audit: read %s/dt=%s: %w", schemas.EventsClean.Name, job.DT(), err)
	}
	keep := func(features.Event) bool { return true }
	if total > auditFullLimit {
		a.Mode = "keyed"
		a.NotAudited = []string{features.Defs[features.FClusterSize].Name, features.Defs[features.FClusterFraud].Name}
		var keys [features.NEntities]map[string]bool
		for k := range keys {
			keys[k] = map[string]bool{}
		}
		lives := map[string]bool{}
		for _, e := range targets {
			for k, v := range e.Keys {
				if v != "" {
					keys[k][v] = true
				}
			}
			if e.Live != "" {
				lives[e.Live] = true
			}
		}
		keep = func(e features.Event) bool {
			for k, v := range e.Keys {
				if v != "" && keys[k][v] {
					return true
				}
			}
			return e.Live != "" && lives[e.Live]
		}
	}
	var history []features.Event
	for _, in := range window {
		err := job.Warehouse.Scan(ctx, job.Mem, in.Dataset, in.Partition, func(rec arrow.RecordBatch) error {
			for j := range int(rec.NumRows()) {
				if e := eventOf(rec, j); keep(e) {
					history = append(history, e)
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
	// Registrations older than the raw window, from the checkpoint.
	start := job.Date.AddDate(0, 0, 1-auditDays).UnixMilli()
	for _, u := range slices.Sorted(mapKeysS(regs)) {
		if t := regs[u]; t < start {
			e := features.Event{ID: "state-register-" + u, TS: t, Type: "register"}
			e.Keys[features.User] = u
			history = append(history, e)
		}
	}
	a.RawEvents = len(history)
	var labels []features.Label
	for _, u := range slices.Sorted(mapKeysS(known)) {
		labels = append(labels, features.Label{User: u, KnownAt: known[u]})
	}
	byID := make(map[string]*features.Event, len(targets))
	for i := range targets {
		byID[targets[i].ID] = &targets[i]
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

func mapKeysS(m map[string]int64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// eventOf reads row j of an events_clean scan record (scanColumns).
func eventOf(rec arrow.RecordBatch, j int) features.Event {
	e, _, _ := readEvent(rec, j)
	return e
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
