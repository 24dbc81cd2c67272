package synth

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// lookGroup is one group of legitimate users that looks like fraud, as
// written to truth/lookalikes.jsonl. Households, NAT groups and churn
// groups are properties of the user pool and have no dt; they list every
// pool member, active in the run or not. Bursts are per day and list who
// ordered in them.
type lookGroup struct {
	Kind          string   `json:"kind"`
	GroupID       string   `json:"group_id"`
	Dt            string   `json:"dt,omitempty"`
	WindowStart   string   `json:"window_start,omitempty"`
	WindowEnd     string   `json:"window_end,omitempty"`
	Festival      string   `json:"festival,omitempty"`
	LiveSessionID string   `json:"live_session_id,omitempty"`
	UserIDs       []string `json:"user_ids"`
	DeviceIDs     []string `json:"device_ids,omitempty"`
	IPs           []string `json:"ips,omitempty"`
	IPRange       string   `json:"ip_range,omitempty"`
	Cards         []string `json:"cards,omitempty"`
	CouponIDs     []string `json:"coupon_ids,omitempty"`
	Events        int      `json:"events,omitempty"`

	from, to int64
	seen     map[int]bool
}

func newBurst(kind, id string) *lookGroup {
	return &lookGroup{Kind: kind, GroupID: id, from: 1 << 62, seen: map[int]bool{}}
}

// festivals are the China dates whose midnight sale is a big one.
var festivals = map[string]string{"11-11": "double_11", "12-12": "double_12", "06-18": "618"}

// planLookalikes pushes the day's legitimate bursts and returns how many
// events it pushed. Its RNGs are its own, so the fraud plan is unchanged.
func (g *dayGen) planLookalikes() int {
	return g.promoBurst(newRNG(key(g.w.seed, tagPromo, uint64(g.d)))) +
		g.liveBursts(newRNG(key(g.w.seed, tagLiveBurst, uint64(g.d))))
}

// burstEvent pushes one event of a burst buyer and records it in lg.
func (g *dayGen) burstEvent(lg *lookGroup, k evType, ts int64, p *profile, dev, ip string) *event {
	e := g.newEvent(k, ts, p, dev, ip, true)
	lg.Events++
	lg.from, lg.to = min(lg.from, ts), max(lg.to, ts)
	if !lg.seen[p.idx] {
		lg.seen[p.idx] = true
		lg.UserIDs = append(lg.UserIDs, p.userID)
	}
	return e
}

