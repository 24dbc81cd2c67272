package synth

import (
	"strconv"
	"strings"
)

// profile is everything stable about one user. It is re-derived on demand
// from (seed, user index) with a hash-seeded RNG, never stored per user, so
// memory does not grow with the number of users.
type profile struct {
	idx        int
	userID     string
	ctry       *countryInfo
	cn         bool
	gender     string // F, M or U
	birthDate  string // YYYY-MM-DD
	nameLocal  string // Chinese characters for CN users, else = nameLatin
	nameLatin  string // "Given Family"
	phone      string // as the user typed it at registration
	phoneNSN   string // national significant number, digits only
	email      string
	address    string
	regionCode string // hukou region, CN only
	residentID string // CN only
	passport   string
	wechat     string
	qq         string
	devices    []string
	homeIP     string
	mobileIPs  []string
	cards      []string
	prefCats   [3]int
	favMerch   [3]int // one favourite merchant per preferred category
	optOut     bool   // will refuse personalised marketing at some point

	nat     *natGroup // office or campus network, or nil
	churn   bool      // mobile IP churns across the carrier's range
	carrier int       // index into ctry.mobile when churn
	hhCard  bool      // cards[0] is the household's shared card
}

// ageBands are [minAge, maxAge, weight] of the user population.
var ageBands = [][3]float64{
	{16, 19, 6}, {20, 24, 14}, {25, 29, 18}, {30, 34, 17}, {35, 39, 13},
	{40, 44, 10}, {45, 49, 8}, {50, 59, 8}, {60, 69, 4}, {70, 80, 2},
}

// profile derives user idx's profile into p, reusing p's slices.
func (w *world) profile(idx int, p *profile) {
	r := rng{s: key(w.seed, tagProfile, uint64(idx))}
	p.idx = idx
	p.userID = userIDOf(w.seed, idx)
	p.ctry = &countries[w.countryPick.pick(&r)]
	if _, ok := w.household(idx); ok {
		p.ctry = &countries[w.countryOf(idx)]
	}
	p.cn = p.ctry.code == "CN"
	switch u := r.float(); {
	case u < 0.52:
		p.gender = "F"
	case u < 0.96:
		p.gender = "M"
	default:
		p.gender = "U"
	}
	p.birthDate = w.birthDate(&r)
	w.names(&r, p)
	w.contact(&r, p)
	p.address = address(&r, p)
	p.regionCode = ""
	p.residentID = ""
	if p.cn {
		p.regionCode = pick(&r, cnRegions).code
		p.residentID = residentID(p.regionCode, p.birthDate, r.intn(1000), p.gender)
	}
	p.passport = passport(&r, p.ctry.code)

	nd := 1
	if u := r.float(); u > 0.55 {
		nd = 2
		if u > 0.85 {
			nd = 3
		}
	}
	p.devices = p.devices[:0]
	for i := 0; i < nd; i++ {
		p.devices = append(p.devices, deviceID(key(w.seed, tagDevice, uint64(idx), uint64(i))))
	}
	p.homeIP = homeIP(&r, p.ctry)
	p.mobileIPs = p.mobileIPs[:0]
	for i, n := 0, r.between(1, 2); i < n; i++ {
		p.mobileIPs = append(p.mobileIPs, ipIn(&r, pick(&r, p.ctry.mobile)))
	}
	p.cards = p.cards[:0]
	for i, n := 0, 1+b2i(r.chance(0.35)); i < n; i++ {
		p.cards = append(p.cards, randomCard(&r, p.cn))
	}
	for i := range p.prefCats {
		p.prefCats[i] = w.catPick.pick(&r)
		p.favMerch[i] = w.pickMerchant(&r, p.prefCats[i])
	}
	p.optOut = r.chance(0.02)
	w.lookalikeProfile(p)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (w *world) birthDate(r *rng) string {
	band := ageBands[w.agePick.pick(r)]
	age := int(band[0]) + r.intn(int(band[1]-band[0])+1)
	// Born between age and age+1 years before the first generated day.
	startDays := w.start / msPerDay
	days := startDays - int64(age)*365 - int64(age/4) - int64(r.intn(365))
	return string(appendDate(nil, days))
}

func (w *world) names(r *rng, p *profile) {
	female := p.gender == "F" || (p.gender == "U" && r.chance(0.5))
	if p.cn {
		sur := pick(r, cnSurnames)
		given := cnGivenM
		if female {
			given = cnGivenF
		}
		g1 := pick(r, given)
		local, latin := sur.hanzi+g1.hanzi, g1.pinyin
		if r.chance(0.6) {
			g2 := pick(r, given)
			local += g2.hanzi
			latin += g2.pinyin
		}
		p.nameLocal = local
		p.nameLatin = strings.ToUpper(latin[:1]) + latin[1:] + " " + strings.ToUpper(sur.pinyin[:1]) + sur.pinyin[1:]
		return
	}
	firsts := p.ctry.first[1]
	if female {
		firsts = p.ctry.first[0]
	}
	p.nameLatin = pick(r, firsts) + " " + pick(r, p.ctry.last)
	p.nameLocal = p.nameLatin
}

// contact derives phone, email and chat handles.
func (w *world) contact(r *rng, p *profile) {
	p.phoneNSN, p.phone = phoneNumber(r, p.ctry.code, cnMobilePrefixes)
	given, family, _ := strings.Cut(strings.ToLower(p.nameLatin), " ")
	if i := strings.LastIndexByte(family, ' '); i >= 0 { // "wei ling tan" style
		given, family = given+family[:i], family[i+1:]
	}
	given = strings.ReplaceAll(given, " ", "")
	family = strings.ReplaceAll(strings.ReplaceAll(family, " ", ""), "'", "")
	yy := p.birthDate[2:4]
	var domain string
	if p.cn {
		domain = pickWeighted(r, cnEmailDomains)
	} else {
		domain = pickWeighted(r, intlEmailDomains)
		if p.ctry.domain != "" && r.chance(0.3) {
			domain = p.ctry.domain
		}
	}
	p.qq = strconv.Itoa(r.between(10000, 2999999999))
	var local string
	switch k := r.intn(6); {
	case domain == "qq.com" && r.chance(0.6):
		local = p.qq
	case k == 0:
		local = given + "." + family
	case k == 1:
		local = family + given + yy
	case k == 2:
		local = given[:1] + "." + family
	case k == 3:
		local = family + "." + given + strconv.Itoa(r.between(1, 99))
	case k == 4:
		local = given + "_" + family
	default:
		local = family[:1] + given + p.birthDate[:4]
	}
	p.email = local + "@" + domain
	if r.chance(0.5) {
		p.wechat = "wxid_" + lowerAlnum(r, 14)
	} else {
		p.wechat = family + given + "_" + yy
	}
}

func lowerAlnum(r *rng, n int) string {
	const cs = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = cs[r.intn(len(cs))]
	}
	return string(b)
}

