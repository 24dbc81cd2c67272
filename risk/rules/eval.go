package rules

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"

	"github.com/veil-data/veil/risk/features"
)

// maxMemo bounds each rule's memo of results by input tuple. Past it a
// rule is still evaluated, just not remembered: a rule over amounts has
// about one tuple per event and would otherwise grow without end.
const maxMemo = 1 << 16

// compiled is a rule's program and its memo of results keyed by the
// canonical bytes of the variables it reads.
type compiled struct {
	name string
	prg  cel.Program
	vars []int // indices in vars, sorted by name

	mu          sync.RWMutex
	memo        map[string]bool
	evals, hits atomic.Int64
	// bypass is set once the memo is full and answers under a quarter of
	// the evaluations: the rule reads near-unique values (amounts, ages),
	// so the lookup costs more than it saves.
	bypass atomic.Bool
}

// Eval appends to dst the rules that fire on in, in file order. A rule
// that fails at run time (it cannot on a type-checked file but for a cost
// overrun) is an error naming the rule, never the input's values.
func (s *Set) Eval(in *Input, dst []Hit) ([]Hit, error) {
	if len(in.Row) != len(features.Defs) {
		return dst, fmt.Errorf("rules: input row has %d features, want %d", len(in.Row), len(features.Defs))
	}
	var buf [256]byte
	for i, c := range s.compiled {
		fired, err := c.eval(in, buf[:0])
		if err != nil {
			return dst, err
		}
		if fired {
			r := &s.rules[i]
			dst = append(dst, Hit{Rule: i, Name: r.Name, Version: r.Version, Reason: r.Reason,
				Severity: r.Severity, Action: r.Action, Entity: r.Entity})
		}
	}
	return dst, nil
}

func (c *compiled) eval(in *Input, key []byte) (bool, error) {
	if c.bypass.Load() {
		return c.run(in)
	}
	for _, v := range c.vars {
		key = appendKey(key, v, in)
	}
	c.mu.RLock()
	r, ok := c.memo[string(key)] // no allocation for the lookup
	c.mu.RUnlock()
	if ok {
		c.hits.Add(1)
		return r, nil
	}
	r, err := c.run(in)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if len(c.memo) < maxMemo {
		c.memo[string(key)] = r
	} else if c.hits.Load()*4 < c.evals.Load() {
		c.bypass.Store(true)
	}
	c.mu.Unlock()
	return r, nil
}

// run evaluates the program on in.
func (c *compiled) run(in *Input) (bool, error) {
	c.evals.Add(1)
	out, _, err := c.prg.Eval(&activation{in: in, vars: c.vars})
	if err != nil {
		return false, fmt.Errorf("rule %s: %w", c.name, err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("rule %s: evaluated to %s, not bool", c.name, out.Type())
	}
	return bool(b), nil
}

// MemoStats reports, per rule in file order, how many evaluations ran
// CEL and how many were answered from the memo.
func (s *Set) MemoStats() (evals, hits []int64) {
	for _, c := range s.compiled {
		evals, hits = append(evals, c.evals.Load()), append(hits, c.hits.Load())
	}
	return evals, hits
}

// value returns variable v of in as a CEL value.
func value(v int, in *Input) any {
	if f := vars[v].feature; f >= 0 {
		return types.Double(in.Row[f])
	}
	switch v - len(features.Defs) {
	case vEventType:
		return types.String(in.Type)
	case vModelScore:
		return types.Double(in.Score)
	case vClusterKnown:
		return types.Bool(in.Cluster.Known)
	case vClusterLabel:
		return types.Int(in.Cluster.Label)
	case vClusterMembers:
		return types.Int(in.Cluster.Size)
	case vLOFScore:
		return types.Double(in.Cluster.LOF)
	case vLOFOutlier:
		return types.Bool(in.Cluster.Outlier)
	}
	return nil
}

// appendKey appends variable v's canonical bytes: NaNs share one
// pattern and -0 is 0, so equal inputs share an entry.
func appendKey(b []byte, v int, in *Input) []byte {
	f := func(x float64) []byte {
		switch {
		case math.IsNaN(x):
			x = math.NaN()
		case x == 0:
			x = 0
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	if fi := vars[v].feature; fi >= 0 {
		return f(in.Row[fi])
	}
	switch v - len(features.Defs) {
	case vEventType:
		b = binary.AppendUvarint(b, uint64(len(in.Type)))
		return append(b, in.Type...)
	case vModelScore:
		return f(in.Score)
	case vLOFScore:
		return f(in.Cluster.LOF)
	case vClusterLabel:
		return binary.LittleEndian.AppendUint64(b, uint64(in.Cluster.Label))
	case vClusterMembers:
		return binary.LittleEndian.AppendUint64(b, uint64(in.Cluster.Size))
	case vClusterKnown:
		return append(b, b2u(in.Cluster.Known))
	case vLOFOutlier:
		return append(b, b2u(in.Cluster.Outlier))
	}
	return b
}

func b2u(x bool) byte {
	if x {
		return 1
	}
	return 0
}

// activation resolves a rule's variables by scanning the few it reads
// (their indices were found at compile time), not a map built per event.
type activation struct {
	in   *Input
	vars []int
}

func (a *activation) ResolveName(name string) (any, bool) {
	for _, v := range a.vars {
		if vars[v].name == name {
			return value(v, a.in), true
		}
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }
