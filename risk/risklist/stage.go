// Package risklist is the stage that acts on the risk features: every
// scored event of a day is decided (risk/decide: rules, model, blacklist)
// as the decision service would have decided it, the flagged entities
// make the day's risk list, and their flags are folded into the versioned
// blacklist under its policy, with the day's appeal lifts.
package risklist

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"time"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/model"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Stage writes risk_decisions, risk_list and blacklist for dt from
// risk_features/dt, risk_clusters of the day before (a user's clusters
// as of the end of dt would be computed from dt's own events) and the
// blacklist of the day before.
type Stage struct {
	Rules  *rules.Set        // nil: the embedded configs/rules.yaml
	Policy *blacklist.Policy // nil: the embedded configs/blacklist.yaml
	// Models is the model registry (model.Current); "" scores no model.
	Models string
	// Lifts returns the appeal lifts decided up to asOf (ms); nil: none.
	Lifts func(ctx context.Context, asOf int64) ([]blacklist.Lift, error)
}

// Name is "risklist".
func (Stage) Name() string { return "risklist" }

// ModelsDir is where a warehouse keeps its model registry.
func ModelsDir(w *sinks.Warehouse) string { return filepath.Join(w.Root, "_models") }

func (s Stage) parts() (*rules.Set, *blacklist.Policy, *model.Artefact, error) {
	rs, pol := s.Rules, s.Policy
	var err error
	if rs == nil {
		if rs, err = rules.Default(); err != nil {
			return nil, nil, nil, err
		}
	}
	if pol == nil {
		if pol, err = blacklist.DefaultPolicy(); err != nil {
			return nil, nil, nil, err
		}
	}
	var m *model.Artefact
	if s.Models != "" {
		cur, ok, err := model.Current(s.Models)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("risklist: current model: %w", err)
		}
		if ok {
			m = cur
		}
	}
	return rs, pol, m, nil
}

// ConfigFingerprint makes the stage pipeline.Configured: a change of rule,
// blacklist policy or current model makes its partitions due.
func (s Stage) ConfigFingerprint() string {
	rs, pol, m, err := s.parts()
	if err != nil {
		return "error: " + err.Error() // due, and Run reports the error
	}
	id := "none"
	if m != nil {
		id = m.ID
	}
	return "rules:" + rs.Fingerprint() + " policy:" + pol.Fingerprint() + " model:" + id
}

// Plan reads risk_features/dt (required), risk_clusters and the blacklist
// of the day before (optional: absent before history begins).
func (Stage) Plan(dt time.Time) pipeline.Plan {
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	prev := sinks.Partition{DT: dt.AddDate(0, 0, -1).Format(time.DateOnly)}
	return pipeline.Plan{
		Inputs: []pipeline.Input{
			{Dataset: schemas.RiskFeatures, Partition: p, Required: true},
			{Dataset: schemas.RiskClusters, Partition: prev},
			{Dataset: schemas.Blacklist, Partition: prev},
		},
		Outputs: []pipeline.Output{
			{Dataset: schemas.RiskDecisions, Partition: p},
			{Dataset: schemas.RiskList, Partition: p},
			{Dataset: schemas.Blacklist, Partition: p},
		},
	}
}

// Stats is the stage's account: every risk_features row is decided and
// written to risk_decisions.
type Stats struct {
	pipeline.Stats
	Actions      map[string]int64 `json:"actions"`   // decisions by action
	Reasons      map[string]int64 `json:"reasons"`   // flagged events by reason
	Listed       map[string]int64 `json:"risk_list"` // risk_list rows by entity
	Admitted     int64            `json:"blacklist_admitted"`
	Lifted       int64            `json:"blacklist_lifted"`
	InForce      int64            `json:"blacklist_in_force"` // at the end of dt
	Version      int64            `json:"blacklist_version"`
	From         string           `json:"blacklist_from,omitempty"` // the blacklist partition continued
	RuleSet      string           `json:"rules"`
	Model        string           `json:"model,omitempty"`
	ClustersFrom string           `json:"clusters_from,omitempty"`
}

