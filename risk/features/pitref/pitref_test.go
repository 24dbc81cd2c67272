package pitref

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/veil-data/veil/risk/features"
)

const (
	hour = 3_600_000
	now  = T0 + 40*day + 12*hour // noon, so Day(now)-30d is 30.5 days before now
)

var nan = math.NaN()

// ev builds an event; keys are user, device, ip, card (ip24 left empty).
func ev(id string, ts int64, typ, user, device, ip, card string) features.Event {
	e := features.Event{ID: id, TS: ts, Type: typ}
	e.Keys[features.User], e.Keys[features.Device], e.Keys[features.IP], e.Keys[features.Card] = user, device, ip, card
	return e
}

func lab(user string, knownAt int64) features.Label {
	return features.Label{User: user, KnownAt: knownAt}
}

func withAmount(e features.Event, a4 int64) features.Event {
	e.Amount4, e.HasAmount = a4, true
	return e
}

func withSignup(e features.Event, at int64) features.Event {
	e.Signup = at
	return e
}

func withLive(e features.Event, live string) features.Event {
	e.Live = live
	return e
}

type handCase struct {
	name   string
	hist   []features.Event
	labels []features.Label
	e      features.Event
	want   map[string]float64 // NaN: null
}

var handCases = []handCase{
	{
		name: "counts and windows",
		hist: []features.Event{
			ev("a", now-hour, "login", "u1", "", "", ""),    // 1h edge: in
			ev("b", now-hour-1, "login", "u1", "", "", ""),  // just out of 1h
			ev("c", now-month, "login", "u1", "", "", ""),   // 30d edge: in
			ev("d", now-month-1, "login", "u1", "", "", ""), // out of every window
			ev("e", now-2*hour, "payment_failed", "u1", "d1", "", ""),
			ev("f", now-7*day, "payment", "u1", "", "", ""), // 7d edge: in
			ev("g", now-8*day, "payment", "u1", "", "", ""),
			ev("h", now-3*hour, "view", "u1", "", "", ""),  // counted by no counter
			ev("i", now-hour, "login", "u2", "d1", "", ""), // another user, same device
		},
		e: ev("e0", now, "purchase", "u1", "d1", "", ""),
		want: map[string]float64{
			"user_logins_1h": 1, "user_logins_24h": 2, "user_logins_7d": 2, "user_logins_30d": 3,
			"user_payments_7d": 1, "user_payments_30d": 2, "user_failed_payments_24h": 1,
			"user_failed_payment_ratio_1h": nan, "user_failed_payment_ratio_24h": 1,
			"user_failed_payment_ratio_7d": 0.5, "user_failed_payment_ratio_30d": 1.0 / 3,
			"device_logins_1h": 1, "device_failed_payments_24h": 1, "device_purchases_30d": 0,
			"ip_logins_1h": nan, "ip24_logins_30d": nan, "card_failed_payment_ratio_30d": nan,
		},
	},
	{
		name: "links",
		hist: []features.Event{
			ev("a", now-hour/2, "coupon_redeem", "u1", "d1", "i1", ""),
			ev("b", now-2*hour, "coupon_redeem", "u1", "d2", "i1", "c1"),
			ev("c", now-hour/6, "login", "u1", "", "", ""),   // no device: not a value
			ev("d", now-2*day, "cart", "u1", "d3", "i2", ""), // browsing: links nothing
			ev("e", now-3*hour, "login", "u2", "d1", "", ""),
			ev("f", now-hour, "login", "", "d1", "", ""), // no user: not an account
			ev("g", now-40*day, "login", "u3", "d1", "", ""),
		},
		e: ev("e0", now, "login", "u1", "d1", "", ""),
		want: map[string]float64{
			"user_devices_1h": 1, "user_devices_24h": 2, "user_devices_7d": 2, "user_devices_30d": 2,
			"user_ips_1h": 1, "user_ips_30d": 1, "user_cards_1h": 0, "user_cards_24h": 1,
			"device_accounts_1h": 1, "device_accounts_24h": 2, "device_accounts_30d": 2,
			"ip_accounts_30d": nan, "card_accounts_1h": nan,
		},
	},
	{
		name: "amounts",
		hist: []features.Event{
			withAmount(ev("a", now-day-1, "purchase", "u1", "", "", ""), 100_000),
			withAmount(ev("b", now-hour, "purchase", "u1", "", "", ""), 300_000),
			ev("c", now-2*hour, "purchase", "u1", "", "", ""), // no amount: counted, not averaged
			withAmount(ev("d", now-31*day, "purchase", "u1", "", "", ""), 999),
			withAmount(ev("e", now-hour, "payment", "u1", "", "", ""), 7),
		},
		e: withAmount(ev("e0", now, "purchase", "u1", "", "", ""), 250_000),
		want: map[string]float64{
			"amount": 25, "user_purchase_amount_mean_30d": 20, "amount_vs_user_mean_30d": 1.25,
			"user_purchases_24h_vs_30d": features.Ratio(2, float64(3)/30),
		},
	},
	{
		name: "amounts null and zero mean",
		hist: []features.Event{
			withAmount(ev("a", now-hour, "purchase", "u1", "", "", ""), 0),
		},
		e: withAmount(ev("e0", now, "purchase", "u1", "", "", ""), 10),
		want: map[string]float64{
			"amount": 0.001, "user_purchase_amount_mean_30d": 0, "amount_vs_user_mean_30d": nan,
			"user_purchases_24h_vs_30d": features.Ratio(1, float64(1)/30),
		},
	},
	{
		name: "no amount, no purchases",
		e:    ev("e0", now, "login", "u1", "", "", ""),
		want: map[string]float64{
			"amount": nan, "user_purchase_amount_mean_30d": nan, "amount_vs_user_mean_30d": nan,
			"user_purchases_24h_vs_30d": nan,
		},
	},
	{
		name: "account age from register",
		hist: []features.Event{
			ev("a", now-10*day, "register", "u1", "", "", ""),
			ev("b", now-40*day, "register", "u1", "", "", ""), // beyond 30d, still the earliest
			ev("c", now-50*day, "register", "u2", "", "", ""),
		},
		e:    ev("e0", now, "login", "u1", "", "", ""),
		want: map[string]float64{"account_age_s": 40 * 86_400},
	},
	{
		name: "account age unknown",
		hist: []features.Event{ev("a", now, "register", "u1", "", "", "")},
		e:    ev("e0", now, "register", "u1", "", "", ""),
		want: map[string]float64{"account_age_s": nan, "cluster_size": 1, "cluster_fraud_accounts": 0},
	},
	{
		name: "account age from signup, before register",
		hist: []features.Event{ev("a", now-10*day, "register", "u1", "", "", "")},
		e:    withSignup(ev("e0", now, "login", "u1", "", "", ""), now-1500),
		want: map[string]float64{"account_age_s": 1.5},
	},
	{
		name: "account age without a user",
		hist: []features.Event{ev("a", now-10*day, "register", "", "", "", "")},
		e:    withSignup(ev("e0", now, "login", "", "d1", "", ""), now-1500),
		want: map[string]float64{"account_age_s": nan, "user_logins_1h": nan, "user_devices_30d": nan, "device_accounts_1h": 0},
	},
	{
		name: "live session restarts after a 30d silence",
		hist: []features.Event{
			withLive(ev("a", now-100*day, "view", "u1", "", "", ""), "L"),
			withLive(ev("b", now-100*day+10_000, "purchase", "u2", "", "", ""), "L"),
			withLive(ev("c", now-65*day, "view", "u3", "", "", ""), "L"), // 35d silence: starts again
			withLive(ev("d", now-65*day+30_000, "purchase", "u4", "", "", ""), "L"),
			withLive(ev("e", now-65*day+60_000, "purchase", "u5", "", "", ""), "L"), // first minute is [start, start+60s)
			withLive(ev("f", now-40*day, "view", "", "", "", ""), "L"),
			withLive(ev("g", now-10*day, "view", "u1", "", "", ""), "L"), // 30d silence exactly: same session
			withLive(ev("h", now-65*day, "purchase", "u6", "", "", ""), "M"),
		},
		e:    withLive(ev("e0", now, "purchase", "u9", "", "", ""), "L"),
		want: map[string]float64{"live_since_start_s": 65 * 86_400, "live_orders_first_minute": 1},
	},
	{
		name: "live session over",
		hist: []features.Event{withLive(ev("a", now-month-1, "purchase", "u1", "", "", ""), "L")},
		e:    withLive(ev("e0", now, "purchase", "u9", "", "", ""), "L"),
		want: map[string]float64{"live_since_start_s": nan, "live_orders_first_minute": nan},
	},
	{
		name: "live session 30d ago exactly, own tie unseen",
		hist: []features.Event{
			withLive(ev("a", now-month, "purchase", "u1", "", "", ""), "L"),
			withLive(ev("b", now, "purchase", "u2", "", "", ""), "L"),
		},
		e:    withLive(ev("e0", now, "purchase", "u9", "", "", ""), "L"),
		want: map[string]float64{"live_since_start_s": 30 * 86_400, "live_orders_first_minute": 1},
	},
	{
		name: "no live session",
		hist: []features.Event{withLive(ev("a", now-hour, "purchase", "u1", "", "", ""), "L")},
		e:    ev("e0", now, "purchase", "u1", "", "", ""),
		want: map[string]float64{"live_since_start_s": nan, "live_orders_first_minute": nan},
	},
	{
		name: "cluster",
		hist: []features.Event{
			ev("a", now-hour, "coupon_redeem", "u1", "d1", "", ""),
			ev("b", now-2*hour, "coupon_redeem", "u2", "d1", "", ""),
			ev("c", features.Day(now)-month, "payment", "u2", "", "", "c1"), // graph span edge: in
			ev("d", features.Day(now)-month, "payment", "u3", "", "", "c1"),
			ev("e", features.Day(now)-month-1, "login", "u3", "", "i1", ""), // just out
			ev("f", now-hour, "login", "u4", "", "i1", ""),
			ev("g", now-hour, "login", "u5", "u1", "", ""), // a device named like a user: another node
			ev("h", now-hour, "login", "", "d1", "i9", ""), // no user: no edge
			ev("i", now-hour, "login", "u7", "", "i9", ""),
			ev("j", now, "login", "u6", "d1", "", ""), // tie: unseen
			ev("k", now+1, "login", "u8", "d1", "", ""),
		},
		labels: []features.Label{lab("u2", now-1), lab("u3", now), lab("u1", now-day), lab("u5", now-day)},
		e:      ev("e0", now, "login", "u1", "", "", ""),
		want: map[string]float64{
			"cluster_size": 3, "cluster_fraud_accounts": 1,
		},
	},
	{
		name: "cluster without a user",
		e:    ev("e0", now, "login", "", "d1", "", ""),
		want: map[string]float64{"cluster_size": nan, "cluster_fraud_accounts": nan},
	},
	{
		name: "fraud links",
		hist: []features.Event{
			ev("a", now-hour, "coupon_redeem", "u2", "d1", "", ""),
			ev("b", now-hour, "coupon_redeem", "u3", "d1", "", ""),
			ev("c", now-hour, "coupon_redeem", "u1", "d1", "", ""),
			ev("d", now-month-1, "coupon_redeem", "u4", "d1", "", ""),
			ev("e", now-month, "coupon_redeem", "u5", "d1", "", "c1"),
			ev("f", now-hour, "coupon_redeem", "u2", "d2", "", ""),
		},
		labels: []features.Label{lab("u2", now-5*day), lab("u3", now), lab("u1", now-day), lab("u4", now-day), lab("u5", now-1), lab("u5", now+day)},
		e:      ev("e0", now, "login", "u1", "d1", "", "c2"),
		want: map[string]float64{
			"device_fraud_accounts_30d": 2, "ip_fraud_accounts_30d": nan, "card_fraud_accounts_30d": 0,
			"cluster_size": 5, "cluster_fraud_accounts": 3,
		},
	},
}

