package risklist

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/model"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

const batchRows = 64 << 10

// day writes risk_decisions as it goes and gathers the risk list.
type day struct {
	rs    *rules.Set
	model *model.Artefact
	pw    *sinks.PartitionWriter
	fw    *sinks.ParquetWriter
	b     *array.RecordBuilder
	n     int   // rows in the record being built
	rows  int64 // rows added, the current one included
	err   error
	list  map[entityKey]*listed
}

type entityKey struct {
	entity features.Entity
	token  string
}

// listed is one risk_list row being gathered.
type listed struct {
	action         rules.Action
	reasons, rules []string
	score          float64
	flags          int64 // flagged events
	lastRow        int64 // the day's row that flagged it last
	first, last    int64
	amount         float64
	evidence       string
	evidenceRank   [2]int // action, severity of the hit the evidence came from
}

func newDay(job *pipeline.Job, rs *rules.Set, m *model.Artefact) *day {
	d := &day{rs: rs, model: m, list: map[entityKey]*listed{}}
	d.pw, d.err = job.Warehouse.Begin(schemas.RiskDecisions, job.Partition(), "risklist", job.RunID)
	if d.err == nil {
		d.fw, d.err = d.pw.Parquet(job.Mem)
	}
	d.b = array.NewRecordBuilder(job.Mem, schemas.RiskDecisions.Schema)
	return d
}

func (d *day) release() {
	d.b.Release()
	if d.pw != nil {
		d.pw.Abort()
	}
}

func appendStr(b array.Builder, v string) {
	if v == "" {
		b.AppendNull()
	} else {
		b.(*array.StringBuilder).Append(v)
	}
}

func appendList(b array.Builder, vs []string) {
	lb := b.(*array.ListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, v := range vs {
		vb.Append(v)
	}
}

func appendF64(b array.Builder, v float64) {
	if math.IsNaN(v) {
		b.AppendNull()
	} else {
		b.(*array.Float64Builder).Append(v)
	}
}

func ruleIDs(hits []rules.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Name + "@v" + strconv.Itoa(h.Version)
	}
	return out
}

// add writes fr's decision and gathers its flags into the risk list.
func (d *day) add(fr *risk.FeatureRow, dec *decide.Decision) error {
	if d.err != nil {
		return d.err
	}
	e := &fr.Event
	amount := fr.Row[features.FAmount]
	f := d.b.Fields()
	f[0].(*array.StringBuilder).Append(e.ID)
	f[1].(*array.TimestampBuilder).Append(arrow.Timestamp(e.TS))
	f[2].(*array.StringBuilder).Append(e.Type)
	f[3].(*array.StringBuilder).Append(e.Keys[features.User])
	appendStr(f[4], e.Live)
	appendF64(f[5], amount)
	f[6].(*array.StringBuilder).Append(dec.Action.String())
	appendList(f[7], dec.Reasons)
	appendList(f[8], ruleIDs(dec.Hits))
	appendF64(f[9], dec.Score)
	f[10].(*array.BooleanBuilder).Append(len(dec.Blacklisted) > 0)
	d.rows++
	if d.n++; d.n == batchRows {
		if err := d.flush(); err != nil {
			return err
		}
	}
	for _, h := range dec.Hits {
		if h.Action == rules.Allow || e.Keys[h.Entity] == "" {
			continue
		}
		d.gather(entityKey{h.Entity, e.Keys[h.Entity]}, fr, dec, h.Action, h.Reason, h.Name+"@v"+strconv.Itoa(h.Version),
			[2]int{int(h.Action), int(h.Severity)}, d.rs.Rules()[h.Rule].Vars)
	}
	return nil
}

func (d *day) gather(k entityKey, fr *risk.FeatureRow, dec *decide.Decision, a rules.Action, reason, rule string, rank [2]int, vars []string) {
	l := d.list[k]
	if l == nil {
		l = &listed{score: math.NaN(), first: fr.Event.TS, evidenceRank: [2]int{-1, -1}}
		k.token = strings.Clone(k.token) // a view of the record, which the key outlives
		d.list[k] = l
	}
	// One event may hit the entity through several rules: count it once.
	if l.flags == 0 || l.lastRow != d.rows {
		if v := fr.Row[features.FAmount]; !math.IsNaN(v) && (fr.Event.Type == "purchase" || fr.Event.Type == "payment") {
			l.amount += v
		}
		l.flags++
	}
	l.last, l.lastRow = fr.Event.TS, d.rows
	l.action = max(l.action, a)
	if !slices.Contains(l.reasons, reason) {
		l.reasons = append(l.reasons, reason)
	}
	if rule != "" && !slices.Contains(l.rules, rule) {
		l.rules = append(l.rules, rule)
	}
	if !math.IsNaN(dec.Score) && (math.IsNaN(l.score) || dec.Score > l.score) {
		l.score = dec.Score
	}
	if rank[0] > l.evidenceRank[0] || (rank[0] == l.evidenceRank[0] && rank[1] > l.evidenceRank[1]) {
		l.evidenceRank = rank
		l.evidence = evidence(fr, dec, reason, vars)
	}
}