// Run decides the day and commits the three outputs.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rs, pol, m, err := s.parts()
	if err != nil {
		return err
	}
	st := Stats{Actions: map[string]int64{}, Reasons: map[string]int64{}, Listed: map[string]int64{}, RuleSet: rs.Fingerprint()}
	if m != nil {
		st.Model = m.ID
	}
	list, from, err := previousList(ctx, job)
	if err != nil {
		return err
	}
	st.From = from
	clusters, cfrom, err := readClusters(ctx, job)
	if err != nil {
		return err
	}
	st.ClustersFrom = cfrom
	d, err := decide.New(rs, m, list, clusters)
	if err != nil {
		return err
	}
	start, end := job.Date.UnixMilli(), pipeline.EndOfDay(job.Date).UnixMilli()
	var lifts []blacklist.Lift
	if s.Lifts != nil {
		all, err := s.Lifts(ctx, end)
		if err != nil {
			return fmt.Errorf("risklist: appeal lifts: %w", err)
		}
		for _, l := range all {
			if l.At >= start && l.At <= end {
				lifts = append(lifts, l)
			}
		}
		slices.SortStableFunc(lifts, func(a, b blacklist.Lift) int { return cmp.Compare(a.At, b.At) })
	}
	// Provenance names the risk_features run the evidence came from, not
	// this run: a re-run writes the same rows.
	fm, err := job.Warehouse.Manifest(schemas.RiskFeatures, job.Partition())
	if err != nil {
		return err
	}
	prov := job.DT() + "/" + fm.RunID
	v0 := list.NextVersion
	// fold folds at the event's moment; Write settles pending flags.
	fold := func(flags []blacklist.Flag, lifts []blacklist.Lift) error {
		fs, err := list.FoldEvent(pol, prov, flags, lifts)
		st.Admitted += int64(fs.Added)
		st.Lifted += int64(fs.EntriesLifted)
		return err
	}
	day := newDay(job, rs, m)
	defer day.release()
	err = risk.ReadFeatures(ctx, job.Warehouse, job.Mem, job.Partition(), func(fr *risk.FeatureRow) error {
		// Lifts take effect from their moment: before any event after it.
		for len(lifts) > 0 && lifts[0].At < fr.Event.TS {
			if err := fold(nil, lifts[:1]); err != nil {
				return err
			}
			lifts = lifts[1:]
		}
		dec, err := d.Decide(decide.Input{Event: &fr.Event, Row: fr.Row, Source: fr.Source, Browser: fr.Browser})
		if err != nil {
			return err
		}
		if flags := d.Flags(&fr.Event, dec); len(flags) > 0 {
			if err := fold(flags, nil); err != nil {
				return err
			}
		}
		st.RecordsIn++
		st.Actions[dec.Action.String()]++
		for _, r := range dec.Reasons {
			st.Reasons[r]++
		}
		return day.add(fr, &dec)
	})
	if err != nil {
		return err
	}
	if err := fold(nil, lifts); err != nil { // the day's lifts after its last event
		return err
	}
	st.InForce = int64(len(list.AsOf(end)))
	st.Version = list.NextVersion - 1
	st.RecordsOut = st.RecordsIn
	if err := day.commit(ctx, job, list, v0, &st); err != nil {
		return err
	}
	log.Info("risk list committed", "dt", job.DT(), "decided", st.RecordsIn, "actions", st.Actions,
		"listed", st.Listed, "admitted", st.Admitted, "lifted", st.Lifted, "in_force", st.InForce)
	return nil
}

// previousList is the blacklist the day continues: the day before's, or
// the newest before it when no risk_features day lies between (days
// without events leave no blacklist), or a new one before history begins.
func previousList(ctx context.Context, job *pipeline.Job) (*blacklist.List, string, error) {
	prev := job.Date.AddDate(0, 0, -1)
	l, p, ok, err := blacklist.Latest(ctx, job.Warehouse, job.Mem, prev)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return &blacklist.List{NextVersion: 1}, "", nil
	}
	if p.DT != prev.Format(time.DateOnly) {
		days, err := job.Warehouse.Partitions(schemas.RiskFeatures)
		if err != nil {
			return nil, "", err
		}
		for _, d := range days {
			if d.DT > p.DT && d.DT < job.DT() {
				return nil, "", fmt.Errorf("risklist: %s/dt=%s is missing (risk_features has that day): run risklist for it first",
					schemas.Blacklist.Name, d.DT)
			}
		}
	}
	return l, p.DT, nil
}
