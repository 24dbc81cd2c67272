// Package blacklist is veil's versioned blacklist: entries admitted from
// the risk list's flags under a policy, with provenance and expiry, lifted
// by appeals; every change is a new version and any moment can be asked.
//
// Times are event times (ms since the epoch), not the time a run happened
// to fold them, so the list answers "what was blacklisted at t" the same
// way for a live run and a backfill.
package blacklist

import (
	"sync/atomic"

	"github.com/veil-data/veil/risk/features"
)

// Entry is one blacklisting of an entity: in force on [AddedAt,
// min(ExpiresAt, LiftedAt)) (ms since the epoch; LiftedAt 0 = never).
type Entry struct {
	Version     int64 // the change that added it
	Entity      features.Entity
	Token       string
	Reason      string
	Severity    int    // rules.Severity
	Source      string // "rule:<name>@v<version>" or "model:<id>"
	RunID       string // the run that admitted it
	Evidence    string // the flags behind it: event ids digest
	AddedAt     int64
	ExpiresAt   int64
	LiftedAt    int64
	LiftCase    string // the appeal case that lifted it
	LiftVersion int64
}

// InForce reports whether the entry is in force at t.
func (e *Entry) InForce(t int64) bool {
	return e.AddedAt <= t && t < e.ExpiresAt && (e.LiftedAt == 0 || t < e.LiftedAt)
}

// Flag is one risk-list hit that may admit an entry. The risk list holds
// review and block hits only, so every flag counts as a review; a block
// flag at the policy's block severity or above admits at once.
type Flag struct {
	Entity   features.Entity
	Token    string
	Reason   string
	Severity int
	Block    bool // the rule's (or model's) action is block
	Source   string
	EventID  string
	At       int64 // the event's time
}

// Lift is an appeal decision that lifts an entity's entries from At on.
type Lift struct {
	Entity features.Entity
	Token  string
	At     int64
	Case   string
}

// LiftRecord is a lift the list has applied, with the version it made.
// It stays in the list: flags on the entity at or before At never count
// again (they are the evidence the appeal answered), and the same case
// folded twice makes no second version.
type LiftRecord struct {
	Lift
	Version int64
}

// List is the blacklist's whole history: every entry ever admitted, every
// lift applied, and the review flags still short of admission. Use it by
// pointer; Fold must not run concurrently with lookups.
type List struct {
	Entries []Entry
	// NextVersion is the version the next change gets; the list's own
	// version is NextVersion-1 (0: empty). A zero List starts at 1.
	NextVersion int64
	Lifts       []LiftRecord
	// Pending are review flags that have not yet admitted an entry,
	// inside the review window of Through.
	Pending []Flag
	// Through is the latest flag or lift time folded in.
	Through int64

	ix atomic.Pointer[index] // Lookup's index, rebuilt when Entries grows
	f  *folder               // the folds' per-entity state, kept between them
}

// Version is the list's version: the last change it holds.
func (l *List) Version() int64 {
	if l.NextVersion < 1 {
		return 0
	}
	return l.NextVersion - 1
}

// key is an entity of one kind.
type key struct {
	e   features.Entity
	tok string
}
