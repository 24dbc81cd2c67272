package blacklist

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/veil-data/veil/risk/features"
)

// Stats is what one Fold did, for the partition's manifest.
type Stats struct {
	Flags         int `json:"flags"`
	Lifts         int `json:"lifts"`
	Added         int `json:"entries_added"`
	LiftsApplied  int `json:"lifts_applied"`
	LiftsRepeated int `json:"lifts_already_applied"`
	EntriesLifted int `json:"entries_lifted"`
	SameEvidence  int `json:"flags_same_evidence"` // at or before a lift of their entity
	InForce       int `json:"flags_entity_in_force"`
	Duplicate     int `json:"flags_duplicate_event"`
	Pending       int `json:"pending_after"`
}

// Changed is the number of versions the fold made.
func (s Stats) Changed() int { return s.Added + s.LiftsApplied }

// Fold applies one day's lifts and flags, in time order, to the list and
// returns the versions it created. Deterministic: the same list, flags
// and lifts give the same result whatever their input order.
func (l *List) Fold(p *Policy, runID string, flags []Flag, lifts []Lift) (changed int, err error) {
	st, err := l.FoldStats(p, runID, flags, lifts)
	return st.Changed(), err
}

// FoldStats is Fold with an account of every flag and lift.
//
// At equal times lifts go first, so a flag at a lift's time is the same
// evidence and never counts. Pass the lifts decided up to the end of the
// folded day, not later ones: a lift's barrier hides every earlier flag of
// its entity, so folding it before those days would rewrite history.
// Lifts already applied are recognised and skipped, so passing every lift
// up to the day each day is safe.
func (l *List) FoldStats(p *Policy, runID string, flags []Flag, lifts []Lift) (Stats, error) {
	st, err := l.fold(p, runID, flags, lifts)
	if err == nil {
		l.f.finish()
		st.Pending = len(l.Pending)
	}
	return st, err
}

// FoldEvent is Fold for one event's flags (or a few lifts) at a time, as
// the risk list and the decision service fold them: it keeps its
// per-entity state between calls instead of rebuilding it from the whole
// list, and leaves Pending unsettled until Settle (or the next Fold),
// which persisting the list needs. The entries it admits and lifts are
// those Fold would.
func (l *List) FoldEvent(p *Policy, runID string, flags []Flag, lifts []Lift) (Stats, error) {
	return l.fold(p, runID, flags, lifts)
}

// Settle brings Pending up to date after FoldEvent calls: the flags still
// inside the review window, in canonical order.
func (l *List) Settle() {
	if l.f != nil && l.f.current(l) {
		l.f.finish()
	}
}

func (l *List) fold(p *Policy, runID string, flags []Flag, lifts []Lift) (Stats, error) {
	st := Stats{Flags: len(flags), Lifts: len(lifts)}
	if p == nil {
		return st, errors.New("blacklist fold: no policy")
	}
	if err := validate(flags, lifts); err != nil {
		return st, fmt.Errorf("blacklist fold: %w", err)
	}
	if l.NextVersion < 1 {
		l.NextVersion = 1
	}
	fs := slices.Clone(flags)
	for i := range fs {
		// Flags may point into a record the list outlives (the risk list
		// makes them from a scanned row): keep copies.
		fs[i].Token, fs[i].EventID = strings.Clone(fs[i].Token), strings.Clone(fs[i].EventID)
	}
	slices.SortFunc(fs, cmpFlag)
	ls := slices.Clone(lifts)
	slices.SortFunc(ls, cmpLift)

	f := l.f
	if f == nil || f.p != p || f.runID != runID || !f.current(l) {
		f = newFolder(l, p, runID)
		l.f = f
	}
	for i, j := 0, 0; i < len(fs) || j < len(ls); {
		if j < len(ls) && (i == len(fs) || ls[j].At <= fs[i].At) {
			f.lift(ls[j], &st)
			j++
		} else {
			f.flag(fs[i], &st)
			i++
		}
	}
	f.seen(l)
	for _, pend := range f.pending {
		st.Pending += len(pend)
	}
	return st, nil
}

