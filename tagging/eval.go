package tagging

import (
	"fmt"

	"cel.dev/cel-go/interpreter"
)

// maxMemo bounds each tag's memo of results by input tuple. Past it a tag
// is still evaluated, just not remembered: a tag over raw amounts has about
// one tuple per consumer and would otherwise hold one entry per consumer.
const maxMemo = 1 << 20

// evaluator evaluates one tag for view after view: a tag that is a bare
// aggregate is copied; any other is evaluated by CEL once per distinct
// tuple of the aggregates it reads (the memo key is their values'
// canonical bytes), through an activation that reads the view directly
// rather than a map built per row.
type evaluator struct {
	tag  *Tag
	memo map[string]any
	key  []byte
	act  activation

	evals, hits int64
}

func newEvaluator(t *Tag) *evaluator {
	return &evaluator{tag: t, memo: make(map[string]any)}
}

// eval returns the tag's value for v: a string, int64, float64, bool or
// []string (shared: copy before keeping).
func (e *evaluator) eval(v *view) (any, error) {
	if d := e.tag.direct; d != nil {
		return d.value(v), nil
	}
	e.key = e.key[:0]
	for _, g := range e.tag.uses {
		e.key = g.appendKey(e.key, v)
	}
	if r, ok := e.memo[string(e.key)]; ok { // no allocation for the lookup
		e.hits++
		return r, nil
	}
	e.evals++
	e.act.v = v
	out, _, err := e.tag.prg.Eval(&e.act)
	if err != nil {
		// Aggregates are counts and bands, never identifiers, but the
		// error names only the tag and CEL's message.
		return nil, fmt.Errorf("tag %s: %w", e.tag.Name, err)
	}
	r, ok := valueOf(e.tag.kind, out)
	if !ok {
		return nil, fmt.Errorf("tag %s: evaluated to %s, not %s", e.tag.Name, out.Type(), e.tag.kind)
	}
	if len(e.memo) < maxMemo {
		e.memo[string(e.key)] = r
	}
	return r, nil
}

// activation resolves aggregate names against the current view.
type activation struct{ v *view }

func (a *activation) ResolveName(name string) (any, bool) {
	g := aggregateByName[name]
	if g == nil || (g.scope == ScopeMerchant && a.v.p == nil) {
		return nil, false
	}
	return g.value(a.v), true
}

func (a *activation) Parent() interpreter.Activation { return nil }
