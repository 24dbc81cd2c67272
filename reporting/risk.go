package reporting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/risk/risklist"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// RiskNote is the report's view of dt's risk control: decisions by action
// and reason (risk_decisions' manifest), entities listed, blacklist
// changes (the blacklist's) and the post-event review with false
// positives against the labels known by its cutoff (risk_review's).
// Counts and amounts only: no token.
type RiskNote struct {
	Actions   map[string]int64 `json:"actions"`
	Reasons   map[string]int64 `json:"reasons,omitempty"`
	Listed    map[string]int64 `json:"risk_list,omitempty"`
	Blacklist BlacklistNote    `json:"blacklist"`
	RuleSet   string           `json:"rules"`
	Model     string           `json:"model,omitempty"`
	// Review is absent until risk_review/dt is committed.
	Review *risklist.ReviewStats `json:"review,omitempty"`
}

// BlacklistNote is what changed in the blacklist on dt.
type BlacklistNote struct {
	Admitted int64 `json:"admitted"`
	Lifted   int64 `json:"lifted"`
	InForce  int64 `json:"in_force"`
	Version  int64 `json:"version"`
}

// riskNote reads the note from the manifests; nil when risk_decisions/dt
// is not committed.
func riskNote(job *pipeline.Job) (*RiskNote, error) {
	m, err := job.Warehouse.Manifest(schemas.RiskDecisions, job.Partition())
	if errors.Is(err, sinks.ErrNotCommitted) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st risklist.Stats
	if err := json.Unmarshal(m.Stats, &st); err != nil {
		return nil, fmt.Errorf("%s/%s: stats: %w", m.Dataset, m.Partition, err)
	}
	n := &RiskNote{Actions: st.Actions, Reasons: st.Reasons, Listed: st.Listed, RuleSet: st.RuleSet, Model: st.Model,
		Blacklist: BlacklistNote{Admitted: st.Admitted, Lifted: st.Lifted, InForce: st.InForce, Version: st.Version}}
	rm, err := job.Warehouse.Manifest(schemas.RiskReview, job.Partition())
	switch {
	case err == nil:
		var rs risklist.ReviewStats
		if err := json.Unmarshal(rm.Stats, &rs); err != nil {
			return nil, fmt.Errorf("%s/%s: stats: %w", rm.Dataset, rm.Partition, err)
		}
		n.Review = &rs
	case !errors.Is(err, sinks.ErrNotCommitted):
		return nil, err
	}
	return n, nil
}

// appealsNote is the appeals as of the end of dt: cases, how decided, and
// the open ones overdue (case ids, never a user); nil without a log.
func appealsNote(ctx context.Context, job *pipeline.Job, cases func(context.Context, int64) ([]appeals.Case, error), overdueDays int) (*appeals.Summary, error) {
	if cases == nil {
		return nil, nil
	}
	end := pipeline.EndOfDay(job.Date).UnixMilli()
	cs, err := cases(ctx, end)
	if err != nil {
		return nil, fmt.Errorf("appeals: %w", err)
	}
	s := appeals.Summarize(cs, end, overdueDays)
	return &s, nil
}
