package features

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veil-data/veil/internal/intern"
)

// Engine is the state every feature is computed from, folded event by
// event in time order. Run folds a day in batch; the decision service
// calls Score then Apply for each event as it comes. An Engine is not
// safe for concurrent use.
type Engine struct {
	ids    [NEntities]*intern.Table
	counts [NEntities][]counters
	amts   []amounts // by user
	links  [len(Links)]*linkSet
	reg    map[uint32]int64 // user -> earliest register, kept beyond 30 days
	labels map[uint32]int64 // user -> earliest known_at, kept forever
	live   map[string]*session
	graph  *graph
	day    int64 // D0 of the day being folded; the graph holds [D0-30d, ...)
	row    Row
}

type session struct {
	start, last int64
	firstMin    int32 // purchases in [start, start+60s)
}

// New returns an empty Engine.
func New() *Engine {
	g := &Engine{
		reg: make(map[uint32]int64), labels: make(map[uint32]int64),
		live: make(map[string]*session), graph: newGraph(), day: -1 << 62,
	}
	for k := range NEntities {
		g.ids[k] = intern.New()
	}
	for l := range Links {
		g.links[l] = newLinkSet()
	}
	g.row = make(Row, len(Defs))
	return g
}

// reverse[l] is the relation from Links[l].To back to users, for the
// fraud marks of a newly labelled user's devices, IPs and cards.
var reverse = func() [len(Links)]int {
	var r [len(Links)]int
	for l, lk := range Links {
		r[l] = -1
		if lk.From != User {
			continue
		}
		for m, mk := range Links {
			if mk.From == lk.To && mk.To == User {
				r[l] = m
			}
		}
	}
	return r
}()

// fraudLink[e] is the relation e -> users behind <e>_fraud_accounts_30d.
var fraudLink = func() [NEntities]int {
	var r [NEntities]int
	for e := range NEntities {
		r[e] = -1
		for l, lk := range Links {
			if lk.From == e && lk.To == User && FFraudLinks[e] >= 0 {
				r[e] = l
			}
		}
	}
	return r
}()

func (g *Engine) intern(k Entity, key string) uint32 {
	ix, added := g.ids[k].Add(key)
	if added {
		g.counts[k] = append(g.counts[k], counters{})
		if k == User {
			g.amts = append(g.amts, amounts{})
		}
	}
	return ix
}

// StartDay moves the state to day d0 (00:00 UTC, ms): what is older than
// 30 days before it is forgotten and the graph is rebuilt from the links
// that are left. The state is then the same whether it was folded from
// scratch or loaded from the previous day's checkpoint.
func (g *Engine) StartDay(d0 int64) error {
	if d0 == g.day {
		return nil
	}
	if d0 < g.day || Day(d0) != d0 {
		return fmt.Errorf("features: day %s after %s: days must be folded in order", time.UnixMilli(d0).UTC().Format(time.DateOnly), time.UnixMilli(g.day).UTC().Format(time.DateOnly))
	}
	g.day = d0
	for k := range NEntities {
		for i := range g.counts[k] {
			g.counts[k][i].advance(d0)
		}
	}
	for i := range g.amts {
		g.amts[i].advance(d0)
	}
	for _, s := range g.links {
		for from := range s.heads {
			s.advance(uint32(from), d0)
		}
	}
	for id, s := range g.live {
		if s.last < d0-Horizon {
			delete(g.live, id)
		}
	}
	g.rebuildGraph()
	return nil
}

func (g *Engine) rebuildGraph() {
	g.graph = newGraph()
	for l, lk := range Links {
		if lk.From != User || (lk.To != Device && lk.To != IP && lk.To != Card) {
			continue
		}
		s := g.links[l]
		for u := range s.heads {
			s.each(uint32(u), func(x uint32, _ int64) { g.graph.link(uint32(u), lk.To, x) })
		}
	}
	for u := range g.labels { // counts: the order does not matter
		g.graph.label(u)
	}
}

// Label records a fraud label on user known at knownAt. Only a user's
// earliest label counts; later ones are ignored.
func (g *Engine) Label(user string, knownAt int64) {
	u := g.intern(User, user)
	if _, ok := g.labels[u]; ok {
		return
	}
	g.labels[u] = knownAt
	g.graph.label(u)
	for l, rl := range reverse {
		if rl < 0 {
			continue
		}
		g.links[l].each(u, func(x uint32, _ int64) { g.links[rl].labelled(x, u) })
	}
}

