package synth

// Legitimate look-alikes of the injected fraud: traffic that shares what
// the fraud shares, so no single link (a shared device, a shared IP, a
// burst of orders) separates fraud from honest users. Membership is a pure
// function of (seed, user index), like the rest of a profile, so it costs
// no memory per user and holds on any day of any run.
//
//   - households: 2-5 pool users sharing a family device, the home IP and
//     often a card (the coupon ring shares a device and cards);
//   - NAT groups: an office or campus of tens to hundreds of CN users behind
//     one address (credential stuffing and the ring share a few IPs);
//   - carrier churn: a user's mobile IP moves across the carrier's range
//     from day to day and is shared through carrier-grade NAT;
//   - promo and live-start bursts (burst.go): many honest orders within
//     minutes of a sale's midnight or seconds of a stream's start.

// Look-alike kinds, as written to truth/lookalikes.jsonl.
const (
	LookHousehold      = "household"
	LookNATOffice      = "nat_office"
	LookNATCampus      = "nat_campus"
	LookCarrierChurn   = "carrier_churn"
	LookPromoBurst     = "promo_burst"
	LookLiveStartBurst = "live_start_burst"
)

const (
	hhBlock = 8 // user indices per household slot
	// householdP is the chance a slot holds a household. With 2.6 members
	// on average it puts ~3% of the pool in one, which shows as ~2.5% of
	// active users sharing a device (the public Fraud_Data file has 2.6%).
	householdP = 0.12
	natSpan    = 2500 // pool users per NAT group slot
	churnP     = 0.3  // share of users whose mobile IP churns
	cgnatPool  = 512  // carrier addresses per carrier per day
)

// hhSizes weights household sizes 2..5.
var hhSizes = []float64{0.6, 0.25, 0.1, 0.05}

type household struct {
	id, lo, n int
	key       uint64
}

// household returns the household of pool user idx, if any. A slot of
// hhBlock consecutive indices holds at most one household.
func (w *world) household(idx int) (household, bool) {
	if idx < 0 || idx >= w.users {
		return household{}, false
	}
	hh, ok := w.hhSlot(idx / hhBlock)
	if !ok || idx < hh.lo || idx >= hh.lo+hh.n {
		return household{}, false
	}
	return hh, true
}

// hhSlot returns the household of slot b, if it has one.
func (w *world) hhSlot(b int) (household, bool) {
	h := key(w.seed, tagHousehold, uint64(b))
	r := rng{s: h}
	if !r.chance(householdP) {
		return household{}, false
	}
	n := 2 + w.hhSize.pick(&r)
	lo := b*hhBlock + r.intn(hhBlock-n+1)
	if lo+n > w.users {
		return household{}, false
	}
	return household{id: b, lo: lo, n: n, key: h}, true
}

// natGroup is an office or campus network behind one public address.
type natGroup struct {
	id, lo, n int
	campus    bool
	ip        string
}

// newNATs lays out one NAT group per natSpan pool users (at least two).
func (w *world) newNATs() {
	n := max(2, w.users/natSpan)
	w.nats = make([]natGroup, n)
	for k := range w.nats {
		r := rng{s: key(w.seed, tagNAT, uint64(k))}
		lo, hi := k*w.users/n, (k+1)*w.users/n
		g := natGroup{id: k, campus: r.chance(0.3)}
		if g.campus {
			g.n = r.between(100, 300)
		} else {
			g.n = r.between(20, 120)
		}
		g.n = min(g.n, (hi-lo)/2)
		g.lo = lo + r.intn(hi-lo-g.n+1)
		g.ip = ipIn(&r, pick(&r, countries[0].broad))
		w.nats[k] = g
	}
}

// nat returns the NAT group of a CN pool user, or nil.
func (w *world) nat(idx int, cn bool) *natGroup {
	if !cn || idx < 0 || idx >= w.users {
		return nil
	}
	k := idx * len(w.nats) / w.users
	for _, j := range []int{k - 1, k, k + 1} {
		if j >= 0 && j < len(w.nats) && idx >= w.nats[j].lo && idx < w.nats[j].lo+w.nats[j].n {
			return &w.nats[j]
		}
	}
	return nil
}

// countryOf is the country index of a user; household members take the
// first member's, so a family lives in one country.
func (w *world) countryOf(idx int) int {
	if hh, ok := w.household(idx); ok {
		idx = hh.lo
	}
	r := rng{s: key(w.seed, tagProfile, uint64(idx))}
	return w.countryPick.pick(&r)
}

// lookalikeProfile applies household, NAT and churn membership to a freshly
// derived profile. It draws from hashes of its own, so the profiles of
// users in no group are what they were before look-alikes existed.
func (w *world) lookalikeProfile(p *profile) {
	p.nat, p.churn, p.hhCard = nil, false, false
	idx := p.idx
	if idx >= w.users {
		return // new registrations and fraud accounts belong to no group
	}
	if hh, ok := w.household(idx); ok {
		r := rng{s: hh.key ^ golden}
		p.devices = append(p.devices, "")
		copy(p.devices[1:], p.devices)
		p.devices = p.devices[:min(len(p.devices), 3)]
		p.devices[0] = deviceID(key(w.seed, tagHousehold, uint64(hh.id), 1))
		p.homeIP = homeIP(&r, p.ctry)
		if r.chance(0.6) { // one parent's card pays for the family
			p.cards[0] = randomCard(&r, p.cn)
			p.hhCard = true
		}
	}
	p.nat = w.nat(idx, p.cn)
	h := key(w.seed, tagChurn, uint64(idx))
	if float64(h>>11)/(1<<53) < churnP && len(p.ctry.mobile) > 0 {
		p.churn = true
		p.carrier = int(h % uint64(len(p.ctry.mobile)))
	}
}

// sessionIP is where a session at t connects from: the office or campus
// network, a carrier address, or home.
func (g *dayGen) sessionIP(r *rng, p *profile, t int64) string {
	if nat := p.nat; nat != nil {
		local := (t/3_600_000 + 8) % 24 // China time
		if nat.campus && r.chance(0.7) || !nat.campus && local >= 9 && local < 18 && r.chance(0.8) {
			return nat.ip
		}
	}
	if !r.chance(0.45) {
		return p.homeIP
	}
	if !p.churn {
		return pick(r, p.mobileIPs)
	}
	// A churning user gets a new carrier address every few hours, drawn
	// from a small per-day pool that other subscribers share.
	c := countryIndex(p.ctry)
	slot := key(g.w.seed, tagChurn, uint64(p.idx), uint64(g.d), uint64(t/(4*3_600_000))) % cgnatPool
	cr := rng{s: key(g.w.seed, tagChurn, uint64(c), uint64(p.carrier), uint64(g.d), slot)}
	return ipIn(&cr, p.ctry.mobile[p.carrier])
}

func countryIndex(c *countryInfo) int {
	for i := range countries {
		if &countries[i] == c {
			return i
		}
	}
	return 0
}