func validate(flags []Flag, lifts []Lift) error {
	var errs []error
	bad := 0
	add := func(err error) {
		if bad++; bad <= 10 { // the first few, then a count
			errs = append(errs, err)
		}
	}
	for i, f := range flags {
		switch {
		case f.Entity < 0 || f.Entity >= features.NEntities:
			add(fmt.Errorf("flag %d: entity %d is not user, device, ip, ip24 or card", i, f.Entity))
		case f.Token == "":
			add(fmt.Errorf("flag %d: no token", i))
		case f.EventID == "":
			add(fmt.Errorf("flag %d: no event id", i))
		case f.Reason == "":
			add(fmt.Errorf("flag %d: no reason", i))
		}
	}
	for i, lf := range lifts {
		switch {
		case lf.Entity < 0 || lf.Entity >= features.NEntities:
			add(fmt.Errorf("lift %d: entity %d is not user, device, ip, ip24 or card", i, lf.Entity))
		case lf.Token == "":
			add(fmt.Errorf("lift %d: no token", i))
		case lf.Case == "":
			add(fmt.Errorf("lift %d: no case", i))
		}
	}
	if bad > 10 {
		errs = append(errs, fmt.Errorf("and %d more", bad-10))
	}
	return errors.Join(errs...)
}

// folder is the per-entity state folds work on, kept on the List between
// folds while the list changes only through them.
type folder struct {
	// What the list held when the folder last saw it: a list changed
	// otherwise (read afresh, edited) gets a new folder.
	nEntries, nLifts int
	through          int64

	l       *List
	p       *Policy
	runID   string
	byKey   map[key][]int // entries by entity
	barrier map[key]int64 // latest lift time by entity
	pending map[key][]Flag
	applied map[Lift]bool
}

func newFolder(l *List, p *Policy, runID string) *folder {
	f := &folder{l: l, p: p, runID: runID, byKey: map[key][]int{}, barrier: map[key]int64{},
		pending: map[key][]Flag{}, applied: map[Lift]bool{}, through: l.Through}
	for i, e := range l.Entries {
		k := key{e.Entity, e.Token}
		f.byKey[k] = append(f.byKey[k], i)
	}
	for _, r := range l.Lifts {
		k := key{r.Entity, r.Token}
		f.barrier[k] = max(f.barrier[k], r.At)
		f.applied[r.Lift] = true
	}
	for _, fl := range l.Pending {
		k := key{fl.Entity, fl.Token}
		f.pending[k] = append(f.pending[k], fl)
	}
	return f
}

// seen records the list's state after a fold.
func (f *folder) seen(l *List) {
	f.nEntries, f.nLifts = len(l.Entries), len(l.Lifts)
	l.Through = f.through
}

// current reports whether the list is as the folder last saw it.
func (f *folder) current(l *List) bool {
	return f.nEntries == len(l.Entries) && f.nLifts == len(l.Lifts) && f.through == l.Through
}

func (f *folder) lift(lf Lift, st *Stats) {
	f.through = max(f.through, lf.At)
	if f.applied[lf] {
		st.LiftsRepeated++
		return
	}
	f.applied[lf] = true
	v := f.l.NextVersion
	f.l.NextVersion++
	st.LiftsApplied++
	k := key{lf.Entity, lf.Token}
	for _, i := range f.byKey[k] {
		if e := &f.l.Entries[i]; e.InForce(lf.At) {
			e.LiftedAt, e.LiftCase, e.LiftVersion = lf.At, lf.Case, v
			st.EntriesLifted++
		}
	}
	f.l.Lifts = append(f.l.Lifts, LiftRecord{Lift: lf, Version: v})
	f.barrier[k] = max(f.barrier[k], lf.At)
	f.pending[k] = slices.DeleteFunc(f.pending[k], func(p Flag) bool { return p.At <= lf.At })
}

func (f *folder) flag(fl Flag, st *Stats) {
	f.through = max(f.through, fl.At)
	k := key{fl.Entity, fl.Token}
	if b, ok := f.barrier[k]; ok && fl.At <= b {
		st.SameEvidence++
		return
	}
	for _, i := range f.byKey[k] {
		if f.l.Entries[i].InForce(fl.At) {
			st.InForce++ // the entry in force already answers it
			return
		}
	}
	if bs := f.p.blockSeverity; bs > 0 && fl.Block && fl.Severity >= bs {
		f.admit(k, []Flag{fl}, fl.At)
		delete(f.pending, k) // absorbed by the entry
		st.Added++
		return
	}
	if f.p.reviews == 0 {
		return
	}
	pend := slices.DeleteFunc(f.pending[k], func(p Flag) bool { return p.At < fl.At-f.p.window })
	if i := slices.IndexFunc(pend, func(p Flag) bool { return p.EventID == fl.EventID }); i >= 0 {
		st.Duplicate++ // one event counts once; keep its strongest flag
		if stronger(fl, pend[i]) {
			pend[i] = fl
		}
		f.pending[k] = pend
		return
	}
	pend = append(pend, fl)
	if len(pend) >= f.p.reviews {
		f.admit(k, pend, fl.At)
		delete(f.pending, k)
		st.Added++
		return
	}
	f.pending[k] = pend
}

