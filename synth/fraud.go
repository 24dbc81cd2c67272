package synth

import (
	"fmt"
	"strconv"
	"strings"
)

// Fraud pattern names, as written to the ground truth.
const (
	PatternCouponRing   = "coupon_abuse_ring"
	PatternCredStuffing = "credential_stuffing"
	PatternCardTesting  = "card_testing"
	PatternLiveBots     = "live_session_bots"
)

// fraudInstance is one injected fraud case, as written to
// truth/ground_truth.jsonl.
type fraudInstance struct {
	Pattern             string   `json:"pattern"`
	InstanceID          string   `json:"instance_id"`
	Dt                  string   `json:"dt"`
	WindowStart         string   `json:"window_start"`
	WindowEnd           string   `json:"window_end"`
	UserIDs             []string `json:"user_ids"`
	CompromisedUserIDs  []string `json:"compromised_user_ids,omitempty"`
	DeviceIDs           []string `json:"device_ids"`
	IPs                 []string `json:"ips"`
	Cards               []string `json:"cards,omitempty"`
	MerchantIDs         []string `json:"merchant_ids,omitempty"`
	CouponIDs           []string `json:"coupon_ids,omitempty"`
	LiveSessionID       string   `json:"live_session_id,omitempty"`
	Events              int      `json:"events"`
	LabelledUserIDs     []string `json:"labelled_user_ids"`
	PendingLabelUserIDs []string `json:"pending_label_user_ids,omitempty"`

	from, to int64
	accounts []int // fraudster accounts: label candidates
	victims  []int // innocent accounts the rules will flag: appeal candidates
}

// planFraud injects the day's fraud into the heap and returns how many
// events it pushed. Fraud takes at most an eighth of the day's lines; a
// pattern that does not fit is shrunk, then skipped.
func (g *dayGen) planFraud() int {
	r := newRNG(key(g.w.seed, tagFraud, uint64(g.d)))
	left := g.n / 8
	used := 0
	rounds := 1 + g.n/1_500_000
	next := 0 // fraud account counter for the day
	for round := 0; round < rounds; round++ {
		for _, plan := range []func(*rng, int, *int) *fraudInstance{
			g.liveBots, g.cardTesting, g.couponRing, g.credStuffing,
		} {
			inst := plan(r, left-used, &next)
			if inst == nil {
				continue
			}
			inst.InstanceID = fmt.Sprintf("fr-%s-%02d", strings.ReplaceAll(g.date, "-", ""), len(g.fraud)+1)
			inst.Dt = g.date
			inst.WindowStart, inst.WindowEnd = tsString(inst.from), tsString(inst.to)
			used += inst.Events
			g.fraud = append(g.fraud, inst)
		}
	}
	return used
}

// fraudProfile derives a throwaway account: a fresh identity with a
// virtual-operator phone number and a random mailbox.
func (g *dayGen) fraudProfile(r *rng, next *int, p *profile) {
	idx := fraudIndex(g.d, *next)
	*next++
	g.w.profile(idx, p)
	p.ctry = &countries[0]
	p.cn = true
	p.phoneNSN, p.phone = phoneNumber(r, "CN", cnVirtualPrefixes)
	p.email = lowerAlnum(r, r.between(6, 10)) + "@" + pick(r, []string{"163.com", "qq.com", "126.com", "sina.com"})
	p.address = cnAddress(r, pick(r, cnRegions), strconv.Itoa(r.between(1, 500)))
}

func (g *dayGen) fraudEvent(inst *fraudInstance, k evType, ts int64, p *profile, dev, ip string) *event {
	e := g.newEvent(k, ts, p, dev, ip, false)
	inst.Events++
	inst.from = min(inst.from, ts)
	inst.to = max(inst.to, ts)
	return e
}

func newInstance(pattern string) *fraudInstance {
	return &fraudInstance{Pattern: pattern, from: 1 << 62, LabelledUserIDs: []string{}}
}

func hostingIP(r *rng) string { return ipIn(r, pick(r, hostingPrefixes)) }

func (g *dayGen) fraudDevice(r *rng) string { return deviceID(r.u64()) }

// windowStart picks a start leaving room for a pattern of the given length.
func (g *dayGen) windowStart(r *rng, length int64) int64 {
	return g.start + 3_600_000 + r.msBetween(0, float64(msPerDay-length-2*3_600_000)/1000)
}