func pickWeighted(r *rng, xs []weighted) string {
	s := 0.0
	for _, x := range xs {
		s += x.w
	}
	u := r.float() * s
	for _, x := range xs {
		if u < x.w {
			return x.v
		}
		u -= x.w
	}
	return xs[len(xs)-1].v
}

// phoneNumber returns the digits-only national number and the number as
// written, in a style local to the country.
func phoneNumber(r *rng, country string, cnPrefixes []string) (nsn, written string) {
	switch country {
	case "CN":
		nsn = pick(r, cnPrefixes) + digits(r, 8)
		switch u := r.float(); {
		case u < 0.5:
			written = nsn
		case u < 0.8:
			written = "+86 " + nsn[:3] + " " + nsn[3:7] + " " + nsn[7:]
		case u < 0.9:
			written = "+86" + nsn
		default:
			written = nsn[:3] + "-" + nsn[3:7] + "-" + nsn[7:]
		}
	case "US", "CA":
		area := pick(r, usAreaCodes)
		if country == "CA" {
			area = pick(r, caAreaCodes)
		}
		nsn = area + strconv.Itoa(r.between(201, 989)) + digits(r, 4)
		written = "+1 " + nsn[:3] + "-" + nsn[3:6] + "-" + nsn[6:]
	case "GB":
		nsn = "7" + strconv.Itoa(r.between(400, 999)) + digits(r, 6)
		written = "+44 " + nsn[:4] + " " + nsn[4:]
	case "DE":
		nsn = "15" + strconv.Itoa(r.between(1, 9)) + digits(r, 8)
		written = "+49 " + nsn[:3] + " " + nsn[3:]
	case "SG":
		nsn = strconv.Itoa(r.between(8, 9)) + digits(r, 7)
		written = "+65 " + nsn[:4] + " " + nsn[4:]
	case "JP":
		nsn = pick(r, []string{"90", "80", "70"}) + digits(r, 8)
		written = "+81 " + nsn[:2] + "-" + nsn[2:6] + "-" + nsn[6:]
	case "FR":
		nsn = strconv.Itoa(r.between(6, 7)) + digits(r, 8)
		written = "+33 " + nsn[:1] + " " + nsn[1:3] + " " + nsn[3:5] + " " + nsn[5:7] + " " + nsn[7:]
	default: // AU
		nsn = "4" + digits(r, 8)
		written = "+61 " + nsn[:3] + " " + nsn[3:6] + " " + nsn[6:]
	}
	return nsn, written
}

