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

// owned copies the strings of a value, which share the record's buffers,
// so that it can outlive the record.
func owned(v any) any {
	switch x := v.(type) {
	case string:
		return strings.Clone(x)
	case []string:
		l := make([]string, len(x))
		for i, s := range x {
			l[i] = strings.Clone(s)
		}
		return l
	}
	return v
}

// appendKey appends a canonical form of row i's value (as value returns
// it) to a memo key, without making the value: most rows only look their
// key up.
func appendKey(b []byte, arr arrow.Array, i int) []byte {
	switch a := arr.(type) {
	case *array.String:
		if a.IsNull(i) {
			return binary.AppendUvarint(b, 0)
		}
		return appendStr(b, a.Value(i))
	case *array.Int64:
		var x int64
		if a.IsValid(i) {
			x = a.Value(i)
		}
		return binary.LittleEndian.AppendUint64(b, uint64(x))
	case *array.Float64:
		var x float64
		if a.IsValid(i) {
			x = a.Value(i)
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	case *array.Boolean:
		if a.IsValid(i) && a.Value(i) {
			return append(b, 1)
		}
		return append(b, 0)
	case *array.List:
		if a.IsNull(i) {
			return binary.AppendUvarint(b, 0)
		}
		vals := a.ListValues().(*array.String)
		start, end := a.ValueOffsets(i)
		b = binary.AppendUvarint(b, uint64(end-start))
		for j := start; j < end; j++ {
			b = appendStr(b, vals.Value(int(j)))
		}
		return b
	}
	panic(fmt.Sprintf("audience: unsupported tag column %T", arr))
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
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

// relationship is a merchant's consumers in user_token order, each with
// the number of its tuple of the merchant tags an expression reads.
type relationship struct {
	tokens []string
	tuple  []int32
	tuples [][]any // distinct tuples
}

// errUnsorted is wrapped when a tag partition is out of the order the tags
// stage writes: Select's merge join would miss consumers.
var errUnsorted = errors.New("not sorted by user_token (re-run the tags stage)")

// relationship reads merchant's rows of consumer_merchant_tags (sorted by
// merchant_id, then user_token) and the merchant tags e reads.
func (d *Data) relationship(ctx context.Context, p sinks.Partition, merchant string, e *Expr) (*relationship, error) {
	cols := []string{"merchant_id", "user_token"}
	for _, t := range e.merchant {
		cols = append(cols, t.Name)
	}
	rel := &relationship{}
	ids := map[string]int32{}
	var key []byte
	err := d.wh.Scan(ctx, d.mem, d.spec.ConsumerMerchantTags(), p, func(rec arrow.RecordBatch) error {
		ms := rec.Column(0).(*array.String)
		us := rec.Column(1).(*array.String)
		for i := range int(rec.NumRows()) {
			if ms.Value(i) != merchant {
				continue
			}
			tok := us.Value(i)
			if n := len(rel.tokens); n > 0 && tok <= rel.tokens[n-1] {
				return fmt.Errorf("%s/dt=%s: merchant %s: %w", d.spec.ConsumerMerchantTags().Name, d.DT, merchant, errUnsorted)
			}
			key = key[:0]
			for k := range e.merchant {
				key = appendKey(key, rec.Column(2+k), i)
			}
			id, ok := ids[string(key)]
			if !ok {
				vals := make([]any, len(e.merchant))
				for k := range e.merchant {
					vals[k] = owned(value(rec.Column(2+k), i))
				}
				id = int32(len(rel.tuples))
				rel.tuples = append(rel.tuples, vals)
				ids[string(key)] = id
			}
			rel.tokens = append(rel.tokens, strings.Clone(tok))
			rel.tuple = append(rel.tuple, id)
		}
		return nil
	}, cols...)
	return rel, err
}

// Select evaluates e for merchant over d: the consumers seen with the
// merchant in the tag window (every consumer for a merchant with platform
// reach), less those opted out, for whom e is true. The expression is
// evaluated once per distinct tuple of the tags it reads. With collect,
// the members' tokens and equivalence classes on qi (and the sensitive
// tag) are gathered too.
//
// Both tag datasets are sorted by user_token (consumer_merchant_tags
// within each merchant), so the merchant's consumers are met by a merge
// join as consumer_tags streams past, not looked up in a map of them;
// an out-of-order partition is an error, never a smaller audience.
func (d *Data) Select(ctx context.Context, merchant string, reach bool, e *Expr, collect bool, qi []string, sensitive string) (*Selection, error) {
	if !tagging.ValidMerchantID(merchant) {
		return nil, fmt.Errorf("merchant id %q cannot scope a customer token", merchant)
	}
	p := sinks.Partition{DT: d.DT}
	rel, err := d.relationship(ctx, p, merchant, e)
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
	cpos := make([]int, len(e.consumer))
	for k, t := range e.consumer {
		cpos[k] = at(t.Name)
	}
	var qpos []int
	spos := -1
	if collect {
		for _, q := range qi {
			qpos = append(qpos, at(q))
		}
		if sensitive != "" {
			spos = at(sensitive)
		}
	}

	act := &vars{}
	for _, t := range e.consumer {
		act.names = append(act.names, t.Name)
	}
	for _, t := range e.merchant {
		act.names = append(act.names, t.Name)
	}
	act.vals = make([]any, len(act.names))
	memo := map[string]bool{}
	var key, qkey []byte
	sel := &Selection{}
	if collect {
		sel.Classes = map[string]*Class{}
	}
	next := 0     // rel.tokens[next] is the merchant's first consumer not yet met
	prev := ""    // the last token read, for the order check
	first := true // prev is unset
	err = d.wh.Scan(ctx, d.mem, d.spec.ConsumerTags(), p, func(rec arrow.RecordBatch) error {
		us := rec.Column(0).(*array.String)
		n := int(rec.NumRows())
		for i := range n {
			tok := us.Value(i)
			if !first && tok <= prev {
				return fmt.Errorf("%s/dt=%s: %w", d.spec.ConsumerTags().Name, d.DT, errUnsorted)
			}
			prev, first = tok, false
			for next < len(rel.tokens) && rel.tokens[next] < tok {
				next++ // a consumer of the merchant without consumer tags
			}
			tuple := int32(-1) // no relationship
			if next < len(rel.tokens) && rel.tokens[next] == tok {
				tuple = rel.tuple[next]
				next++
			} else if !reach {
				continue
			}
			sel.Candidates++
			if d.registry.OptedOut(tok) {
				sel.OptedOut++
				continue
			}
			key = key[:0]
			for _, c := range cpos {
				key = appendKey(key, rec.Column(c), i)
			}
			key = binary.AppendVarint(key, int64(tuple))
			in, hit := memo[string(key)]
			if !hit {
				for k, c := range cpos {
					act.vals[k] = value(rec.Column(c), i)
				}
				mv := none
				if tuple >= 0 {
					mv = rel.tuples[tuple]
				}
				copy(act.vals[len(cpos):], mv)
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
			for _, c := range qpos {
				qkey = appendKey(qkey, rec.Column(c), i)
			}
			c := sel.Classes[string(qkey)]
			if c == nil {
				c = &Class{Sensitive: map[string]struct{}{}}
				sel.Classes[string(qkey)] = c
			}
			c.Size++
			if spos >= 0 {
				c.Sensitive[fmt.Sprint(value(rec.Column(spos), i))] = struct{}{}
			}
		}
		if n > 0 {
			// The record's buffers go back to the allocator.
			prev = strings.Clone(prev)
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
