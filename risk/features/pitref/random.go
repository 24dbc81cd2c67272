package pitref

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/veil-data/veil/risk/features"
)

// T0 is where RandomStream's streams start: 00:00 UTC, 2026-01-01.
const T0 int64 = 1_767_225_600_000

// Span is how long RandomStream's streams run: long enough that the 30d
// horizon passes twice and many day boundaries fall inside.
const Span int64 = 70 * day

var randomTypes = []string{
	"login", "login", "login_failed", "payment", "payment_failed", "purchase", "purchase", "purchase",
	"register", "coupon_redeem", "refund", "view", "click", "cart",
}

// offsets put a derived event at a distance from its model event that a
// rule treats specially: equal ts, the edges of each window (both sides),
// the live session's first minute and its 30d silence.
var offsets = []int64{
	0, 0, 1, -1,
	3_600_000, 3_600_000 - 1, 3_600_000 + 1,
	day, day - 1, day + 1,
	7 * day, 7*day - 1, 7*day + 1,
	month, month - 1, month + 1,
}

// RandomStream returns n adversarial events and labels for property tests
// of the engine against Compute, the same for the same seed. Few users,
// devices, IPs and cards, all tokens drawn from one pool ("k3" may be a user
// and a device), so links and clusters collide and namespaces must be kept
// apart; many events copy another's keys at an offset that lands exactly on
// (or 1 ms beside) a window edge, at equal ts, at 00:00 UTC or 30 days after
// a midnight; keys are missing at random; events carry signup times, some
// after the event; live sessions get purchases in their first minute and
// silences of more than 30d; labels fall on event times. Events span about
// 70 days from T0 and come sorted by ts, ties in no particular order (their
// ids are not in ts order). Amounts are Amount4 ints, some zero.
func RandomStream(seed uint64, n int) ([]features.Event, []features.Label) {
	g := &gen{
		r:      rand.New(rand.NewPCG(seed, 0x7069747265662121)),
		users:  6 + n/60,
		things: 4 + n/150,
		cards:  3 + n/200,
		lives:  2 + n/400,
	}
	// Each live session airs a few shows, some more than 30d apart, so
	// sessions restart; its events crowd into a show's first minutes.
	g.shows = make([][]int64, g.lives)
	for i := range g.shows {
		for at := T0 + g.r.Int64N(5*day); at < T0+Span; {
			g.shows[i] = append(g.shows[i], at)
			if g.r.IntN(2) == 0 {
				at += 1 + g.r.Int64N(10*day)
			} else {
				at += month + g.r.Int64N(10*day) // a restart, but for the rare exact 30d
			}
		}
	}
	g.signup = make([]int64, g.users)
	for i := range g.signup {
		g.signup[i] = T0 - 10*day + g.r.Int64N(60*day)
	}
	evs := make([]features.Event, 0, n)
	for i := range n {
		var ev features.Event
		if len(evs) > 0 && g.r.IntN(10) < 7 {
			ev = g.derived(evs[g.r.IntN(len(evs))])
		} else {
			ev = g.fresh()
		}
		ev.ID = fmt.Sprintf("ev%06d", i)
		g.finish(&ev)
		evs = append(evs, ev)
	}
	slices.SortStableFunc(evs, func(a, b features.Event) int {
		switch {
		case a.TS < b.TS:
			return -1
		case a.TS > b.TS:
			return 1
		}
		return 0
	})
	return evs, g.labels(evs)
}

type gen struct {
	r                           *rand.Rand
	users, things, cards, lives int
	signup                      []int64   // per user index
	shows                       [][]int64 // per live session, start times
}

func (g *gen) pick(k int) string { return fmt.Sprintf("k%d", g.r.IntN(k)) }

// key draws a token for ent, empty with the given odds in 100.
func (g *gen) key(ent features.Entity, emptyPct int) string {
	if g.r.IntN(100) < emptyPct {
		return ""
	}
	switch ent {
	case features.User:
		return g.pick(g.users)
	case features.Card:
		return g.pick(g.cards)
	}
	return g.pick(g.things)
}