// address writes a shipping address in the country's usual form.
func address(r *rng, p *profile) string {
	n := strconv.Itoa(r.between(1, 999))
	switch p.ctry.code {
	case "CN":
		return cnAddress(r, pick(r, cnRegions), n)
	case "US":
		c := pick(r, usCities)
		s := n + " " + pick(r, usStreets)
		if r.chance(0.25) {
			s += " Apt " + strconv.Itoa(r.between(1, 30)) + string(rune('A'+r.intn(6)))
		}
		return s + ", " + c.city + ", " + c.state + " " + c.zip3 + digits(r, 2) + ", US"
	case "GB":
		c := pick(r, ukCities)
		return n + " " + pick(r, ukStreets) + ", " + c.city + " " + c.outward + " " +
			strconv.Itoa(r.between(1, 9)) + string(rune('A'+r.intn(26))) + string(rune('A'+r.intn(26))) + ", GB"
	case "DE":
		c := pick(r, deCities)
		return pick(r, deStreets) + " " + strconv.Itoa(r.between(1, 120)) + ", " + c.zip + " " + c.city + ", DE"
	case "FR":
		c := pick(r, frCities)
		return strconv.Itoa(r.between(1, 200)) + " " + pick(r, frStreets) + ", " + c.zip + digits(r, 2) + " " + c.city + ", FR"
	case "SG":
		return "Blk " + n + " " + pick(r, sgStreets) + " #" + digits(r, 2) + "-" + digits(r, 2) +
			", Singapore " + strconv.Itoa(r.between(100000, 829999)) + ", SG"
	case "JP":
		a := pick(r, jpAreas)
		return strconv.Itoa(r.between(1, 6)) + "-" + strconv.Itoa(r.between(1, 30)) + "-" + strconv.Itoa(r.between(1, 20)) +
			" " + a.area + ", " + a.ward + ", " + a.city + " " + a.zip + ", JP"
	case "CA":
		c := pick(r, caCities)
		return n + " " + pick(r, usStreets) + ", " + c.city + ", " + c.prov + " " + c.fsa + " " +
			strconv.Itoa(r.intn(10)) + string(rune('A'+r.intn(26))) + strconv.Itoa(r.intn(10)) + ", CA"
	default:
		c := pick(r, auCities)
		return n + " " + pick(r, auStreets) + ", " + c.city + " " + c.state + " " + c.pc + ", AU"
	}
}

// cnAddress writes 省市区 + street + number + building/room.
func cnAddress(r *rng, reg cnRegion, n string) string {
	var b strings.Builder
	b.WriteString(reg.province)
	b.WriteString(reg.city)
	b.WriteString(reg.district)
	b.WriteString(pick(r, cnStreets))
	b.WriteString(n)
	b.WriteString("号")
	if r.chance(0.5) {
		b.WriteString(pick(r, cnCompounds))
		b.WriteString(strconv.Itoa(r.between(1, 30)))
		b.WriteString("栋")
		b.WriteString(strconv.Itoa(r.between(1, 4)))
		b.WriteString("单元")
	} else {
		b.WriteString(strconv.Itoa(r.between(1, 12)))
		b.WriteString("幢")
	}
	b.WriteString(strconv.Itoa(r.between(1, 32)))
	b.WriteString(appendPaddedStr(r.between(1, 8), 2))
	b.WriteString("室")
	return b.String()
}

func appendPaddedStr(v, width int) string { return string(appendPadded(nil, int64(v), width)) }

func passport(r *rng, country string) string {
	letter := func() string { return string(rune('A' + r.intn(26))) }
	switch country {
	case "CN":
		return "E" + digits(r, 8)
	case "US", "GB":
		return strconv.Itoa(r.between(5, 6)) + digits(r, 8)
	case "DE":
		return "C" + strings.ToUpper(lowerAlnum(r, 8))
	case "FR":
		return digits(r, 2) + letter() + letter() + digits(r, 5)
	case "JP":
		return "T" + letter() + digits(r, 7)
	case "SG":
		return "K" + digits(r, 7) + letter()
	case "CA":
		return letter() + letter() + digits(r, 6)
	default:
		return "N" + digits(r, 7)
	}
}

func homeIP(r *rng, c *countryInfo) string {
	if r.chance(c.v6Share) {
		return ipv6In(r, pick(r, c.v6))
	}
	return ipIn(r, pick(r, c.broad))
}

func ipIn(r *rng, p ipPrefix) string {
	b := make([]byte, 0, 15)
	b = strconv.AppendInt(b, int64(p.a), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(r.between(p.bLo, p.bHi)), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(r.intn(256)), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(r.between(1, 254)), 10)
	return string(b)
}

// ipv6In writes prefix:xxxx:xxxx[:xxxx]::xxxx in canonical lower-case form.
func ipv6In(r *rng, prefix string) string {
	b := make([]byte, 0, 40)
	b = append(b, prefix...)
	groups := 4 - strings.Count(prefix, ":")
	for i := 0; i < groups; i++ {
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(r.between(1, 0xffff)), 16)
	}
	b = append(b, "::"...)
	return string(strconv.AppendUint(b, uint64(r.between(1, 0xffff)), 16))
}
