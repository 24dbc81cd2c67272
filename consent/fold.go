// Package consent owns the opt-out registry: how the day's consent
// requests fold into it (Fold, used by the optouts stage) and how readers
// load it (Load, Latest) to keep consumers who refused personalised
// marketing (PIPL art. 24) out of everything a merchant receives.
//
// The registry is keyed by user_token, the reversible token of user_id in
// the field domain "user_id": the same token events_clean and chats_clean
// carry for the same consumer, under the same keys (compare KeyIDs).
package consent

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/veil-data/veil/schemas"
)

// Action is what a consent request asks for.
type Action string

const (
	// OptOut refuses personalised marketing.
	OptOut Action = schemas.ActionOptOut
	// Withdraw withdraws an earlier opt-out.
	Withdraw Action = schemas.ActionWithdraw
)

// Change is one accepted request of the opt-outs feed.
type Change struct {
	UserToken string
	TS        time.Time
	Action    Action
}

// Entry is one consumer's state in the registry.
type Entry struct {
	UserToken string
	OptedOut  bool
	// Since is when the current state took effect: the request that set
	// it, or, for a consumer who never opted out, their first request.
	Since time.Time
	// FirstOptOut is the consumer's first opt-out; zero if none.
	FirstOptOut time.Time
	// Changes counts state changes; a request that changed nothing (a
	// repeated opt-out, a withdrawal with nothing to withdraw) does not
	// count.
	Changes int64
}

// FoldStats counts what one Fold did; the optouts stage records it in the
// registry's manifest.
type FoldStats struct {
	Carried     int `json:"carried"`      // entries of the previous registry
	Requests    int `json:"requests"`     // changes folded in
	NewOptOuts  int `json:"new_opt_outs"` // requests that opted a consumer out
	Withdrawals int `json:"withdrawals"`  // requests that withdrew an opt-out
	Unchanged   int `json:"unchanged"`    // requests that changed nothing
	Consumers   int `json:"consumers"`    // entries after the fold
	OptedOut    int `json:"opted_out"`    // of them, opted out
}

// rank orders actions at equal times: a withdrawal is applied before an
// opt-out, so the opt-out is the last word and privacy wins the tie.
func rank(a Action) int {
	if a == Withdraw {
		return 0
	}
	return 1
}

// Compare is the fold order of two changes: time, then withdraw before
// opt_out, then token (which only makes the order total; different
// consumers do not affect each other). The optouts stage writes
// optouts_clean in this order, so a reader re-folding it gets the
// registry's answer.
func Compare(a, b Change) int {
	if c := a.TS.Compare(b.TS); c != 0 {
		return c
	}
	if c := cmp.Compare(rank(a.Action), rank(b.Action)); c != 0 {
		return c
	}
	return cmp.Compare(a.UserToken, b.UserToken)
}

// Fold applies changes, in fold order (see Compare), to prev, the
// registry as of the end of the previous day, and returns the new
// registry sorted by token. Neither input is modified. An unknown action
// or a token twice in prev is an error: a registry the fold cannot trust
// must not be committed.
func Fold(prev []Entry, changes []Change) ([]Entry, FoldStats, error) {
	st := FoldStats{Carried: len(prev), Requests: len(changes)}
	out := make([]Entry, len(prev), len(prev)+len(changes))
	copy(out, prev)
	at := make(map[string]int, len(prev)+len(changes))
	for i, e := range out {
		if _, dup := at[e.UserToken]; dup {
			return nil, st, fmt.Errorf("consent: previous registry lists a consumer twice (row %d)", i)
		}
		at[e.UserToken] = i
	}
	cs := slices.Clone(changes)
	slices.SortStableFunc(cs, Compare)
	for i, c := range cs {
		if c.Action != OptOut && c.Action != Withdraw {
			return nil, st, fmt.Errorf("consent: change %d: unknown action %q", i, c.Action)
		}
		k, ok := at[c.UserToken]
		if !ok {
			k = len(out)
			at[c.UserToken] = k
			out = append(out, Entry{UserToken: c.UserToken, Since: c.TS})
		}
		e := &out[k]
		switch {
		case c.Action == OptOut && !e.OptedOut:
			e.OptedOut, e.Since = true, c.TS
			e.Changes++
			if e.FirstOptOut.IsZero() {
				e.FirstOptOut = c.TS
			}
			st.NewOptOuts++
		case c.Action == Withdraw && e.OptedOut:
			e.OptedOut, e.Since = false, c.TS
			e.Changes++
			st.Withdrawals++
		default:
			st.Unchanged++
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.UserToken, b.UserToken) })
	st.Consumers = len(out)
	for _, e := range out {
		if e.OptedOut {
			st.OptedOut++
		}
	}
	return out, st, nil
}
