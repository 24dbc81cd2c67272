package features

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
)

// Checkpoints. The state is written after StartDay(next day), so it holds
// only what is inside 30 days of that day, and in a canonical order
// (sections in a fixed order, entities by key, each entity's entries in
// time or list order): two engines that folded the same days write the
// same rows whether they started from scratch or from a checkpoint. Window
// pointers, counts and the graph are derived, so they are not written.

// Section names of risk_state rows.
const (
	secDay      = "day"
	secRegister = "register"
	secLabel    = "label"
	secCount    = "count"
	secAmount   = "amount"
	secLink     = "link"
	secLive     = "live"
)

// stateRow is one risk_state row.
type stateRow struct {
	section, entity, key, other string
	ts, ts2, value              int64
}

// Checkpoint writes the state in records of at most batch rows.
func (g *Engine) Checkpoint(mem memory.Allocator, batch int, write func(arrow.RecordBatch) error) error {
	b := array.NewRecordBuilder(mem, schemas.RiskState.Schema)
	defer b.Release()
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		n = 0
		return write(rec)
	}
	emit := func(r stateRow) error {
		b.Field(0).(*array.StringBuilder).Append(r.section)
		appendOpt(b.Field(1).(*array.StringBuilder), r.entity)
		key, keyID := r.key, ""
		if r.section == secLive || r.entity == EntityNames[IP24] || r.entity == Links[ip24Link].Name {
			key, keyID = "", r.key
		}
		appendOpt(b.Field(2).(*array.StringBuilder), key)
		appendOpt(b.Field(3).(*array.StringBuilder), keyID)
		appendOpt(b.Field(4).(*array.StringBuilder), r.other)
		b.Field(5).(*array.Int64Builder).Append(r.ts)
		b.Field(6).(*array.Int64Builder).Append(r.ts2)
		b.Field(7).(*array.Int64Builder).Append(r.value)
		if n++; n >= batch {
			return flush()
		}
		return nil
	}
	if err := g.rows(emit); err != nil {
		return err
	}
	return flush()
}

func appendOpt(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
	} else {
		b.Append(s)
	}
}

// sortedIDs returns the ids of table k ordered by their strings.
func (g *Engine) sortedIDs(k Entity) []uint32 { return g.ids[k].Sorted() }

func (g *Engine) rows(emit func(stateRow) error) error {
	var sorted [NEntities][]uint32 // each table sorted once
	order := func(k Entity) []uint32 {
		if sorted[k] == nil {
			sorted[k] = g.sortedIDs(k)
		}
		return sorted[k]
	}
	if err := emit(stateRow{section: secDay, ts: g.day}); err != nil {
		return err
	}
	users := order(User)
	name := g.ids[User].Name
	for _, u := range users {
		if t, ok := g.reg[u]; ok {
			if err := emit(stateRow{section: secRegister, key: name(u), ts: t}); err != nil {
				return err
			}
		}
	}
	for _, u := range users {
		if t, ok := g.labels[u]; ok {
			if err := emit(stateRow{section: secLabel, key: name(u), ts: t}); err != nil {
				return err
			}
		}
	}
	for k := range NEntities {
		for _, ix := range order(k) {
			for _, x := range g.counts[k][ix].live() {
				r := stateRow{section: secCount, entity: EntityNames[k], key: g.ids[k].Name(ix), ts: entryTS(x), value: int64(entryCount(x))}
				if err := emit(r); err != nil {
					return err
				}
			}
		}
	}
	for _, u := range users {
		m := &g.amts[u]
		for i := m.head; i < len(m.ts); i++ {
			if err := emit(stateRow{section: secAmount, key: name(u), ts: m.ts[i], value: m.a4[i]}); err != nil {
				return err
			}
		}
	}
	for l, lk := range Links {
		s := g.links[l]
		for _, from := range order(lk.From) {
			var err error
			s.each(from, func(to uint32, last int64) {
				if err == nil {
					err = emit(stateRow{section: secLink, entity: lk.Name, key: g.ids[lk.From].Name(from), other: g.ids[lk.To].Name(to), ts: last})
				}
			})
			if err != nil {
				return err
			}
		}
	}
	ids := make([]string, 0, len(g.live))
	for id := range g.live {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := g.live[id]
		if err := emit(stateRow{section: secLive, key: id, ts: s.start, ts2: s.last, value: int64(s.firstMin)}); err != nil {
			return err
		}
	}
	return nil
}

