// Package features is veil's point-in-time risk feature store: for every
// scored event, features computed only from what was known strictly before
// it, over per-entity state that carries forward from day to day.
//
// One implementation serves the batch stage and online decisions: Engine
// folds events in time order, Score computes an event's row from the state
// as it stands, Apply adds the event to it.
//
// # Time
//
// An event at time t (ms since the epoch, UTC) sees events with ts < t and
// labels with known_at < t. Events with equal ts never see each other,
// whatever order they arrive in: the tie rule is "simultaneous events are
// unknown to each other", so a row never depends on input order. A window
// W covers [t-W, t).
//
// # Entities
//
// user (user_token), device (device_token), ip (ip_token), ip24 (ip_prefix,
// the /24 or /48 the policy generalises to) and card (card_token). An
// event without an entity (no device, no card) has that entity's features
// null.
//
// # Links
//
// Distinct counts (devices per user, accounts per device, ...), the
// linked cluster and the fraud links come from scored events only: the
// events that act on an account (logins, registrations, payments,
// purchases, coupon redemptions), not browsing. Counters count their
// event types; live sessions start at their first event of any type.
//
// Every feature is defined once, in Defs; `veil features` prints them.
package features

import (
	"fmt"
	"math"
)

// Window is a trailing feature window.
type Window int

const (
	W1h Window = iota
	W24h
	W7d
	W30d
	NWindows
)

// Windows' lengths in ms and their column suffixes.
var (
	WindowMS     = [NWindows]int64{3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000}
	WindowSuffix = [NWindows]string{"1h", "24h", "7d", "30d"}
)

// Horizon is the longest window: state older than this is forgotten.
const Horizon = 30 * 86_400_000

// Entity is what a feature is aggregated over.
type Entity int

const (
	User Entity = iota
	Device
	IP
	IP24
	Card
	NEntities
	OfEvent   Entity = -1 // a property of the event itself
	OfSession Entity = -2 // the event's live session
	OfCluster Entity = -3 // the user's linked cluster
)

// EntityNames are the entities' names as they prefix columns.
var EntityNames = [NEntities]string{"user", "device", "ip", "ip24", "card"}

func (e Entity) String() string {
	switch {
	case e >= 0 && e < NEntities:
		return EntityNames[e]
	case e == OfEvent:
		return "event"
	case e == OfSession:
		return "live_session"
	case e == OfCluster:
		return "cluster"
	}
	return "unknown"
}

// Count is an event type the per-entity counters count.
type Count int

const (
	Logins Count = iota
	FailedLogins
	Payments
	FailedPayments
	Purchases
	NCounts
)

// CountNames name the counters in columns; CountTypes are the event types
// they count.
var (
	CountNames = [NCounts]string{"logins", "failed_logins", "payments", "failed_payments", "purchases"}
	CountTypes = [NCounts]string{"login", "login_failed", "payment", "payment_failed", "purchase"}
)

// CountOf returns the counter an event type feeds, or -1.
func CountOf(typ string) Count {
	switch typ {
	case "login":
		return Logins
	case "login_failed":
		return FailedLogins
	case "payment":
		return Payments
	case "payment_failed":
		return FailedPayments
	case "purchase":
		return Purchases
	}
	return -1
}

// ScoredTypes are the event types that get a feature row.
var ScoredTypes = []string{"purchase", "payment", "payment_failed", "coupon_redeem", "register", "login", "login_failed"}

// IsScored reports whether events of type typ get a feature row.
func IsScored(typ string) bool {
	switch typ {
	case "purchase", "payment", "payment_failed", "coupon_redeem", "register", "login", "login_failed":
		return true
	}
	return false
}

// Links are the distinct-count relations: From's entity counts distinct
// values of To among its scored events.
var Links = [...]struct {
	From, To Entity
	Name     string // column stem
}{
	{User, Device, "user_devices"},
	{User, IP, "user_ips"},
	{User, Card, "user_cards"},
	{Device, User, "device_accounts"},
	{IP, User, "ip_accounts"},
	{IP24, User, "ip24_accounts"},
	{Card, User, "card_accounts"},
}

// Event is one events_clean row as the engine reads it. Empty strings are
// absent values.
type Event struct {
	ID   string // event_id: the tie-break of output order only
	TS   int64  // ms since the epoch, UTC
	Type string
	// Keys by entity: user, device, ip, ip24 and card tokens.
	Keys [NEntities]string
	Live string // live_session_id
	// Amount in ten-thousandths (Amount4 = round(amount*1e4)), so sums are
	// exact and do not depend on the order they were added in.
	Amount4   int64
	HasAmount bool
	Signup    int64 // signup time in ms, 0 when the feed carries none
}

// Label is a confirmed-fraud label on a user, counted from KnownAt on.
type Label struct {
	User    string
	KnownAt int64
}

// Kind is a feature's value type: Int features hold whole numbers.
type Kind int

const (
	Int Kind = iota
	Float
)

// Def defines one feature column.
type Def struct {
	Name   string
	Entity Entity
	Window string // "1h", ..., "30d", or a description of its span
	Kind   Kind
	Doc    string
}

// Row is one event's features in Defs order; NaN is null.
type Row []float64

// Null is the value of an absent feature.
var Null = math.NaN()