// promoBurst: the platform's sale opens at midnight China time (16:00 UTC);
// buyers who carted the day before pay within minutes, many with the same
// platform coupon and the same few hot deals. Double Eleven and the other
// festivals are six times a daily flash sale.
func (g *dayGen) promoBurst(r *rng) int {
	w := g.w
	at := g.start + 16*3_600_000
	cnDate := dateString(at + 8*3_600_000)
	fest, big := festivals[cnDate[5:]]
	budget := g.n / 240
	if big {
		budget = g.n / 40
	} else {
		fest = "flash_sale"
	}
	lg := newBurst(LookPromoBurst, "promo-"+strings.ReplaceAll(cnDate, "-", ""))
	lg.Festival = fest
	coupon := w.couponID(numMerchants, g.d, 0) // platform-wide, not a merchant's
	lg.CouponIDs = []string{coupon}
	var hot [5]item
	for i := range hot {
		hot[i] = w.merchantItem(r, w.pickMerchant(r, w.catPick.pick(r)))
	}
	var p profile
	used := 0
	for used+5 <= budget {
		w.profile(w.pickUser(r), &p)
		t := at + int64(min(r.lognorm(45, 1.1), 1800)*1000)
		dev := p.devices[0]
		if len(p.devices) > 1 && r.chance(0.3) {
			dev = p.devices[1]
		}
		ip := g.sessionIP(r, &p, t)
		it := hot[r.intn(len(hot))]
		if !r.chance(0.4) {
			it = w.pickItem(r, &p, p.prefCats[r.intn(3)])
		}
		if r.chance(0.5) { // carted before the sale opened
			e := g.burstEvent(lg, evCart, at-r.msBetween(60, 3600), &p, dev, ip)
			g.setItem(e, it)
			g.push(e)
			used++
		}
		amount := convert(it.price, p.ctry)
		withCoupon := r.chance(0.6)
		if withCoupon {
			e := g.burstEvent(lg, evCouponRedeem, t-r.msBetween(2, 20), &p, dev, ip)
			e.merchantID, e.couponID = w.merchants[it.merchant].id, coupon
			g.push(e)
			used++
			amount = max(amount-amount*int64(r.between(10, 30))/100, 1)
		}
		e := g.burstEvent(lg, evPurchase, t, &p, dev, ip)
		g.setItem(e, it)
		e.amount, e.hasAmount, e.currency = amount, true, p.ctry.currency
		e.address, e.phone = p.address, p.phone
		if withCoupon {
			e.couponID = coupon
		}
		g.push(e)
		used++
		ts := t + r.msBetween(3, 20)
		card := p.cards[0]
		if r.chance(0.08) {
			// Declined at midnight (overload, a limit): the buyer retries,
			// with another card when there is one, as a card tester would.
			g.push(g.burstPayment(lg, evPaymentFailed, ts, &p, dev, ip, it.merchant, amount, card))
			ts += r.msBetween(5, 40)
			used++
			card = p.cards[len(p.cards)-1]
		}
		g.push(g.burstPayment(lg, evPayment, ts, &p, dev, ip, it.merchant, amount, card))
		used++
	}
	g.addBurst(lg)
	return used
}

func (g *dayGen) burstPayment(lg *lookGroup, k evType, ts int64, p *profile, dev, ip string, m int, amount int64, card string) *event {
	e := g.burstEvent(lg, k, ts, p, dev, ip)
	e.merchantID, e.amount, e.hasAmount, e.currency = g.w.merchants[m].id, amount, true, p.ctry.currency
	e.card = card
	return e
}

// liveBursts: fans who were waiting for a stream order its featured item in
// its first minute, some within the seconds the bots take.
func (g *dayGen) liveBursts(r *rng) int {
	w := g.w
	budget := g.n / 100
	used := 0
	var p profile
	for i := range g.live {
		ls := &g.live[i]
		if !r.chance(0.6) {
			continue
		}
		n := r.between(4, 12) + g.n/200_000
		if used+4*n > budget {
			break
		}
		lg := newBurst(LookLiveStartBurst, "lsb-"+strings.TrimPrefix(ls.id, "ls-"))
		lg.LiveSessionID = ls.id
		for j := 0; j < n; j++ {
			w.profile(w.pickUser(r), &p)
			dev := p.devices[0]
			ip := g.sessionIP(r, &p, ls.start)
			if r.chance(0.4) {
				e := g.burstEvent(lg, evLogin, ls.start-r.msBetween(10, 300), &p, dev, ip)
				e.birthDate, e.gender, e.country = p.birthDate, p.gender, p.ctry.code
				g.push(e)
				used++
			}
			ts := ls.start + int64(min(max(r.lognorm(18, 0.7), 1), 59)*1000)
			amount := convert(ls.featured.price, p.ctry)
			e := g.burstEvent(lg, evPurchase, ts, &p, dev, ip)
			g.setItem(e, ls.featured)
			e.liveID = ls.id
			e.amount, e.hasAmount, e.currency = amount, true, p.ctry.currency
			e.address, e.phone = p.address, p.phone
			g.push(e)
			g.push(g.burstPayment(lg, evPayment, ts+r.msBetween(2, 10), &p, dev, ip, ls.merchant, amount, p.cards[0]))
			used += 2
		}
		g.addBurst(lg)
	}
	return used
}

