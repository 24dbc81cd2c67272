package synth

// Organic traffic: one session of one user, exactly L events long.
// Shape: [register | (login_failed) login] (refund) browse... [cart
// (coupon_redeem) purchase (payment_failed) payment]; most events are views.

func (g *dayGen) session(t int64, L int) {
	r, w := g.r, g.w
	newUser := L >= 3 && r.chance(0.015)
	var idx int
	if newUser {
		idx = w.newUser
		w.newUser++
	} else {
		idx = w.pickUser(r)
	}
	p := &g.prof
	w.profile(idx, p)
	dev := p.devices[0]
	if len(p.devices) > 1 && r.chance(0.3) {
		dev = p.devices[1+r.intn(len(p.devices)-1)]
	}
	ip := g.sessionIP(r, p, t)
	var live *liveSession
	if !newUser {
		live = g.liveAt(t, r)
	}

	kinds := g.kinds[:0]
	switch {
	case newUser:
		kinds = append(kinds, evRegister)
	case r.chance(0.55):
		if r.chance(0.04) {
			kinds = append(kinds, evLoginFailed) // mistyped password
		}
		kinds = append(kinds, evLogin)
	}
	if !newUser && live == nil && r.chance(0.012) {
		kinds = append(kinds, evRefund)
	}
	var tail [5]evType
	nt := 0
	buyP := 0.2
	if live != nil {
		buyP = 0.35
	}
	if L-len(kinds) >= 4 && r.chance(buyP) {
		if r.chance(0.7) {
			tail[nt] = evCart
			nt++
		}
		if r.chance(0.12) {
			tail[nt] = evCouponRedeem
			nt++
		}
		tail[nt] = evPurchase
		nt++
		if r.chance(0.04) {
			tail[nt] = evPaymentFailed
			nt++
		}
		if r.chance(0.95) {
			tail[nt] = evPayment
			nt++
		}
	}
	for browse := L - len(kinds) - nt; browse > 0; browse-- {
		switch u := r.float(); {
		case u < 0.72:
			kinds = append(kinds, evView)
		case u < 0.90:
			kinds = append(kinds, evClick)
		case u < 0.94:
			kinds = append(kinds, evFav)
		default:
			kinds = append(kinds, evCart)
		}
	}
	kinds = append(kinds, tail[:nt]...)
	if len(kinds) > L {
		kinds = kinds[:L]
	}
	g.kinds = kinds

	cur := g.browseItem(r, p, live)
	var target item // what is bought
	haveTarget := false
	var coupon string
	var amount int64
	card := p.cards[0]
	if len(p.cards) > 1 && r.chance(0.3) {
		card = p.cards[1]
	}
	ts := t
	sess := g.sess[:0]
	for i, k := range kinds {
		if i > 0 {
			ts += gap(r, kinds[i-1], k)
		}
		e := g.newEvent(k, ts, p, dev, ip, true)
		switch k {
		case evLogin:
			e.birthDate, e.gender, e.country = p.birthDate, p.gender, p.ctry.code
		case evRegister:
			e.birthDate, e.gender, e.country = p.birthDate, p.gender, p.ctry.code
			e.phone, e.email, e.address = p.phone, p.email, p.address
		case evRefund:
			it := w.pickItem(r, p, p.prefCats[r.intn(3)])
			g.setItem(e, it)
			e.category = ""
			e.amount, e.hasAmount, e.currency = convert(it.price, p.ctry), true, p.ctry.currency
		case evView, evClick, evFav, evCart:
			if k == evView && i > 0 && r.chance(0.6) {
				cur = g.browseItem(r, p, live)
			}
			g.setItem(e, cur)
			if live != nil && r.chance(0.8) {
				e.liveID = live.id
			}
			if k == evCart {
				target, haveTarget = cur, true
			}
		case evCouponRedeem:
			if !haveTarget {
				target, haveTarget = cur, true
			}
			coupon = w.couponID(target.merchant, g.d, r.intn(4))
			e.merchantID, e.couponID = w.merchants[target.merchant].id, coupon
		case evPurchase:
			if !haveTarget {
				target, haveTarget = cur, true
			}
			g.setItem(e, target)
			qty := int64(1)
			if r.chance(0.12) {
				qty = int64(r.between(2, 3))
			}
			amount = convert(target.price*qty, p.ctry)
			if coupon != "" {
				e.couponID = coupon
				amount = max(amount-amount*int64(r.between(5, 20))/100, 1)
			}
			e.amount, e.hasAmount, e.currency = amount, true, p.ctry.currency
			e.address, e.phone = p.address, p.phone
			if live != nil {
				e.liveID = live.id
				// Organic viewers order minutes into the stream, not seconds.
				if earliest := live.start + 120_000; e.ts < earliest {
					ts = earliest + r.msBetween(0, 300)
					e.ts = ts
				}
			}
		case evPayment, evPaymentFailed:
			e.merchantID = w.merchants[target.merchant].id
			e.amount, e.hasAmount, e.currency = amount, true, p.ctry.currency
			e.card = card
		}
		sess = append(sess, e)
	}
	g.sess = sess
	g.fitDay(sess)

	if p.optOut && len(sess) > 0 {
		g.consentRequest(idx, p.userID, sess[len(sess)-1].ts)
	}
	for _, e := range sess {
		g.push(e)
	}
}

// fitDay moves a session that would run past midnight back into its day.
func (g *dayGen) fitDay(sess []*event) {
	if len(sess) == 0 {
		return
	}
	over := sess[len(sess)-1].ts - (g.end - 1)
	if over <= 0 {
		return
	}
	for _, e := range sess {
		e.ts = max(e.ts-over, g.start)
	}
}

// browseItem picks what the user looks at: the stream's goods during a
// live session, else mostly the user's preferred categories.
func (g *dayGen) browseItem(r *rng, p *profile, live *liveSession) item {
	if live != nil {
		if r.chance(0.4) {
			return live.featured
		}
		return g.w.merchantItem(r, live.merchant)
	}
	cat := p.prefCats[r.intn(3)]
	if r.chance(0.2) {
		cat = g.w.catPick.pick(r)
	}
	return g.w.pickItem(r, p, cat)
}

// gap is the think time before an event of kind k, in ms.
func gap(r *rng, prev, k evType) int64 {
	var ms int64
	switch {
	case prev == evRegister:
		ms = r.msBetween(20, 90)
	case prev == evLogin || prev == evLoginFailed:
		ms = r.msBetween(2, 15)
	case k == evClick:
		ms = r.msBetween(1, 8)
	case k == evFav || k == evCart:
		ms = r.msBetween(3, 40)
	case k == evCouponRedeem:
		ms = r.msBetween(5, 60)
	case k == evPurchase:
		ms = r.msBetween(20, 240)
	case k == evPayment && prev == evPaymentFailed:
		ms = r.msBetween(20, 120)
	case k == evPayment || k == evPaymentFailed:
		ms = r.msBetween(5, 45)
	default:
		ms = int64(r.lognorm(15, 0.9) * 1000)
	}
	return min(max(ms, 200), 30*60_000)
}
