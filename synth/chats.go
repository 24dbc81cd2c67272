package synth

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// chatCtx is a sampled shopping moment a conversation is about.
type chatCtx struct {
	userIdx, merchant, cat int
	ts                     int64
	kind                   evType
}

// sampleChat keeps a uniform reservoir of the day's carts, purchases and
// refunds, so conversations are about real buyers and real orders.
func (g *dayGen) sampleChat(e *event) {
	if g.chatCap <= 0 || e.itemID == "" || (e.typ != evPurchase && e.typ != evCart && e.typ != evRefund) {
		return
	}
	c := chatCtx{userIdx: e.userIdx, merchant: e.merch, cat: e.cat, ts: e.ts, kind: e.typ}
	g.chatSeen++
	if len(g.chatPool) < g.chatCap {
		g.chatPool = append(g.chatPool, c)
		return
	}
	if j := g.rc.intn(g.chatSeen); j < g.chatCap {
		g.chatPool[j] = c
	}
}

type convPlan struct {
	c     chatCtx
	start int64
	n     int // messages
	k     int // conversation number of the day
}

type chatMsg struct {
	ts       int64
	seq      uint64
	conv     string
	merchant string
	userID   string
	sender   string
	text     string
	lang     string
	pii      []piiSpan
}

type piiSpan struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// runChats writes the day's chat feed: conversations planned from the
// sampled moments, messages merged in time order through a heap.
func (g *dayGen) runChats(ctx context.Context, out, truth *sink) error {
	w := g.w
	total := int(math.Round(w.cfg.ChatRatio * float64(g.n)))
	r := newRNG(key(w.seed, tagChat, uint64(g.d), 2))
	var plans []convPlan
	for left := total; left > 0; {
		n := r.between(3, 12)
		if left-n < 3 {
			n = left
		}
		var c chatCtx
		if len(g.chatPool) > 0 {
			c = g.chatPool[len(plans)%len(g.chatPool)]
		} else {
			cat := w.catPick.pick(r)
			c = chatCtx{userIdx: w.pickUser(r), merchant: w.pickMerchant(r, cat), cat: cat,
				ts: g.start + r.msBetween(0, 86_000), kind: evPurchase}
		}
		var start int64
		switch c.kind {
		case evCart: // a question before buying
			start = c.ts + r.msBetween(10, 600)
		case evRefund:
			start = c.ts + r.msBetween(10, 300)
		default:
			start = c.ts + int64(min(r.lognorm(2*3600, 1), 20*3600)*1000)
		}
		if dur := int64(n) * 4 * 60_000; start+dur >= g.end {
			start = max(g.end-dur-r.msBetween(0, 600), g.start)
		}
		plans = append(plans, convPlan{c: c, start: start, n: n, k: len(plans)})
		left -= n
	}
	sort.Slice(plans, func(i, j int) bool {
		if plans[i].start != plans[j].start {
			return plans[i].start < plans[j].start
		}
		return plans[i].k < plans[j].k
	})

	h := timeHeap[*chatMsg]{less: func(a, b *chatMsg) bool {
		if a.ts != b.ts {
			return a.ts < b.ts
		}
		return a.seq < b.seq
	}}
	var seq, msgNo uint64
	var line []byte
	emit := func(m *chatMsg) {
		id := appendUUID(nil, w.seed, tagMsgID, uint64(g.d)<<40|msgNo)
		msgNo++
		line = appendChat(line[:0], m, id)
		out.line(line)
		g.stats.Chats++
		if len(m.pii) > 0 {
			g.stats.ChatPII++
			line = appendPIITruth(line[:0], g.date, m, id)
			truth.line(line)
		}
	}
	for i, pl := range plans {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for h.len() > 0 && h.peek().ts <= pl.start {
			emit(h.pop())
		}
		for _, m := range g.conversation(pl) {
			m.seq = seq
			seq++
			h.push(m)
		}
	}
	for h.len() > 0 {
		emit(h.pop())
	}
	return nil
}