func TestComputeHandCases(t *testing.T) {
	for _, c := range handCases {
		t.Run(c.name, func(t *testing.T) {
			row := Compute(c.hist, c.labels, c.e)
			if len(row) != len(features.Defs) {
				t.Fatalf("row has %d values, Defs %d", len(row), len(features.Defs))
			}
			for name, want := range c.want {
				i, ok := features.Index[name]
				if !ok {
					t.Fatalf("no feature %q", name)
				}
				if !Same(row[i], want) {
					t.Errorf("%s = %v, want %v", name, row[i], want)
				}
			}
		})
	}
}

// future plants, for every entity e has and every event type, events at e's
// own ts and after it, and labels at and after it.
func future(e features.Event) ([]features.Event, []features.Label) {
	var evs []features.Event
	var ls []features.Label
	for _, dt := range []int64{0, 1, hour, 40 * day} {
		for _, typ := range []string{"login", "login_failed", "payment", "payment_failed", "purchase", "register", "view"} {
			f := e
			f.ID, f.TS, f.Type = "future", e.TS+dt, typ
			f.Amount4, f.HasAmount = 1_000_000, true
			evs = append(evs, f)
			g := f
			g.Keys[features.User] = "planted-user" // links a new account to every key
			evs = append(evs, g)
		}
		ls = append(ls, features.Label{User: e.Keys[features.User], KnownAt: e.TS + dt}, features.Label{User: "planted-user", KnownAt: e.TS + dt})
	}
	return evs, ls
}