func (g *gen) fresh() features.Event {
	ev := features.Event{TS: T0 + g.r.Int64N(Span), Type: randomTypes[g.r.IntN(len(randomTypes))]}
	ev.Keys[features.User] = g.key(features.User, 5)
	ev.Keys[features.Device] = g.key(features.Device, 15)
	ev.Keys[features.IP] = g.key(features.IP, 10)
	ev.Keys[features.Card] = g.key(features.Card, 40)
	if g.r.IntN(5) == 0 {
		i := g.r.IntN(g.lives)
		show := g.shows[i][g.r.IntN(len(g.shows[i]))]
		ev.Live, ev.TS = fmt.Sprintf("live%d", i), show
		switch g.r.IntN(4) {
		case 0: // the show's start itself
		case 1, 2:
			ev.TS += g.r.Int64N(61_000)
			ev.Type = "purchase"
		default:
			ev.TS += g.r.Int64N(2 * 3_600_000)
		}
	}
	return ev
}

// derived copies most of m's keys and places the copy at a special
// distance from it, before or after, keeping it inside the span.
func (g *gen) derived(m features.Event) features.Event {
	ev := g.fresh()
	for ent := range features.NEntities {
		if g.r.IntN(4) != 0 {
			ev.Keys[ent] = m.Keys[ent]
		}
	}
	// A copy joins m's live session only in its first minute or 30d
	// (+-1 ms) away, so that sessions keep their silences.
	ev.Live = ""
	var ts int64
	switch k := g.r.IntN(20); {
	case k < 2: // midnight of m's day, or the last ms before it
		ts = features.Day(m.TS) - int64(k)
	case k < 4: // the day 30 days on, whose graph span starts at m's midnight
		ts = features.Day(m.TS) + month
		if k == 3 {
			ts += g.r.Int64N(day)
		}
	case k < 7: // m's live session's first minute
		ts = m.TS + g.r.Int64N(70_000)
		if m.Live != "" {
			ev.Live, ev.Type = m.Live, "purchase"
		}
	default:
		off := offsets[g.r.IntN(len(offsets))]
		ts = m.TS + off
		if off >= month-1 && g.r.IntN(2) == 0 {
			ev.Live = m.Live
		}
	}
	if ts >= T0+Span {
		ts = m.TS - (ts - m.TS)
	}
	ev.TS = ts
	return ev
}

// finish sets what depends on the final type and keys: the /24 prefix,
// the amount and the feed's signup time.
func (g *gen) finish(ev *features.Event) {
	// ip24 usually follows the IP (three IPs to a prefix), sometimes not, as
	// when a policy generalises an address it could not parse.
	if ip := ev.Keys[features.IP]; ip != "" && g.r.IntN(10) != 0 {
		var i int
		fmt.Sscanf(ip, "k%d", &i)
		ev.Keys[features.IP24] = fmt.Sprintf("k%d", i/3)
	} else {
		ev.Keys[features.IP24] = g.key(features.IP24, 50)
	}
	switch ev.Type {
	case "purchase", "payment", "payment_failed", "refund", "coupon_redeem":
		if g.r.IntN(100) < 85 {
			ev.HasAmount = true
			if g.r.IntN(10) != 0 {
				ev.Amount4 = 1 + g.r.Int64N(5_000_000)
			}
		}
	default:
		if g.r.IntN(10) != 0 {
			ev.Keys[features.Card] = ""
		}
	}
	if u := ev.Keys[features.User]; u != "" && g.r.IntN(4) == 0 {
		var i int
		fmt.Sscanf(u, "k%d", &i)
		ev.Signup = g.signup[i]
	}
}

// labels labels about a third of the users, at the time of some event (so
// labels tie with events) or at random, some users twice.
func (g *gen) labels(evs []features.Event) []features.Label {
	var ls []features.Label
	for i := range g.users {
		if g.r.IntN(3) != 0 {
			continue
		}
		for range 1 + g.r.IntN(2) {
			at := T0 + g.r.Int64N(Span)
			if len(evs) > 0 && g.r.IntN(2) == 0 {
				at = evs[g.r.IntN(len(evs))].TS
			}
			ls = append(ls, features.Label{User: fmt.Sprintf("k%d", i), KnownAt: at})
		}
	}
	return ls
}
