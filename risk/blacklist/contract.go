// Package blacklist is veil's versioned blacklist: entries admitted from
// the risk list's flags under a policy, with provenance and expiry, lifted
// by appeals; every change is a new version and any moment can be asked.
package blacklist

import (
	"errors"

	"github.com/veil-data/veil/risk/features"
)

// CONTRACT: the lead and other helpers code against these names. The
// blacklist helper implements them (replacing this file) and keeps the
// signatures.

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

// Flag is one risk-list hit that may admit an entry.
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

// List is the blacklist's whole history: every entry ever admitted.
type List struct {
	Entries     []Entry
	NextVersion int64
}

var errStub = errors.New("blacklist: not implemented yet")

// Policy decides admission and expiry.
type Policy struct{}

// DefaultPolicy is the embedded configs/blacklist.yaml.
func DefaultPolicy() (*Policy, error) { return nil, errStub }

// ParsePolicy loads a policy file (YAML, unknown keys refused).
func ParsePolicy(b []byte) (*Policy, error) { return nil, errStub }

// Fingerprint changes whenever the policy changes.
func (p *Policy) Fingerprint() string { return "" }

// Fold applies one day's lifts and flags, in time order, to the list and
// returns the versions it created. Deterministic: the same list, flags
// and lifts give the same result whatever their input order.
func (l *List) Fold(p *Policy, runID string, flags []Flag, lifts []Lift) (changed int, err error) {
	return 0, errStub
}

// AsOf returns the entries in force at t.
func (l *List) AsOf(t int64) []Entry { return nil }

// Lookup reports the strongest entry in force at t on an entity.
func (l *List) Lookup(e features.Entity, token string, t int64) (Entry, bool) {
	return Entry{}, false
}