// admit adds an entry at t for the strongest of the admitting flags.
func (f *folder) admit(k key, by []Flag, t int64) {
	best := by[0]
	for _, fl := range by[1:] {
		if stronger(fl, best) {
			best = fl
		}
	}
	e := Entry{
		Version: f.l.NextVersion, Entity: k.e, Token: k.tok,
		Reason: best.Reason, Severity: best.Severity, Source: best.Source, RunID: f.runID,
		Evidence: evidence(by), AddedAt: t, ExpiresAt: t + f.p.expiry(best.Reason),
	}
	f.l.NextVersion++
	n := len(f.l.Entries)
	f.byKey[k] = append(f.byKey[k], n)
	// Folds never run beside lookups, so Lookup's index grows in place
	// rather than being rebuilt from every entry.
	if ix := f.l.ix.Load(); ix != nil && ix.n == n {
		ix.m[k] = append(ix.m[k], int32(n))
		ix.n++
	}
	f.l.Entries = append(f.l.Entries, e)
}

// finish drops pending flags no later flag can count with and stores the
// rest in a canonical order.
func (f *folder) finish() {
	l := f.l
	l.Through = f.through
	l.Pending = l.Pending[:0]
	for k, pend := range f.pending {
		pend = slices.DeleteFunc(pend, func(p Flag) bool { return f.p.reviews == 0 || p.At < f.through-f.p.window })
		if len(pend) == 0 {
			delete(f.pending, k)
			continue
		}
		f.pending[k] = pend
		l.Pending = append(l.Pending, pend...)
	}
	slices.SortFunc(l.Pending, cmpPending)
	if len(l.Pending) == 0 {
		l.Pending = nil
	}
}

// stronger orders the flags an entry may be named after: higher severity,
// then block, then later, then the smaller reason, source and event id.
func stronger(a, b Flag) bool {
	if c := cmp.Or(cmp.Compare(a.Severity, b.Severity), cmpBool(a.Block, b.Block), cmp.Compare(a.At, b.At)); c != 0 {
		return c > 0
	}
	return cmp.Or(strings.Compare(a.Reason, b.Reason), strings.Compare(a.Source, b.Source), strings.Compare(a.EventID, b.EventID)) < 0
}

// evidence digests the admitting flags' event ids (sorted, distinct), so
// an entry names what it rests on without copying the ids.
func evidence(by []Flag) string {
	ids := make([]string, len(by))
	for i, f := range by {
		ids[i] = f.EventID
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// cmpFlag orders flags by time, then everything else. It returns at the
// first difference: cmp.Or would compare every field first, and sorting
// a day's flags is most of a fold.
func cmpFlag(a, b Flag) int {
	if c := cmp.Compare(a.At, b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Entity, b.Entity); c != 0 {
		return c
	}
	if c := strings.Compare(a.Token, b.Token); c != 0 {
		return c
	}
	if c := strings.Compare(a.EventID, b.EventID); c != 0 {
		return c
	}
	return cmp.Or(strings.Compare(a.Reason, b.Reason), cmp.Compare(a.Severity, b.Severity),
		cmpBool(a.Block, b.Block), strings.Compare(a.Source, b.Source))
}

func cmpPending(a, b Flag) int {
	if c := cmp.Compare(a.Entity, b.Entity); c != 0 {
		return c
	}
	if c := strings.Compare(a.Token, b.Token); c != 0 {
		return c
	}
	return cmpFlag(a, b)
}

func cmpLift(a, b Lift) int {
	return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.Entity, b.Entity), strings.Compare(a.Token, b.Token), strings.Compare(a.Case, b.Case))
}