func TestFutureEventsChangeNothing(t *testing.T) {
	check := func(name string, hist []features.Event, labels []features.Label, e features.Event) {
		t.Helper()
		want := Compute(hist, labels, e)
		fe, fl := future(e)
		got := Compute(append(append([]features.Event(nil), fe...), hist...), append(fl, labels...), e)
		for _, m := range Diff(e.ID, got, want) {
			t.Errorf("%s: a planted future event changed %v", name, m)
		}
	}
	for _, c := range handCases {
		check(c.name, c.hist, c.labels, c.e)
	}
	hist, labels := RandomStream(7, 600)
	for i := 0; i < len(hist); i += 7 {
		check("random", hist, labels, hist[i])
	}
}

func TestComputeIgnoresOrder(t *testing.T) {
	hist, labels := RandomStream(11, 500)
	shuffled := append([]features.Event(nil), hist...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for i := 0; i < len(hist); i += 5 {
		if ms := Diff(hist[i].ID, Compute(shuffled, labels, hist[i]), Compute(hist, labels, hist[i])); len(ms) > 0 {
			t.Fatalf("history order changed %v", ms[0])
		}
	}
}

func TestSame(t *testing.T) {
	tenth := 0.1 // a variable, so that 0.1+0.2 is float64 arithmetic, not an exact constant
	for _, c := range []struct {
		a, b float64
		want bool
	}{
		{nan, nan, true}, {nan, 0, false}, {0, nan, false}, {1, 1, true},
		{tenth + 0.2, 0.3, false}, {0, math.Copysign(0, -1), false}, {math.Inf(1), math.Inf(1), true},
	} {
		if got := Same(c.a, c.b); got != c.want {
			t.Errorf("Same(%v, %v) = %v", c.a, c.b, got)
		}
	}
}