func (g *dayGen) addBurst(lg *lookGroup) {
	if lg.Events == 0 {
		return
	}
	lg.Dt = g.date
	lg.WindowStart, lg.WindowEnd = tsString(lg.from), tsString(lg.to)
	g.looks = append(g.looks, lg)
}

// writeStaticLookalikes writes the pool's households, NAT groups and churn
// groups. It walks the pool once, deriving only what membership needs;
// churn members are written in chunks so memory stays flat.
func (gen *generator) writeStaticLookalikes() error {
	w := gen.w
	emit := func(lg *lookGroup) error {
		b, err := json.Marshal(lg)
		if err != nil {
			return err
		}
		gen.truth.looks.line(b)
		gen.sum.Lookalikes[lg.Kind]++
		gen.sum.LookalikeUsers[lg.Kind] += len(lg.UserIDs)
		return nil
	}
	var p profile
	for b := 0; b*hhBlock < w.users; b++ {
		hh, ok := w.hhSlot(b)
		if !ok {
			continue
		}
		w.profile(hh.lo, &p)
		lg := &lookGroup{Kind: LookHousehold, GroupID: "hh-" + strconv.Itoa(hh.id),
			DeviceIDs: []string{p.devices[0]}, IPs: []string{p.homeIP}}
		if p.hhCard {
			lg.Cards = []string{p.cards[0]}
		}
		for i := hh.lo; i < hh.lo+hh.n; i++ {
			lg.UserIDs = append(lg.UserIDs, userIDOf(w.seed, i))
		}
		if err := emit(lg); err != nil {
			return err
		}
	}
	for i := range w.nats {
		nat := &w.nats[i]
		kind := LookNATOffice
		if nat.campus {
			kind = LookNATCampus
		}
		lg := &lookGroup{Kind: kind, GroupID: "nat-" + strconv.Itoa(nat.id), IPs: []string{nat.ip}, UserIDs: []string{}}
		for idx := nat.lo; idx < nat.lo+nat.n; idx++ {
			if countries[w.countryOf(idx)].code == "CN" {
				lg.UserIDs = append(lg.UserIDs, userIDOf(w.seed, idx))
			}
		}
		if err := emit(lg); err != nil {
			return err
		}
	}
	// Churn groups: one per carrier range, split into chunks of 1000 users.
	const chunk = 1000
	type carrier struct{ c, k int }
	open := map[carrier]*lookGroup{}
	parts := map[carrier]int{}
	flush := func(ck carrier) error {
		lg := open[ck]
		delete(open, ck)
		parts[ck]++
		return emit(lg)
	}
	for idx := 0; idx < w.users; idx++ {
		h := key(w.seed, tagChurn, uint64(idx))
		if float64(h>>11)/(1<<53) >= churnP {
			continue
		}
		c := w.countryOf(idx)
		ci := &countries[c]
		if len(ci.mobile) == 0 {
			continue
		}
		ck := carrier{c, int(h % uint64(len(ci.mobile)))}
		lg := open[ck]
		if lg == nil {
			pr := ci.mobile[ck.k]
			lg = &lookGroup{Kind: LookCarrierChurn,
				GroupID: "churn-" + ci.code + "-" + strconv.Itoa(ck.k) + "-" + strconv.Itoa(parts[ck]),
				IPRange: strconv.Itoa(pr.a) + "." + strconv.Itoa(pr.bLo) + "-" + strconv.Itoa(pr.bHi) + ".0.0"}
			open[ck] = lg
		}
		lg.UserIDs = append(lg.UserIDs, userIDOf(w.seed, idx))
		if len(lg.UserIDs) == chunk {
			if err := flush(ck); err != nil {
				return err
			}
		}
	}
	keys := make([]carrier, 0, len(open))
	for ck := range open {
		keys = append(keys, ck)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].c < keys[j].c || keys[i].c == keys[j].c && keys[i].k < keys[j].k
	})
	for _, ck := range keys {
		if err := flush(ck); err != nil {
			return err
		}
	}
	return nil
}