// Apply folds event e into the state. Events must come in time order;
// Score every event of a timestamp before applying any of them.
func (g *Engine) Apply(e *Event) {
	t := e.TS
	if e.Live != "" {
		s := g.live[e.Live]
		if s == nil || t-s.last > Horizon {
			s = &session{start: t}
			// The id may point into a record's buffer: keep a copy.
			g.live[strings.Clone(e.Live)] = s
		}
		if e.Type == "purchase" && t < s.start+60_000 {
			s.firstMin++
		}
		s.last = t
	}
	// Every counted type is scored; the rest (browsing) touches nothing
	// else, so most events cost no lookup at all.
	if !IsScored(e.Type) {
		return
	}
	var ix [NEntities]uint32
	var has [NEntities]bool
	for k := range NEntities {
		if e.Keys[k] != "" {
			ix[k], has[k] = g.intern(k, e.Keys[k]), true
		}
	}
	if c := CountOf(e.Type); c >= 0 {
		for k := range NEntities {
			if has[k] {
				s := &g.counts[k][ix[k]]
				s.advance(t)
				s.add(t, c)
			}
		}
	}
	if !has[User] {
		return
	}
	u := ix[User]
	if e.Type == "purchase" && e.HasAmount {
		g.amts[u].advance(t)
		g.amts[u].add(t, e.Amount4)
	}
	_, labelled := g.labels[u]
	for l, lk := range Links {
		if has[lk.From] && has[lk.To] {
			s := g.links[l]
			s.advance(ix[lk.From], t)
			s.touch(ix[lk.From], ix[lk.To], t, labelled && lk.To == User)
		}
	}
	if e.Type == "register" {
		if r, ok := g.reg[u]; !ok || t < r {
			g.reg[u] = t
		}
	}
	for _, k := range [...]Entity{Device, IP, Card} {
		if has[k] {
			g.graph.link(u, k, ix[k])
		}
	}
}

// Score returns e's features from the state as it stands: everything
// applied so far must be strictly before e. The row is reused by the next
// call. Score moves windows forward to e.TS, so it too must be called in
// time order.
func (g *Engine) Score(e *Event) Row {
	r := g.row
	for i := range r {
		r[i] = Null
	}
	t := e.TS
	var ix [NEntities]uint32
	var known [NEntities]bool
	for k := range NEntities {
		if e.Keys[k] == "" {
			continue
		}
		ix[k], known[k] = g.ids[k].Lookup(e.Keys[k])
		var cnt [NWindows][NCounts]int32
		if known[k] {
			s := &g.counts[k][ix[k]]
			s.advance(t)
			cnt = s.cnt
		}
		for w := range NWindows {
			for c := range NCounts {
				r[FCount[k][c][w]] = float64(cnt[w][c])
			}
			r[FFailRatio[k][w]] = Ratio(float64(cnt[w][FailedPayments]), float64(cnt[w][Payments]+cnt[w][FailedPayments]))
		}
	}
	for l, lk := range Links {
		if e.Keys[lk.From] == "" {
			continue
		}
		for w := range NWindows {
			r[FLink[l][w]] = 0
		}
		if known[lk.From] {
			s := g.links[l]
			s.advance(ix[lk.From], t)
			for w := range NWindows {
				r[FLink[l][w]] = float64(s.count(ix[lk.From], Window(w)))
			}
		}
	}
	if e.HasAmount {
		r[FAmount] = float64(e.Amount4) / 1e4
	}
	if e.Live != "" {
		if s := g.live[e.Live]; s != nil && s.last >= t-Horizon {
			r[FLiveSinceStart] = float64(t-s.start) / 1000
			r[FLiveOrdersFirstMin] = float64(s.firstMin)
		}
	}
	u, uk := ix[User], known[User]
	labelled := false
	if uk {
		_, labelled = g.labels[u]
	}
	for k, l := range fraudLink {
		if l < 0 || e.Keys[k] == "" {
			continue
		}
		var n int32
		if known[k] {
			s := g.links[l]
			s.advance(ix[k], t)
			n = s.fraudCount(ix[k])
			if labelled {
				if nd, ok := s.node(ix[k], u); ok && nd.fraud {
					n--
				}
			}
		}
		r[FFraudLinks[k]] = float64(n)
	}
	if e.Keys[User] == "" {
		return r
	}
	mean := Null
	if uk {
		g.amts[u].advance(t)
		mean = g.amts[u].mean()
	}
	r[FUserAmountMean] = mean
	if !IsNull(r[FAmount]) && !IsNull(mean) {
		r[FAmountVsMean] = Ratio(r[FAmount], mean)
	}
	p24, p30 := r[FCount[User][Purchases][W24h]], r[FCount[User][Purchases][W30d]]
	r[FPurchases24vs30] = Ratio(p24, p30/30)
	if e.Signup != 0 {
		r[FAccountAge] = float64(t-e.Signup) / 1000
	} else if reg, ok := g.reg[u]; uk && ok {
		r[FAccountAge] = float64(t-reg) / 1000
	}
	size, fraud := int32(1), int32(0)
	if uk {
		size, fraud = g.graph.cluster(u)
	}
	if labelled {
		fraud--
	}
	r[FClusterSize], r[FClusterFraud] = float64(size), float64(fraud)
	return r
}

