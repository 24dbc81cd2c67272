package audience

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"cel.dev/cel-go/interpreter"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/tagging"
)

// Data is one day's tags as an audience reads them: the tag partitions of
// dt, checked to come from the tag file in use, and the newest opt-out
// registry (a consumer who opted out after dt is left out all the same).
type Data struct {
	DT       string
	spec     *tagging.Spec
	wh       *sinks.Warehouse
	mem      memory.Allocator
	registry *consent.Registry
	// Fingerprint identifies the data an answer was computed from: a
	// stored noisy answer is served again only for the same data.
	Fingerprint string
}

// ErrNoTags is wrapped when the tags of the asked day are not there.
var ErrNoTags = errors.New("no tags")

// OpenData checks the tag partitions of dt and loads the newest opt-out
// registry.
func OpenData(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, spec *tagging.Spec, dt string) (*Data, error) {
	d := &Data{DT: dt, spec: spec, wh: wh, mem: mem}
	fp := sinks.NewFingerprinter()
	for _, ds := range []schemas.Dataset{spec.ConsumerTags(), spec.ConsumerMerchantTags()} {
		m, err := wh.Manifest(ds, sinks.Partition{DT: dt})
		if errors.Is(err, sinks.ErrNotCommitted) {
			return nil, fmt.Errorf("%w: %s/dt=%s is not committed (run the tags stage for that day)", ErrNoTags, ds.Name, dt)
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(m.Inputs, sinks.Input{Ref: "config/tags", Fingerprint: spec.Fingerprint()}) {
			return nil, fmt.Errorf("%w: %s/dt=%s was computed with another tag file than %s (re-run the tags stage)", ErrNoTags, ds.Name, dt, spec.Source)
		}
		fp.Add(ds.Name, m.Fingerprint())
	}
	reg, err := consent.Latest(ctx, wh, mem, dt)
	if err != nil {
		return nil, fmt.Errorf("opt-out registry: %w", err)
	}
	d.registry = reg
	fp.Add("optout_registry", reg.DT(), reg.Fingerprint())
	d.Fingerprint = fp.Sum()
	return d, nil
}

// Selection is an audience's members among the consumers a merchant may
// reach. Count is the true size: it never leaves the package but through
// noise or an export that passed every check.
type Selection struct {
	Count      int64
	Candidates int64    // consumers the merchant may reach
	OptedOut   int64    // of those, left out because they opted out since the tags were made
	Members    []string // user tokens, sorted, when collected
	// Classes are the members' equivalence classes on the
	// quasi-identifier tags: size and distinct sensitive values.
	Classes map[string]*Class
}

// Class is one equivalence class of an audience.
type Class struct {
	Size      int64
	Sensitive map[string]struct{}
}

// column reads one tag's value out of a record row.
type column struct {
	tag *tagging.Tag
	arr arrow.Array
}

// value returns row i's value as CEL sees it: nulls read as the empty
// string, 0, false or the empty list, as the tag file documents.
func value(arr arrow.Array, i int) any {
	switch a := arr.(type) {
	case *array.String:
		if a.IsNull(i) {
			return ""
		}
		return a.Value(i)
	case *array.Int64:
		if a.IsNull(i) {
			return int64(0)
		}
		return a.Value(i)
	case *array.Float64:
		if a.IsNull(i) {
			return 0.0
		}
		return a.Value(i)
	case *array.Boolean:
		return !a.IsNull(i) && a.Value(i)
	case *array.List:
		if a.IsNull(i) {
			return []string{}
		}
		vals := a.ListValues().(*array.String)
		start, end := a.ValueOffsets(i)
		l := make([]string, 0, end-start)
		for j := start; j < end; j++ {
			l = append(l, vals.Value(int(j)))
		}
		return l
	}
	panic(fmt.Sprintf("audience: unsupported tag column %T", arr))
}

// appendKey appends a canonical form of a value to a memo key.
func appendKey(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		b = binary.AppendUvarint(b, uint64(len(x)))
		return append(b, x...)
	case int64:
		return binary.LittleEndian.AppendUint64(b, uint64(x))
	case float64:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	case bool:
		if x {
			return append(b, 1)
		}
		return append(b, 0)
	case []string:
		b = binary.AppendUvarint(b, uint64(len(x)))
		for _, s := range x {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		return b
	}
	panic(fmt.Sprintf("audience: unsupported value %T", v))
}

// vars is the activation of one row: tag name to value.
type vars struct {
	names []string
	vals  []any
}

func (v *vars) ResolveName(name string) (any, bool) {
	for i, n := range v.names {
		if n == name {
			return v.vals[i], true
		}
	}
	return nil, false
}

func (v *vars) Parent() interpreter.Activation { return nil }

// Select evaluates e for merchant over d: the consumers seen with the
// merchant in the tag window (every consumer for a merchant with platform
// reach), less those opted out, for whom e is true. The expression is
// evaluated once per distinct tuple of the tags it reads. With collect,
// the members' tokens and equivalence classes on qi (and the sensitive
// tag) are gathered too.
func (d *Data) Select(ctx context.Context, merchant string, reach bool, e *Expr, collect bool, qi []string, sensitive string) (*Selection, error) {
	if !tagging.ValidMerchantID(merchant) {
		return nil, fmt.Errorf("merchant id %q cannot scope a customer token", merchant)
	}
	p := sinks.Partition{DT: d.DT}
	// The merchant's relationship: its consumers and the merchant tags e
	// reads, as one interned tuple per consumer.
	mcols := []string{"merchant_id", "user_token"}
	for _, t := range e.merchant {
		mcols = append(mcols, t.Name)
	}
	rel := map[string][]any{}
	err := d.wh.Scan(ctx, d.mem, d.spec.ConsumerMerchantTags(), p, func(rec arrow.RecordBatch) error {
		ms := rec.Column(0).(*array.String)
		us := rec.Column(1).(*array.String)
		for i := range int(rec.NumRows()) {
			if ms.Value(i) != merchant {
				continue
			}
			vals := make([]any, len(e.merchant))
			for k := range e.merchant {
				vals[k] = value(rec.Column(2+k), i)
			}
			rel[strings.Clone(us.Value(i))] = vals
		}
		return nil
	}, mcols...)
	if err != nil {
		return nil, err
	}
	// Merchant tags read for a consumer with no relationship (platform
	// reach) take their null values.
	none := make([]any, len(e.merchant))
	for k, t := range e.merchant {
		none[k] = zero(t)
	}

	ccols := []string{"user_token"}
	want := map[string]bool{}
	for _, t := range e.consumer {
		want[t.Name] = true
	}
	if collect {
		for _, q := range qi {
			want[q] = true
		}
		if sensitive != "" {
			want[sensitive] = true
		}
	}
	for _, t := range d.spec.Consumer {
		if want[t.Name] {
			ccols = append(ccols, t.Name)
		}
	}
	at := func(name string) int { return slices.Index(ccols, name) }

	act := &vars{}
	for _, t := range e.consumer {
		act.names = append(act.names, t.Name)
	}
	for _, t := range e.merchant {
		act.names = append(act.names, t.Name)
	}
	act.vals = make([]any, len(act.names))
	memo := map[string]bool{}
	var key []byte
	sel := &Selection{}
	if collect {
		sel.Classes = map[string]*Class{}
	}
	var qkey []byte
	err = d.wh.Scan(ctx, d.mem, d.spec.ConsumerTags(), p, func(rec arrow.RecordBatch) error {
		us := rec.Column(0).(*array.String)
		for i := range int(rec.NumRows()) {
			tok := us.Value(i)
			mv, ok := rel[tok]
			if !ok {
				if !reach {
					continue
				}
				mv = none
			}
			sel.Candidates++
			if d.registry.OptedOut(tok) {
				sel.OptedOut++
				continue
			}
			key = key[:0]
			for k, t := range e.consumer {
				act.vals[k] = value(rec.Column(at(t.Name)), i)
				key = appendKey(key, act.vals[k])
			}
			for k := range e.merchant {
				act.vals[len(e.consumer)+k] = mv[k]
				key = appendKey(key, mv[k])
			}
			in, hit := memo[string(key)]
			if !hit {
				out, _, err := e.prg.Eval(act)
				if err != nil {
					return fmt.Errorf("evaluate audience expression: %w", err)
				}
				b, isBool := out.Value().(bool)
				if !isBool {
					return fmt.Errorf("audience expression evaluated to %s, not bool", out.Type())
				}
				in = b
				memo[string(key)] = in
			}
			if !in {
				continue
			}
			sel.Count++
			if !collect {
				continue
			}
			sel.Members = append(sel.Members, strings.Clone(tok))
			qkey = qkey[:0]
			for _, q := range qi {
				qkey = appendKey(qkey, value(rec.Column(at(q)), i))
			}
			c := sel.Classes[string(qkey)]
			if c == nil {
				c = &Class{Sensitive: map[string]struct{}{}}
				sel.Classes[string(qkey)] = c
			}
			c.Size++
			if sensitive != "" {
				c.Sensitive[fmt.Sprint(value(rec.Column(at(sensitive)), i))] = struct{}{}
			}
		}
		return nil
	}, ccols...)
	if err != nil {
		return nil, err
	}
	slices.Sort(sel.Members)
	return sel, nil
}

// zero is a tag's value when it has none.
func zero(t *tagging.Tag) any {
	switch t.Type() {
	case "string":
		return ""
	case "int":
		return int64(0)
	case "double":
		return 0.0
	case "bool":
		return false
	}
	return []string{}
}

// Anonymity returns the k-anonymity (smallest class) and l-diversity
// (fewest distinct sensitive values in a class) of a selection's classes;
// both 0 for an empty selection.
func (s *Selection) Anonymity() (k, l int64) {
	for _, c := range s.Classes {
		if k == 0 || c.Size < k {
			k = c.Size
		}
		if n := int64(len(c.Sensitive)); l == 0 || n < l {
			l = n
		}
	}
	return k, l
}