// conversation writes one buyer–merchant exchange.
func (g *dayGen) conversation(pl convPlan) []*chatMsg {
	w := g.w
	r := newRNG(key(w.seed, tagChat, uint64(g.d), 3, uint64(pl.k)))
	p := &g.prof
	w.profile(pl.c.userIdx, p)
	m := &w.merchants[pl.c.merchant]
	lang, book, shop := "en", &enBook, m.nameEn
	if p.cn && r.chance(0.67) {
		lang, book, shop = "zh", &zhBook, m.nameZh
	}
	var topic string
	switch pl.c.kind {
	case evCart:
		topic = pick(r, []string{"size", "product", "coupon", "delivery"})
	case evRefund:
		topic = "refund"
	default:
		topic = pick(r, []string{"delivery", "delivery", "refund", "invoice", "address", "coupon", "size"})
	}
	if topic == "size" && !sized[categories[pl.c.cat].name] {
		topic = "product"
	}
	tt := book.topics[topic]
	sellerLines := newDeck(r, tt.seller, book.sellerFill)
	buyerLines := newDeck(r, tt.buyer, book.buyerFill)
	noun := pick(r, categories[pl.c.cat].en)
	if lang == "zh" {
		noun = pick(r, categories[pl.c.cat].zh)
	}
	order := "3" + digits(r, 18)
	tracking := pick(r, []string{"SF", "YT", "ZTO", "JD"}) + digits(r, 13)
	vars := func(name string) string {
		switch name {
		case "item":
			return noun
		case "order":
			return order
		case "tracking":
			return tracking
		case "n":
			return strconv.Itoa(r.between(2, 5))
		case "shop":
			return shop
		case "price":
			return pick(r, []string{"99", "199", "299", "399"})
		}
		return ""
	}

	conv := string(appendHex([]byte("cv-"), mix64(uint64(g.d)<<40|uint64(pl.k)^key(w.seed, tagConvID)), 16))
	msgs := make([]*chatMsg, 0, pl.n)
	ts := pl.start
	add := func(sender, text string, pii []piiSpan) {
		if len(msgs) > 0 {
			if sender == "bot" {
				ts += r.msBetween(1, 3)
			} else {
				ts += r.msBetween(10, 180)
			}
		}
		msgs = append(msgs, &chatMsg{ts: min(ts, g.end-1), conv: conv, merchant: m.id, userID: p.userID,
			sender: sender, text: text, lang: lang, pii: pii})
	}
	buyer := func(tmpls []string) {
		text := fill(pick(r, tmpls), vars)
		var pii []piiSpan
		if r.chance(0.3) {
			var s string
			s, pii = piiSentence(r, p, book, lang)
			if len(msgs) > 1 && r.chance(0.5) { // keep the opening question
				text = s
			} else {
				text = joinSentences(text, s, book.joiner)
			}
		}
		add("buyer", text, pii)
	}

	if pl.n >= 3 && r.chance(0.6) {
		add("bot", fill(pick(r, book.greet), vars), nil)
	}
	buyer(tt.open)
	for len(msgs) < pl.n {
		last := len(msgs) == pl.n-1
		switch {
		case last && r.chance(0.4):
			add("bot", fill(pick(r, book.survey), vars), nil)
		case last && r.chance(0.5):
			add("seller", pick(r, book.sellerClose), nil)
		case msgs[len(msgs)-1].sender == "buyer":
			if r.chance(0.1) {
				add("bot", pick(r, book.auto), nil)
			} else {
				add("seller", fill(sellerLines.next(), vars), nil)
			}
		case last:
			buyer(book.buyerClose)
		default:
			buyer([]string{buyerLines.next()})
		}
	}
	return msgs
}

// sized are the categories buyers ask about sizes for.
var sized = map[string]bool{"apparel": true, "shoes": true, "sports": true, "baby": true}

// deck deals the topic's lines in a shuffled order, then small talk, so a
// conversation does not repeat itself until both run out.
type deck struct {
	r     *rng
	lines []string
	i     int
}

func newDeck(r *rng, topic, small []string) *deck {
	d := &deck{r: r, lines: append(append([]string{}, topic...), small...)}
	for i := len(topic) - 1; i > 0; i-- { // shuffle the topic lines only
		j := r.intn(i + 1)
		d.lines[i], d.lines[j] = d.lines[j], d.lines[i]
	}
	return d
}