// IsNull reports whether v is null.
func IsNull(v float64) bool { return v != v }

// Ratio is a/b, null when b is 0. Engine and reference share it so that
// their rows agree bit for bit.
func Ratio(a, b float64) float64 {
	if b == 0 {
		return Null
	}
	return a / b
}

// Named feature indices that are not part of a generated block.
var (
	FAmount, FAccountAge, FLiveSinceStart, FLiveOrdersFirstMin int
	FUserAmountMean, FAmountVsMean, FPurchases24vs30           int
	FClusterSize, FClusterFraud                                int
	FFraudLinks                                                [NEntities]int // device, ip, card only; -1 elsewhere
)

// Block indices: FCount[e][c][w], FFailRatio[e][w], FLink[l][w].
var (
	FCount     [NEntities][NCounts][NWindows]int
	FFailRatio [NEntities][NWindows]int
	FLink      [len(Links)][NWindows]int
)

// Defs are the features in column order.
var Defs = buildDefs()

// Index maps a feature name to its position in Defs.
var Index = func() map[string]int {
	m := make(map[string]int, len(Defs))
	for i, d := range Defs {
		m[d.Name] = i
	}
	return m
}()

func buildDefs() []Def {
	var ds []Def
	add := func(d Def) int { ds = append(ds, d); return len(ds) - 1 }
	FAmount = add(Def{"amount", OfEvent, "the event", Float, "the event's own amount, null without one"})
	FAccountAge = add(Def{"account_age_s", User, "since signup", Float,
		"seconds from the account's creation to the event: the event's signup_ts when the feed carries one, else the user's earliest register event before it (kept beyond 30d); null when neither is known"})
	for e := range NEntities {
		for c := range NCounts {
			for w := range NWindows {
				FCount[e][c][w] = add(Def{
					Name: fmt.Sprintf("%s_%s_%s", EntityNames[e], CountNames[c], WindowSuffix[w]), Entity: e, Window: WindowSuffix[w], Kind: Int,
					Doc: fmt.Sprintf("%s events with the event's %s and ts in [t-%s, t)", CountTypes[c], EntityNames[e], WindowSuffix[w]),
				})
			}
		}
		for w := range NWindows {
			FFailRatio[e][w] = add(Def{
				Name: fmt.Sprintf("%s_failed_payment_ratio_%s", EntityNames[e], WindowSuffix[w]), Entity: e, Window: WindowSuffix[w], Kind: Float,
				Doc: "payment_failed / (payment + payment_failed) over the window; null when both are 0",
			})
		}
	}
	for l, lk := range Links {
		for w := range NWindows {
			FLink[l][w] = add(Def{
				Name: fmt.Sprintf("%s_%s", lk.Name, WindowSuffix[w]), Entity: lk.From, Window: WindowSuffix[w], Kind: Int,
				Doc: fmt.Sprintf("distinct %s values among scored events with the event's %s and ts in [t-%s, t)", EntityNames[lk.To], EntityNames[lk.From], WindowSuffix[w]),
			})
		}
	}
	FUserAmountMean = add(Def{"user_purchase_amount_mean_30d", User, "30d", Float,
		"mean amount of the user's purchase events with an amount in [t-30d, t); null when there are none"})
	FAmountVsMean = add(Def{"amount_vs_user_mean_30d", User, "30d", Float,
		"the event's amount / user_purchase_amount_mean_30d; null when either is null or the mean is 0"})
	FPurchases24vs30 = add(Def{"user_purchases_24h_vs_30d", User, "24h, 30d", Float,
		"user_purchases_24h / (user_purchases_30d / 30): purchase velocity against the user's own daily baseline; null when user_purchases_30d is 0"})
	FLiveSinceStart = add(Def{"live_since_start_s", OfSession, "the session", Float,
		"seconds from the live session's start (the earliest event with its live_session_id, ts < t, within 30d) to the event; null without a session or an earlier event in it"})
	FLiveOrdersFirstMin = add(Def{"live_orders_first_minute", OfSession, "first 60s of the session", Int,
		"purchase events of the live session with ts in [start, start+60s) and ts < t; null when live_since_start_s is"})
	FClusterSize = add(Def{"cluster_size", OfCluster, "[D0-30d, t)", Int,
		"accounts in the user's connected component of the graph of users, devices, IPs and cards, whose edges are (user, device), (user, ip) and (user, card) pairs of scored events with ts in [D0-30d, t), D0 being 00:00 UTC of the event's day; at least 1"})
	FClusterFraud = add(Def{"cluster_fraud_accounts", OfCluster, "[D0-30d, t)", Int,
		"accounts in that component other than the user with a fraud label known_at < t"})
	for e := range NEntities {
		FFraudLinks[e] = -1
	}
	for _, e := range []Entity{Device, IP, Card} {
		FFraudLinks[e] = add(Def{fmt.Sprintf("%s_fraud_accounts_30d", EntityNames[e]), e, "30d", Int,
			fmt.Sprintf("accounts other than the user with a fraud label known_at < t and a scored event with the event's %s in [t-30d, t)", EntityNames[e])})
	}
	return ds
}

// Day returns 00:00 UTC of the day holding t (ms).
func Day(t int64) int64 { return t - ((t%86_400_000)+86_400_000)%86_400_000 }
