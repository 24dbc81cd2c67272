package synth

import (
	"sort"
)

// Marketing-consent requests (the optouts feed). A consumer whose profile
// says they will refuse personalised marketing opts out at the end of one
// of their sessions, not necessarily the first, so some had been active on
// earlier days. A share withdraw the opt-out in a session on a later day,
// and a share of those opt out again later still. Everyone keeps browsing
// and buying whatever their state: only marketing must stop. A consumer
// makes at most one request a day, so the state at the end of a day is
// the day's last request; truth/optouts.jsonl records it per day.
const (
	optOutPerSession   = 0.35 // chance a session of a willing consumer ends with an opt-out
	explicitOptOut     = 0.3  // share of opt-outs that spell out "action":"opt_out"
	withdrawShare      = 0.25 // share of opt-outs withdrawn on a later day
	withdrawPerSession = 0.5  // chance a later session carries the withdrawal
	reOptOutShare      = 0.3  // share of withdrawals followed by a new opt-out
)

// consentState is one consumer's consent across days.
type consentState struct {
	userID   string
	optedOut bool
	since    int64 // the request that set the state
	day      int   // day of the last request
	withdraw bool  // the opt-out will be withdrawn on a later day
	again    bool  // the withdrawal will be followed by a new opt-out
}

type optoutRec struct {
	userID   string
	ts       int64
	withdraw bool
	explicit bool // an opt-out that names its action
}

// consentRequest decides whether the session of user idx that ended at end
// carries a consent request, and records it.
func (g *dayGen) consentRequest(idx int, userID string, end int64) {
	w, r := g.w, g.ro
	c := w.consent[idx]
	withdraw := false
	switch {
	case c == nil:
		if !r.chance(optOutPerSession) {
			return
		}
		c = &consentState{userID: userID}
		w.consent[idx] = c
	case c.day == g.d:
		return
	case c.optedOut && c.withdraw:
		if !r.chance(withdrawPerSession) {
			return
		}
		withdraw = true
	case !c.optedOut && c.again:
		if !r.chance(optOutPerSession) {
			return
		}
	default:
		return
	}
	rec := optoutRec{userID: userID, ts: min(end+r.msBetween(5, 120), g.end-1), withdraw: withdraw}
	if withdraw {
		c.again = r.chance(reOptOutShare)
	} else {
		rec.explicit = r.chance(explicitOptOut)
		c.withdraw = r.chance(withdrawShare)
	}
	c.optedOut, c.since, c.day = !withdraw, rec.ts, g.d
	g.optouts = append(g.optouts, rec)
}

func (g *dayGen) optoutLines(out *sink) {
	os := g.optouts
	sort.Slice(os, func(i, j int) bool {
		if os[i].ts != os[j].ts {
			return os[i].ts < os[j].ts
		}
		return os[i].userID < os[j].userID
	})
	var b []byte
	for _, o := range os {
		b = append(b[:0], `{"user_id":"`...)
		b = append(b, o.userID...)
		b = append(b, `","ts":"`...)
		b = appendTS(b, o.ts)
		b = append(b, `","scope":"marketing"`...)
		switch {
		case o.withdraw:
			b = append(b, `,"action":"withdraw"`...)
			g.stats.Withdrawals++
		case o.explicit:
			b = append(b, `,"action":"opt_out"`...)
		}
		b = append(b, '}')
		out.line(b)
	}
	g.stats.OptOuts = len(os)
}

// consentTruth writes, for day dt, every consumer who has made a request
// so far with their state at the end of the day, by user id.
func (gen *generator) consentTruth(dt string) {
	cs := make([]*consentState, 0, len(gen.w.consent))
	for _, c := range gen.w.consent {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].userID < cs[j].userID })
	var b []byte
	for _, c := range cs {
		b = append(b[:0], `{"dt":"`...)
		b = append(b, dt...)
		b = append(b, `","user_id":"`...)
		b = append(b, c.userID...)
		b = append(b, `","opted_out":`...)
		if c.optedOut {
			b = append(b, "true"...)
		} else {
			b = append(b, "false"...)
		}
		b = append(b, `,"since":"`...)
		b = appendTS(b, c.since)
		b = append(b, `"}`...)
		gen.truth.optouts.line(b)
	}
}