func (d *deck) next() string {
	if d.i >= len(d.lines) {
		d.i = 0
	}
	d.i++
	return d.lines[d.i-1]
}

var piiKinds = []weighted{
	{"phone", 24}, {"address", 18}, {"person_name", 12}, {"email", 12}, {"bank_card", 10},
	{"cn_resident_id", 10}, {"wechat_id", 6}, {"qq_id", 3}, {"passport", 5},
}

// piiSentence writes one or two pieces of the buyer's own PII the way
// buyers type them.
func piiSentence(r *rng, p *profile, book *phrasebook, lang string) (string, []piiSpan) {
	n := 1 + b2i(r.chance(0.15))
	var parts []string
	var spans []piiSpan
	for len(spans) < n {
		typ := pickWeighted(r, piiKinds)
		if !p.cn && (typ == "cn_resident_id" || typ == "wechat_id" || typ == "qq_id") {
			typ = pick(r, []string{"passport", "email", "phone"})
		}
		if len(spans) > 0 && spans[0].Type == typ {
			continue
		}
		v := piiValue(r, p, typ, lang)
		spans = append(spans, piiSpan{Type: typ, Value: v})
		parts = append(parts, strings.Replace(pick(r, book.pii[typ]), "{v}", v, 1))
	}
	return strings.Join(parts, book.joiner), spans
}

func piiValue(r *rng, p *profile, typ, lang string) string {
	switch typ {
	case "phone":
		if !p.cn {
			return p.phone
		}
		n := p.phoneNSN
		return pick(r, []string{n, n, p.phone, n[:3] + " " + n[3:7] + " " + n[7:], "+86 " + n})
	case "email":
		return p.email
	case "bank_card":
		c := pick(r, p.cards)
		switch u := r.float(); {
		case u < 0.55:
			return c[:4] + " " + c[4:8] + " " + c[8:12] + " " + c[12:]
		case u < 0.9:
			return c
		default:
			return c[:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:]
		}
	case "cn_resident_id":
		return p.residentID
	case "address":
		return p.address
	case "person_name":
		if lang == "zh" {
			return p.nameLocal
		}
		return p.nameLatin
	case "passport":
		return p.passport
	case "wechat_id":
		return p.wechat
	default:
		return p.qq
	}
}

// joinSentences appends s to text: after a clause with the book's joiner,
// after a finished sentence as a new sentence.
func joinSentences(text, s, joiner string) string {
	last, _ := utf8.DecodeLastRuneInString(text)
	switch last {
	case '.', '?', '!':
		if s[0] >= 'a' && s[0] <= 'z' {
			s = string(s[0]-'a'+'A') + s[1:]
		}
		return text + " " + s
	case '？', '！', '。', '~':
		return text + s
	}
	return text + joiner + s
}

// fill replaces {name} placeholders with vars(name).
func fill(tmpl string, vars func(string) string) string {
	if strings.IndexByte(tmpl, '{') < 0 {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(tmpl[:i])
		b.WriteString(vars(tmpl[i+1 : i+j]))
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

func appendChat(b []byte, m *chatMsg, id []byte) []byte {
	b = append(b, `{"conversation_id":"`...)
	b = append(b, m.conv...)
	b = append(b, `","message_id":"`...)
	b = append(b, id...)
	b = append(b, `","ts":"`...)
	b = appendTS(b, m.ts)
	b = append(b, '"')
	b = appendField(b, "merchant_id", m.merchant)
	b = appendField(b, "user_id", m.userID)
	b = appendField(b, "sender", m.sender)
	b = appendField(b, "text", m.text)
	return append(b, '}')
}

func appendPIITruth(b []byte, dt string, m *chatMsg, id []byte) []byte {
	b = append(b, `{"dt":"`...)
	b = append(b, dt...)
	b = append(b, `","conversation_id":"`...)
	b = append(b, m.conv...)
	b = append(b, `","message_id":"`...)
	b = append(b, id...)
	b = append(b, `","lang":"`...)
	b = append(b, m.lang...)
	b = append(b, `","pii":[`...)
	for i, s := range m.pii {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"`...)
		b = append(b, s.Type...)
		b = append(b, `","value":`...)
		b = appendJSONString(b, s.Value)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}
