package synth

import (
	"math"
	"strconv"
)

// world is the state shared by all days of one Generate call: the catalogue,
// the user population (as a size, not a table) and the few cross-day facts
// (who opted out or withdrew, which labels are due on which day, who may
// appeal).
type world struct {
	cfg     Config
	seed    uint64
	start   int64 // ms of the first day
	users   int   // size of the existing-user pool
	newUser int   // next index for a normal registration

	merchants    []merchant
	catPick      table
	catMerchants [][]int // merchants selling each category, by popularity
	catMerchZipf []table
	countryPick  table
	agePick      table
	hourCDF      []float64 // 25 entries, cumulative share of traffic by UTC hour
	hhSize       table     // household sizes 2..5
	nats         []natGroup

	consent  map[int]*consentState // by user index
	labels   [][]labelRec          // labels by day index of known_at
	pending  []labelRec            // labels that become known after the last day
	flagged  []flagged             // candidates for appeals
	appealed map[int]bool
}

type merchant struct {
	id     string
	nameZh string
	nameEn string
	cats   []int
}

const (
	numMerchants   = 400
	itemsPerMerchC = 240 // items per (merchant, category)
	fraudIndexBase = 60_000_000
	fraudPerDay    = 20_000
	maxPoolUsers   = 30_000_000
)

func newWorld(cfg Config) *world {
	w := &world{
		cfg:      cfg,
		seed:     uint64(cfg.Seed),
		start:    cfg.Start.UnixMilli(),
		consent:  map[int]*consentState{},
		labels:   make([][]labelRec, cfg.Days),
		appealed: map[int]bool{},
	}
	w.users = min(max(cfg.Events/25, 500), maxPoolUsers)
	w.newUser = w.users
	w.hhSize = newTable(hhSizes)
	w.newNATs()

	cw := make([]float64, len(categories))
	for i, c := range categories {
		cw[i] = c.weight
	}
	w.catPick = newTable(cw)
	kw := make([]float64, len(countries))
	for i, c := range countries {
		kw[i] = c.weight
	}
	w.countryPick = newTable(kw)
	aw := make([]float64, len(ageBands))
	for i, b := range ageBands {
		aw[i] = b[2]
	}
	w.agePick = newTable(aw)

	w.hourCDF = make([]float64, 25)
	total := 0.0
	for _, v := range hourWeights {
		total += v
	}
	for h, v := range hourWeights {
		w.hourCDF[h+1] = w.hourCDF[h] + v/total
	}
	w.hourCDF[24] = 1

	// Merchants are indexed by popularity rank; each sells 1-3 categories.
	r := newRNG(key(w.seed, tagMerchant))
	w.merchants = make([]merchant, numMerchants)
	w.catMerchants = make([][]int, len(categories))
	for i := range w.merchants {
		m := &w.merchants[i]
		m.id = merchantIDOf(i)
		m.nameZh = pick(r, shopZhA) + pick(r, shopZhB)
		m.nameEn = pick(r, shopEnA) + " " + pick(r, shopEnB)
		for n := r.between(1, 3); len(m.cats) < n; {
			c := w.catPick.pick(r)
			dup := false
			for _, x := range m.cats {
				dup = dup || x == c
			}
			if !dup {
				m.cats = append(m.cats, c)
				w.catMerchants[c] = append(w.catMerchants[c], i)
			}
		}
	}
	w.catMerchZipf = make([]table, len(categories))
	for c := range categories {
		if len(w.catMerchants[c]) == 0 { // keep every category sellable
			w.catMerchants[c] = []int{c % numMerchants}
			w.merchants[c%numMerchants].cats = append(w.merchants[c%numMerchants].cats, c)
		}
		w.catMerchZipf[c] = zipfTable(len(w.catMerchants[c]), 1.0)
	}
	return w
}

// pickUser draws an existing user; low indices are more active.
func (w *world) pickUser(r *rng) int {
	u := r.float()
	return int(float64(w.users) * u * u)
}

func (w *world) pickMerchant(r *rng, cat int) int {
	return w.catMerchants[cat][w.catMerchZipf[cat].pick(r)]
}

// item is one catalogue entry; its id and price derive from its coordinates.
type item struct {
	merchant int
	cat      int
	id       string
	price    int64 // CNY cents
}

func (w *world) item(merchant, cat, k int) item {
	h := key(w.seed, tagItem, uint64(merchant), uint64(cat), uint64(k))
	c := categories[cat]
	u := float64(h>>11) / (1 << 53)
	yuan := math.Exp(math.Log(c.minPrice) + u*(math.Log(c.maxPrice)-math.Log(c.minPrice)))
	cents := int64(yuan) * 100
	switch h & 3 {
	case 0:
		cents += 90
	case 1:
		cents -= 1 // x9.99 style
	}
	return item{
		merchant: merchant,
		cat:      cat,
		id:       strconv.FormatUint(100_000_000_000+h%899_999_999_999, 10),
		price:    max(cents, 100),
	}
}

// pickItem draws an item of a category, from one of the user's favourite
// merchants some of the time.
func (w *world) pickItem(r *rng, p *profile, cat int) item {
	m := -1
	for i, c := range p.prefCats {
		if c == cat && r.chance(0.35) {
			m = p.favMerch[i]
			break
		}
	}
	if m < 0 {
		m = w.pickMerchant(r, cat)
	}
	u := r.float()
	return w.item(m, cat, int(float64(itemsPerMerchC)*u*u*u))
}

// merchantItem draws an item a merchant sells.
func (w *world) merchantItem(r *rng, m int) item {
	cats := w.merchants[m].cats
	u := r.float()
	return w.item(m, pick(r, cats), int(float64(itemsPerMerchC)*u*u*u))
}

// convert turns CNY cents into the currency's cents, rounded to .x9 pricing.
func convert(cents int64, c *countryInfo) int64 {
	if c.fxRate == 1 {
		return cents
	}
	v := int64(float64(cents)/c.fxRate/10)*10 + 9
	return max(v, 9)
}

// couponID is a merchant's coupon campaign code.
func (w *world) couponID(merchant, day, k int) string {
	h := key(w.seed, tagCoupon, uint64(merchant), uint64(day), uint64(k))
	return "CPN" + strconv.FormatUint(1_000_000_000+h%9_000_000_000, 10)
}

// fraudIndex is the user index of the k-th fraud account of a day; it never
// collides with the pool or with normal registrations.
func fraudIndex(day, k int) int { return fraudIndexBase + day*fraudPerDay + k%fraudPerDay }