// couponRing: one device and 1-2 IPs register 20-50 accounts that each
// redeem the same new-user coupon and buy with it within minutes.
func (g *dayGen) couponRing(r *rng, budget int, next *int) *fraudInstance {
	n := min(r.between(20, 50), budget/4)
	if n < 5 {
		return nil
	}
	inst := newInstance(PatternCouponRing)
	dev := g.fraudDevice(r)
	ips := []string{hostingIP(r)}
	if r.chance(0.5) {
		ips = append(ips, ipIn(r, pick(r, countries[0].mobile)))
	}
	cards := []string{randomCard(r, true)}
	for len(cards) < r.between(1, 3) {
		cards = append(cards, randomCard(r, true))
	}
	m := g.w.pickMerchant(r, g.w.catPick.pick(r))
	coupon := g.w.couponID(m, g.d, 99)
	it := g.w.merchantItem(r, m)
	reg := pick(r, cnRegions)
	base := cnAddress(r, reg, strconv.Itoa(r.between(1, 300)))
	base = base[:strings.LastIndex(base, "号")+len("号")]
	inst.DeviceIDs, inst.IPs, inst.Cards = []string{dev}, ips, cards
	inst.MerchantIDs, inst.CouponIDs = []string{g.w.merchants[m].id}, []string{coupon}

	t := g.windowStart(r, int64(n)*150_000+600_000)
	var p profile
	for i := 0; i < n; i++ {
		g.fraudProfile(r, next, &p)
		p.address = base + strconv.Itoa(r.between(1, 30)) + appendPaddedStr(r.between(1, 4), 2) + "室"
		ip := pick(r, ips)
		ts := t
		e := g.fraudEvent(inst, evRegister, ts, &p, dev, ip)
		e.birthDate, e.gender, e.country = p.birthDate, p.gender, "CN"
		e.phone, e.email, e.address = p.phone, p.email, p.address
		g.push(e)

		ts += r.msBetween(20, 120)
		e = g.fraudEvent(inst, evCouponRedeem, ts, &p, dev, ip)
		e.merchantID, e.couponID = g.w.merchants[m].id, coupon
		g.push(e)

		ts += r.msBetween(30, 240)
		amount := max(it.price*int64(r.between(10, 30))/100, 1) // mostly paid by the coupon
		e = g.fraudEvent(inst, evPurchase, ts, &p, dev, ip)
		g.setItem(e, it)
		e.amount, e.hasAmount, e.currency, e.couponID = amount, true, "CNY", coupon
		e.address, e.phone = p.address, p.phone
		g.push(e)

		ts += r.msBetween(5, 30)
		e = g.fraudEvent(inst, evPayment, ts, &p, dev, ip)
		e.merchantID, e.amount, e.hasAmount, e.currency = g.w.merchants[m].id, amount, true, "CNY"
		e.card = pick(r, cards)
		g.push(e)

		inst.UserIDs = append(inst.UserIDs, p.userID)
		inst.accounts = append(inst.accounts, p.idx)
		t += r.msBetween(30, 150)
	}
	return inst
}

// credStuffing: a few IPs try leaked passwords against hundreds of existing
// accounts within minutes; a few logins succeed.
func (g *dayGen) credStuffing(r *rng, budget int, next *int) *fraudInstance {
	_ = next
	want := r.between(200, 600)
	inst := newInstance(PatternCredStuffing)
	ips := make([]string, r.between(2, 5))
	for i := range ips {
		ips[i] = hostingIP(r)
	}
	devs := make([]string, r.between(2, 4))
	for i := range devs {
		devs[i] = g.fraudDevice(r)
	}
	inst.DeviceIDs, inst.IPs = devs, ips
	window := r.msBetween(5*60, 15*60)
	t0 := g.windowStart(r, window+60_000)

	seen := map[int]bool{}
	var victims []int
	var attempts []int
	total := 0
	for len(victims) < want && len(victims) < g.w.users {
		idx := r.intn(g.w.users)
		if seen[idx] {
			continue
		}
		a := 1 + b2i(r.chance(0.3)) + b2i(r.chance(0.1))
		if total+a+1 > budget {
			break
		}
		seen[idx] = true
		victims = append(victims, idx)
		attempts = append(attempts, a)
		total += a
	}
	nOK := max(len(victims)*15/1000, 1)
	if len(victims) < 20 || total+nOK > budget {
		return nil
	}
	var p profile
	for i, idx := range victims {
		g.w.profile(idx, &p)
		dev, ip := pick(r, devs), pick(r, ips)
		ts := t0 + r.msBetween(0, float64(window)/1000)
		for a := 0; a < attempts[i]; a++ {
			g.push(g.fraudEvent(inst, evLoginFailed, ts, &p, dev, ip))
			ts += r.msBetween(0.3, 4)
		}
		if i < nOK { // victims are drawn at random, so the first few are as good as any
			e := g.fraudEvent(inst, evLogin, ts, &p, dev, ip)
			e.birthDate, e.gender, e.country = p.birthDate, p.gender, p.ctry.code
			g.push(e)
			inst.CompromisedUserIDs = append(inst.CompromisedUserIDs, p.userID)
		}
		inst.UserIDs = append(inst.UserIDs, p.userID)
		inst.victims = append(inst.victims, idx)
	}
	return inst
}