// Source is a day's events in any order: Run reads each through Fill,
// so the batch stage can serve them from Arrow columns without building
// an Event per row up front.
type Source interface {
	Len() int
	TS(i int) int64
	ID(i int) string
	Fill(i int, e *Event)
}

// Events is a Source over a slice.
type Events []Event

func (s Events) Len() int             { return len(s) }
func (s Events) TS(i int) int64       { return s[i].TS }
func (s Events) ID(i int) string      { return s[i].ID }
func (s Events) Fill(i int, e *Event) { *e = s[i] }

// Run folds one day: events and labels must all fall on day d0 (00:00
// UTC, ms). Events are taken in (ts, event_id) order; each scored event
// is scored before any event of its timestamp is applied, and emit gets
// its index in src and its row (reused: copy what you keep). A label
// counts for events after its known_at.
func (g *Engine) Run(ctx context.Context, d0 int64, src Source, labels []Label, emit func(i int, e *Event, row Row) error) error {
	if err := g.StartDay(d0); err != nil {
		return err
	}
	end := d0 + 86_400_000
	n := src.Len()
	order := make([]int32, n)
	for i := range order {
		if t := src.TS(i); t < d0 || t >= end {
			return fmt.Errorf("features: event %d at %s is not on %s", i, time.UnixMilli(t).UTC().Format(time.RFC3339Nano), time.UnixMilli(d0).UTC().Format(time.DateOnly))
		}
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(src.TS(int(a)), src.TS(int(b))); c != 0 {
			return c
		}
		return cmp.Compare(src.ID(int(a)), src.ID(int(b)))
	})
	lab := slices.Clone(labels)
	for _, l := range lab {
		if l.KnownAt < d0 || l.KnownAt >= end {
			return fmt.Errorf("features: a label known at %s is not on %s", time.UnixMilli(l.KnownAt).UTC().Format(time.RFC3339Nano), time.UnixMilli(d0).UTC().Format(time.DateOnly))
		}
	}
	slices.SortStableFunc(lab, func(a, b Label) int { return cmp.Compare(a.KnownAt, b.KnownAt) })
	li := 0
	group := make([]Event, 0, 16)
	for i := 0; i < n; {
		if i&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		t := src.TS(int(order[i]))
		for ; li < len(lab) && lab[li].KnownAt < t; li++ {
			g.Label(lab[li].User, lab[li].KnownAt)
		}
		group = group[:0]
		j := i
		for ; j < n && src.TS(int(order[j])) == t; j++ {
			group = append(group, Event{})
			e := &group[len(group)-1]
			src.Fill(int(order[j]), e)
			if IsScored(e.Type) {
				if err := emit(int(order[j]), e, g.Score(e)); err != nil {
					return err
				}
			}
		}
		for k := range group {
			g.Apply(&group[k])
		}
		i = j
	}
	for ; li < len(lab); li++ {
		g.Label(lab[li].User, lab[li].KnownAt)
	}
	return nil
}
