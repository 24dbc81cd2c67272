package serve

import (
	"context"
	"fmt"
	"sync"

	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/features"
)

// Enforcement keeps the blacklist moving between checkpoints as the batch
// risk list moves it within a day: each decision's flags are folded in
// under the policy right after the decision, and appeal lifts from the
// decision log are folded in as they are decided, so a lifted entity
// passes from then on. List must be the blacklist Decider reads.
//
// What the service admits is not persisted: the next risk-list run
// decides the same events and commits the same entries; the batch is the
// record.
type Enforcement struct {
	List   *blacklist.List
	Policy *blacklist.Policy
	// Flags turns a decision into blacklist flags; (*decide.Decider).Flags.
	Flags func(*features.Event, decide.Decision) []blacklist.Flag
	// Lifts returns the appeal lifts decided up to asOf (ms); nil: none.
	// A log that fails verification is an error, and no lift is taken.
	Lifts func(ctx context.Context, asOf int64) ([]blacklist.Lift, error)
}

// enforcer serialises folds against decisions: Decide reads the list
// under the read lock, a fold takes the write lock.
type enforcer struct {
	cfg    *Enforcement
	prov   string
	mu     sync.RWMutex
	last   int64 // the latest time folded: folds go forward in time
	lifted int   // lifts folded so far
}

func newEnforcer(cfg *Enforcement, runID string) (*enforcer, error) {
	if cfg == nil {
		return nil, nil
	}
	if cfg.List == nil || cfg.Policy == nil || cfg.Flags == nil {
		return nil, fmt.Errorf("serve: enforcement needs the blacklist, its policy and a flag maker")
	}
	return &enforcer{cfg: cfg, prov: "serve/" + runID}, nil
}

// decide runs d under the read lock and folds the decision's flags.
func (en *enforcer) decide(d Decider, in decide.Input) (decide.Decision, error) {
	if en == nil {
		return d.Decide(in)
	}
	en.mu.RLock()
	dec, err := d.Decide(in)
	en.mu.RUnlock()
	if err != nil {
		return dec, err
	}
	flags := en.cfg.Flags(in.Event, dec)
	if len(flags) == 0 {
		return dec, nil
	}
	en.mu.Lock()
	defer en.mu.Unlock()
	for i := range flags {
		// A late event's flags count from the list's time, never before
		// what was folded already.
		flags[i].At = max(flags[i].At, en.last)
		en.last = flags[i].At
	}
	if _, err := en.cfg.List.FoldEvent(en.cfg.Policy, en.prov, flags, nil); err != nil {
		return dec, fmt.Errorf("serve: blacklist: %w", err)
	}
	return dec, nil
}

// refresh folds the lifts decided up to now (ms) that are new.
func (en *enforcer) refresh(ctx context.Context, now int64) error {
	if en == nil {
		return nil
	}
	// Review flags that fell out of the window are dropped once a tick
	// rather than on every fold.
	en.mu.Lock()
	en.cfg.List.Settle()
	en.mu.Unlock()
	if en.cfg.Lifts == nil {
		return nil
	}
	lifts, err := en.cfg.Lifts(ctx, now)
	if err != nil {
		return fmt.Errorf("serve: appeal lifts: %w", err)
	}
	en.mu.Lock()
	defer en.mu.Unlock()
	if len(lifts) == en.lifted {
		return nil
	}
	// The list skips lifts it holds already.
	if _, err := en.cfg.List.Fold(en.cfg.Policy, en.prov, nil, lifts); err != nil {
		return fmt.Errorf("serve: blacklist: %w", err)
	}
	en.lifted = len(lifts)
	for _, l := range lifts {
		en.last = max(en.last, l.At)
	}
	return nil
}

// version is the blacklist's version, for /healthz.
func (en *enforcer) version() int64 {
	if en == nil {
		return 0
	}
	en.mu.RLock()
	defer en.mu.RUnlock()
	return en.cfg.List.Version()
}