// Loader rebuilds an Engine from risk_state records, in the order the
// checkpoint wrote them.
type Loader struct {
	g       *Engine
	day     bool
	linkIdx map[string]int
}

// NewLoader starts loading into a new Engine.
func NewLoader() *Loader {
	ld := &Loader{g: New(), linkIdx: make(map[string]int)}
	for l, lk := range Links {
		ld.linkIdx[lk.Name] = l
	}
	return ld
}

var entityIdx = map[string]Entity{"user": User, "device": Device, "ip": IP, "ip24": IP24, "card": Card}

// Add folds one record of risk_state rows in.
func (ld *Loader) Add(rec arrow.RecordBatch) error {
	col := func(i int) *array.String { return rec.Column(i).(*array.String) }
	sec, ent, keyTok, keyID, other := col(0), col(1), col(2), col(3), col(4)
	ts := rec.Column(5).(*array.Int64)
	ts2 := rec.Column(6).(*array.Int64)
	val := rec.Column(7).(*array.Int64)
	key := keyOf{keyTok, keyID}
	g := ld.g
	for i := range int(rec.NumRows()) {
		switch sec.Value(i) {
		case secDay:
			g.day, ld.day = ts.Value(i), true
		case secRegister:
			g.reg[g.intern(User, key.Value(i))] = ts.Value(i)
		case secLabel:
			g.labels[g.intern(User, key.Value(i))] = ts.Value(i)
		case secCount:
			k, ok := entityIdx[ent.Value(i)]
			c := Count(val.Value(i))
			if !ok || c < 0 || c >= NCounts {
				return fmt.Errorf("risk_state: bad count row (entity %q, counter %d)", ent.Value(i), c)
			}
			s := &g.counts[k][g.intern(k, key.Value(i))]
			s.q = append(s.q, packEntry(ts.Value(i), c))
			for w := range NWindows {
				s.cnt[w][c]++
			}
		case secAmount:
			m := &g.amts[g.intern(User, key.Value(i))]
			m.add(ts.Value(i), val.Value(i))
		case secLink:
			l, ok := ld.linkIdx[ent.Value(i)]
			if !ok {
				return fmt.Errorf("risk_state: unknown relation %q", ent.Value(i))
			}
			lk := Links[l]
			from, to := g.intern(lk.From, key.Value(i)), g.intern(lk.To, other.Value(i))
			s := g.links[l]
			h := s.grow(from)
			n := s.alloc(lnode{to: to, from: from, last: ts.Value(i), prev: -1, next: -1})
			s.index[uint64(from)<<32|uint64(to)] = n
			s.append(h, n)
			if _, lab := g.labels[to]; lab && lk.To == User {
				s.markFraud(h, n)
			}
		case secLive:
			g.live[key.Value(i)] = &session{start: ts.Value(i), last: ts2.Value(i), firstMin: int32(val.Value(i))}
		default:
			return fmt.Errorf("risk_state: unknown section %q", sec.Value(i))
		}
	}
	return nil
}

// keyOf reads a row's key from whichever of key and key_id holds it.
type keyOf struct{ tok, id *array.String }

func (k keyOf) Value(i int) string {
	if k.tok.IsValid(i) {
		return k.tok.Value(i)
	}
	return k.id.Value(i)
}

// ip24Link is the relation keyed by IP prefixes.
var ip24Link = func() int {
	for l, lk := range Links {
		if lk.From == IP24 {
			return l
		}
	}
	return -1
}()

// Engine finishes the load: window counts start from every entry (the
// first advance corrects them) and the graph is rebuilt.
func (ld *Loader) Engine() (*Engine, error) {
	if !ld.day {
		return nil, fmt.Errorf("risk_state: no day row")
	}
	g := ld.g
	for _, s := range g.links {
		for from := range s.heads {
			s.reset(uint32(from))
		}
	}
	g.rebuildGraph()
	return g, nil
}