// cardTesting: one account and device try many stolen card numbers with
// tiny amounts within minutes, then one goes through.
func (g *dayGen) cardTesting(r *rng, budget int, next *int) *fraudInstance {
	n := min(r.between(20, 80), budget-2)
	if n < 8 {
		return nil
	}
	inst := newInstance(PatternCardTesting)
	var p profile
	g.fraudProfile(r, next, &p)
	dev, ip := g.fraudDevice(r), hostingIP(r)
	shops := g.w.catMerchants[r.intn(len(categories))]
	m := shops[len(shops)/2+r.intn(len(shops)-len(shops)/2)] // a less popular shop
	bin := "4" + digits(r, 5)
	if r.chance(0.4) {
		bin = pick(r, mastercardBN) + digits(r, 4)
	}
	seen := map[string]bool{}
	var cards []string
	for len(cards) < n {
		c := cardNumber(r, bin)
		if !seen[c] {
			seen[c] = true
			cards = append(cards, c)
		}
	}
	inst.UserIDs, inst.accounts = []string{p.userID}, []int{p.idx}
	inst.DeviceIDs, inst.IPs, inst.Cards = []string{dev}, []string{ip}, cards
	inst.MerchantIDs = []string{g.w.merchants[m].id}

	ts := g.windowStart(r, int64(n)*20_000+60_000)
	e := g.fraudEvent(inst, evLogin, ts, &p, dev, ip)
	e.birthDate, e.gender, e.country = p.birthDate, p.gender, "CN"
	g.push(e)
	for i, c := range cards {
		ts += r.msBetween(3, 20)
		k := evPaymentFailed
		if i == len(cards)-1 {
			k = evPayment
		}
		e := g.fraudEvent(inst, k, ts, &p, dev, ip)
		e.merchantID, e.card = g.w.merchants[m].id, c
		e.amount, e.hasAmount, e.currency = int64(r.between(1, 500)), true, pick(r, []string{"CNY", "USD"})
		g.push(e)
	}
	return inst
}

// liveBots: a handful of accounts order a stream's featured item 1-5
// seconds after the stream's first event.
func (g *dayGen) liveBots(r *rng, budget int, next *int) *fraudInstance {
	if len(g.live) == 0 {
		return nil
	}
	n := min(r.between(3, 8), budget/3)
	if n < 2 {
		return nil
	}
	ls := &g.live[len(g.fraud)%len(g.live)]
	for _, f := range g.fraud {
		if f.LiveSessionID == ls.id {
			return nil // one bot swarm per stream
		}
	}
	inst := newInstance(PatternLiveBots)
	inst.LiveSessionID = ls.id
	inst.MerchantIDs = []string{g.w.merchants[ls.merchant].id}
	ips := []string{hostingIP(r)}
	if r.chance(0.5) {
		ips = append(ips, hostingIP(r))
	}
	inst.IPs = ips
	var p profile
	for i := 0; i < n; i++ {
		g.fraudProfile(r, next, &p)
		dev, ip := g.fraudDevice(r), pick(r, ips)
		card := randomCard(r, true)
		e := g.fraudEvent(inst, evLogin, ls.start-r.msBetween(10, 120), &p, dev, ip)
		e.birthDate, e.gender, e.country = p.birthDate, p.gender, "CN"
		g.push(e)

		ts := ls.start + r.msBetween(1, 5)
		amount := ls.featured.price
		e = g.fraudEvent(inst, evPurchase, ts, &p, dev, ip)
		g.setItem(e, ls.featured)
		e.liveID = ls.id
		e.amount, e.hasAmount, e.currency = amount, true, "CNY"
		e.address, e.phone = p.address, p.phone
		g.push(e)

		e = g.fraudEvent(inst, evPayment, ts+r.msBetween(2, 8), &p, dev, ip)
		e.merchantID, e.card = g.w.merchants[ls.merchant].id, card
		e.amount, e.hasAmount, e.currency = amount, true, "CNY"
		g.push(e)

		inst.UserIDs = append(inst.UserIDs, p.userID)
		inst.DeviceIDs = append(inst.DeviceIDs, dev)
		inst.Cards = append(inst.Cards, card)
		inst.accounts = append(inst.accounts, p.idx)
	}
	return inst
}
