// Package decide turns one scored event into allow, review or block: the
// rules, the model and the blacklist, read the same way by the batch
// risk-list stage and by the HTTP decision service, so both decide alike.
package decide

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/model"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
)

// ReasonBlacklisted is the reason code of an event on a blacklisted
// entity; every other reason comes from a rule. The model acts through
// rules that read model_score, so its threshold and action are
// configuration like any other.
const ReasonBlacklisted = "BLACKLISTED"

// Input is one scored event: the event, its point-in-time features and the
// categorical columns a model may read beside them.
type Input struct {
	Event   *features.Event
	Row     features.Row // features.Defs order
	Source  string       // the feed's acquisition source, "" when absent
	Browser string
}

// Decision is what a Decider answers for one event.
type Decision struct {
	Action  rules.Action
	Reasons []string // sorted, distinct
	Hits    []rules.Hit
	Score   float64 // the model's probability; NaN without a model
	// Blacklisted are the entries in force on the event's entities.
	Blacklisted []blacklist.Entry
}

// Decider holds what decisions read. Its fields are set once; Decide is
// safe for concurrent use when the blacklist is not being folded.
type Decider struct {
	Rules     *rules.Set
	Model     *model.Artefact // nil: no model
	Blacklist *blacklist.List // nil: nothing blacklisted
	// Clusters are risk_clusters' outputs by user token, from the last day
	// before the event's; nil when none.
	Clusters map[string]rules.Cluster
	bind     *binding
}

// New checks the parts and binds the model's inputs to feature columns.
func New(rs *rules.Set, m *model.Artefact, bl *blacklist.List, clusters map[string]rules.Cluster) (*Decider, error) {
	if rs == nil {
		return nil, fmt.Errorf("decide: no rules")
	}
	d := &Decider{Rules: rs, Model: m, Blacklist: bl, Clusters: clusters}
	if m != nil {
		b, err := bindModel(m)
		if err != nil {
			return nil, err
		}
		d.bind = b
	}
	return d, nil
}

// Decide decides in.
func (d *Decider) Decide(in Input) (Decision, error) {
	e := in.Event
	dec := Decision{Score: math.NaN()}
	if d.Blacklist != nil {
		// Entries admitted strictly before the event: simultaneous events
		// never see each other, here as in the features.
		dec.Blacklisted = d.Blacklist.EventBefore(&e.Keys, e.TS, nil)
	}
	if d.Model != nil {
		s, err := d.Model.ScoreRow(d.bind.row(in, len(dec.Blacklisted) > 0))
		if err != nil {
			return dec, fmt.Errorf("decide: %w", err)
		}
		dec.Score = s
	}
	ri := rules.Input{Type: e.Type, Row: in.Row, Score: dec.Score}
	if c, ok := d.Clusters[e.Keys[features.User]]; ok {
		ri.Cluster = c
	}
	hits, err := d.Rules.Eval(&ri, nil)
	if err != nil {
		return dec, fmt.Errorf("decide: %w", err)
	}
	dec.Hits = hits
	for _, h := range hits {
		dec.Action = max(dec.Action, h.Action)
		dec.Reasons = append(dec.Reasons, h.Reason)
	}
	if len(dec.Blacklisted) > 0 {
		dec.Action = rules.Block
		dec.Reasons = append(dec.Reasons, ReasonBlacklisted)
	}
	slices.Sort(dec.Reasons)
	dec.Reasons = slices.Compact(dec.Reasons)
	return dec, nil
}

// Flags are the blacklist flags a decision raises: one per rule hit on the
// entity it targets.
func (d *Decider) Flags(e *features.Event, dec Decision) []blacklist.Flag {
	var out []blacklist.Flag
	for _, h := range dec.Hits {
		tok := e.Keys[h.Entity]
		if tok == "" || h.Action == rules.Allow {
			continue
		}
		src := fmt.Sprintf("rule:%s@v%d", h.Name, h.Version)
		if d.Model != nil && slices.Contains(d.Rules.Rules()[h.Rule].Vars, "model_score") {
			src += " model:" + d.Model.ID[:min(12, len(d.Model.ID))]
		}
		out = append(out, blacklist.Flag{
			Entity: h.Entity, Token: tok, Reason: h.Reason, Severity: int(h.Severity),
			Block: h.Action == rules.Block, Source: src, EventID: e.ID, At: e.TS,
		})
	}
	return out
}

// blacklistedInput marks, in binding.feature, the model input
// schemas.BlacklistedBefore: 1 when one of the event's entities had an
// entry in force strictly before it. The decider's blacklist stands at
// each event where the training column's lookup stood.
const blacklistedInput = -2

// binding maps the model's inputs to an Input: a feature column, a one-hot
// categorical column ("type=purchase") or the blacklist hit.
type binding struct {
	feature []int    // Defs index, blacklistedInput, or -1
	cat     []int    // 0 type, 1 source, 2 browser, or -1
	value   []string // the one-hot value
}

// categorical are the one-hot columns risk_training's loader makes.
var categorical = []string{"type", "source", "browser"}

func bindModel(m *model.Artefact) (*binding, error) {
	idx := map[string]int{}
	for i, d := range features.Defs {
		idx[d.Name] = i
	}
	b := &binding{}
	for _, name := range m.Features {
		f, c, v := -1, -1, ""
		if i, ok := idx[name]; ok {
			f = i
		} else if name == schemas.BlacklistedBefore {
			f = blacklistedInput
		} else if col, val, ok := strings.Cut(name, "="); ok && slices.Contains(categorical, col) {
			c, v = slices.Index(categorical, col), val
		} else {
			return nil, fmt.Errorf("decide: model input %q is neither a feature nor a one-hot key column", name)
		}
		b.feature, b.cat, b.value = append(b.feature, f), append(b.cat, c), append(b.value, v)
	}
	return b, nil
}

// row fills the model's input row for in. It allocates: Decide may run on
// many goroutines.
func (b *binding) row(in Input, blacklisted bool) []float64 {
	out := make([]float64, len(b.feature))
	cats := [...]string{in.Event.Type, in.Source, in.Browser}
	for i, f := range b.feature {
		switch {
		case f >= 0:
			out[i] = in.Row[f]
		case f == blacklistedInput:
			if blacklisted {
				out[i] = 1
			}
		case cats[b.cat[i]] == b.value[i]:
			out[i] = 1
		}
	}
	return out
}