// evidence is the values the hit read, as JSON: feature values (null when
// absent), the event's type and the model score. No tokens.
func evidence(fr *risk.FeatureRow, dec *decide.Decision, reason string, vars []string) string {
	ev := map[string]any{"reason": reason, "event_type": fr.Event.Type}
	if !math.IsNaN(dec.Score) {
		ev["model_score"] = dec.Score
	}
	for _, v := range vars {
		if i, ok := featureIndex[v]; ok {
			if x := fr.Row[i]; math.IsNaN(x) {
				ev[v] = nil
			} else {
				ev[v] = x
			}
		}
	}
	b, _ := json.Marshal(ev) // sorted keys; values are plain numbers and names
	return string(b)
}

func (d *day) flush() error {
	if d.n == 0 {
		return nil
	}
	rec := d.b.NewRecordBatch()
	defer rec.Release()
	d.n = 0
	return d.fw.Write(rec)
}

// commit closes risk_decisions and writes risk_list and the blacklist.
func (d *day) commit(ctx context.Context, job *pipeline.Job, list *blacklist.List, v0 int64, st *Stats) error {
	if d.err != nil {
		return d.err
	}
	if err := d.flush(); err != nil {
		return err
	}
	if err := d.fw.Close(); err != nil {
		return err
	}
	for k := range d.list {
		st.Listed[k.entity.String()]++
	}
	if _, err := d.pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: st}); err != nil {
		return err
	}
	if err := d.writeList(job, list, v0, st); err != nil {
		return err
	}
	pw, err := job.Warehouse.Begin(schemas.Blacklist, job.Partition(), "risklist", job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	if err := list.Write(ctx, pw, job.Mem); err != nil {
		return fmt.Errorf("risklist: write blacklist: %w", err)
	}
	_, err = pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: st})
	return err
}

func (d *day) writeList(job *pipeline.Job, list *blacklist.List, v0 int64, st *Stats) error {
	admitted := map[entityKey]bool{}
	for _, e := range list.Entries {
		if e.Version >= v0 {
			admitted[entityKey{e.Entity, e.Token}] = true
		}
	}
	keys := make([]entityKey, 0, len(d.list))
	for k := range d.list {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b entityKey) int {
		return cmp.Or(cmp.Compare(a.entity, b.entity), cmp.Compare(a.token, b.token))
	})
	b := array.NewRecordBuilder(job.Mem, schemas.RiskList.Schema)
	defer b.Release()
	mv := ""
	if d.model != nil {
		mv = d.model.ID
	}
	f := b.Fields()
	for _, k := range keys {
		l := d.list[k]
		slices.Sort(l.reasons)
		slices.Sort(l.rules)
		f[0].(*array.StringBuilder).Append(k.entity.String())
		f[1].(*array.StringBuilder).Append(k.token)
		f[2].(*array.StringBuilder).Append(l.action.String())
		appendList(f[3], l.reasons)
		appendList(f[4], l.rules)
		appendStr(f[5], mv)
		appendF64(f[6], l.score)
		f[7].(*array.Int64Builder).Append(l.flags)
		f[8].(*array.TimestampBuilder).Append(arrow.Timestamp(l.first))
		f[9].(*array.TimestampBuilder).Append(arrow.Timestamp(l.last))
		f[10].(*array.Float64Builder).Append(l.amount)
		f[11].(*array.StringBuilder).Append(l.evidence)
		f[12].(*array.BooleanBuilder).Append(admitted[k])
	}
	return commitBuilt(job, schemas.RiskList, "risklist", b, st)
}

// commitBuilt writes what b holds as the whole of ds/dt and commits it.
func commitBuilt(job *pipeline.Job, ds schemas.Dataset, stage string, b *array.RecordBuilder, st any) error {
	pw, err := job.Warehouse.Begin(ds, job.Partition(), stage, job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return err
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := fw.Write(rec); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	_, err = pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: st})
	return err
}
