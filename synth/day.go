package synth

import (
	"context"
	"fmt"
)

// dayGen generates one day of the events feed. Sessions are planned with
// start times in increasing order; each session's events go into a time
// heap, and the heap is drained up to the next session's start, so the
// output is in time order while only the sessions in flight are in memory.
type dayGen struct {
	w          *world
	d          int
	date       string
	start, end int64 // [start, end) in unix ms
	n          int   // lines to write
	stats      *DayStats

	r  *rng // organic sessions
	rm *rng // mess injection
	rd *rng // duplicate replays
	rc *rng // chat sampling
	ro *rng // consent requests

	h     timeHeap[queued]
	free  []*event
	seq   uint64
	prof  profile
	kinds []evType
	sess  []*event
	live  []liveSession

	out     *sink
	lines   [][]byte // free line buffers
	id      []byte
	lineNo  uint64
	dupLeft int
	dupP    float64
	recent  [16][]byte
	nRecent int

	chatCap  int
	chatSeen int
	chatPool []chatCtx
	optouts  []optoutRec
	fraud    []*fraudInstance
	looks    []*lookGroup    // legitimate bursts
	types    [numEvTypes]int // clean lines by type

	owedNegative int // negative-amount corruptions waiting for an event with an amount
}

type liveSession struct {
	id         string
	merchant   int
	featured   item
	start, end int64
}

// Mess rates, per line.
const (
	malformedRate = 0.002
	duplicateRate = 0.003
	extraRate     = 0.0008
)

func newDayGen(w *world, d, n int, stats *DayStats) *dayGen {
	start := w.start + int64(d)*msPerDay
	g := &dayGen{
		w: w, d: d, date: dateString(start), start: start, end: start + msPerDay, n: n, stats: stats,
		r:  newRNG(key(w.seed, tagSessions, uint64(d))),
		rm: newRNG(key(w.seed, tagMess, uint64(d))),
		rd: newRNG(key(w.seed, tagMess, uint64(d), 1)),
		rc: newRNG(key(w.seed, tagChat, uint64(d), 1)),
		ro: newRNG(key(w.seed, tagOptOut, uint64(d))),
	}
	g.h.less = eventBefore
	g.chatCap = int(float64(n)*w.cfg.ChatRatio/7.5) + 1
	return g
}

// run writes the day's events to out.
func (g *dayGen) run(ctx context.Context, out *sink) error {
	g.out = out
	planned := 0
	if g.n >= 200 {
		planned += g.planLive()
		planned += g.planFraud()
		planned += g.planLookalikes()
		g.dupLeft = int(float64(g.n) * duplicateRate)
	}
	budget := g.n - planned - g.dupLeft
	if budget < 0 {
		return fmt.Errorf("day %s: %d events are too few for the planned fraud", g.date, g.n)
	}
	g.dupP = float64(g.dupLeft) / float64(max(g.n-g.dupLeft, 1)) * 1.1

	lengths := planLengths(newRNG(key(g.w.seed, tagLengths, uint64(g.d))), budget)
	rs := newRNG(key(g.w.seed, tagSessions, uint64(g.d), 2))
	for i, L := range lengths {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := out.failed(); err != nil {
				return err
			}
		}
		t := g.start + g.sessionOffset(i, len(lengths), rs)
		g.drain(t)
		g.session(t, int(L))
	}
	g.drain(g.end + msPerDay) // everything left, including shifted stragglers
	for g.dupLeft > 0 && g.nRecent > 0 {
		g.writeDup()
	}
	return ctx.Err()
}

// planLengths draws session lengths until they add up to exactly budget.
func planLengths(r *rng, budget int) []uint16 {
	var ls []uint16
	for left := budget; left > 0; {
		L := min(1+int(r.lognorm(8, 0.9)), 150, left)
		ls = append(ls, uint16(L))
		left -= L
	}
	return ls
}

// sessionOffset is the i-th of n stratified start times following the
// hourly traffic curve, so starts come out sorted.
func (g *dayGen) sessionOffset(i, n int, r *rng) int64 {
	u := (float64(i) + r.float()) / float64(n)
	cdf := g.w.hourCDF
	h := 0
	for h < 23 && cdf[h+1] <= u {
		h++
	}
	frac := (u - cdf[h]) / (cdf[h+1] - cdf[h])
	return int64((float64(h) + frac) * 3_600_000)
}

func (g *dayGen) newEvent(k evType, ts int64, p *profile, dev, ip string, normal bool) *event {
	var e *event
	if n := len(g.free); n > 0 {
		e = g.free[n-1]
		g.free = g.free[:n-1]
		*e = event{}
	} else {
		e = &event{}
	}
	e.typ, e.ts, e.normal = k, ts, normal
	e.userIdx, e.userID, e.deviceID, e.ip = p.idx, p.userID, dev, ip
	return e
}

// push renders e at once, while its data is hot in cache, and queues the
// line by time. e itself goes back to the free list. Mess is injected here:
// a malformed rendering, or an undeclared extra field.
func (g *dayGen) push(e *event) {
	g.id = appendUUID(g.id[:0], g.w.seed, tagEventID, uint64(g.d)<<40|g.lineNo)
	g.lineNo++
	var line []byte
	if n := len(g.lines); n > 0 {
		line = g.lines[n-1][:0]
		g.lines = g.lines[:n-1]
	}
	ts, clean := e.ts, false // a wrong-day corruption must not move the line
	if e.normal && (g.rm.chance(malformedRate) || g.owedNegative > 0 && e.hasAmount) {
		var reason string
		line, reason = g.corrupt(line, e)
		g.stats.Malformed[reason]++
	} else {
		line = appendEvent(line, e, g.id)
		if e.normal && g.rm.chance(extraRate) {
			line = g.addExtra(line)
			g.stats.ExtraFields++
		} else {
			clean = true
		}
		g.types[e.typ]++
		if e.normal {
			g.sampleChat(e)
		}
	}
	g.h.push(queued{ts: ts, seq: g.seq, line: line, clean: clean})
	g.seq++
	g.free = append(g.free, e)
}

func (g *dayGen) drain(t int64) {
	for g.h.len() > 0 && g.h.peek().ts <= t {
		g.emit(g.h.pop())
	}
}

// emit writes a queued line, keeps clean ones for replays, and now and
// then replays one.
func (g *dayGen) emit(q queued) {
	g.out.line(q.line)
	g.stats.Events++
	if q.clean {
		slot := &g.recent[g.nRecent%len(g.recent)]
		if *slot != nil {
			g.lines = append(g.lines, *slot)
		}
		*slot = q.line
		g.nRecent++
	} else {
		g.lines = append(g.lines, q.line)
	}
	if g.dupLeft > 0 && g.nRecent > 0 && g.rd.chance(g.dupP) {
		g.writeDup()
	}
}

// writeDup replays one of the recent clean lines byte for byte.
func (g *dayGen) writeDup() {
	n := min(g.nRecent, len(g.recent))
	g.out.line(g.recent[(g.nRecent-1-g.rd.intn(n))%len(g.recent)])
	g.dupLeft--
	g.stats.Events++
	g.stats.Duplicates++
}

// planLive schedules the day's live-commerce streams and pushes each one's
// opening event (a viewer's view at the stream start), which anchors the
// "time from live start to order" measure. It returns the events pushed.
func (g *dayGen) planLive() int {
	r := newRNG(key(g.w.seed, tagLive, uint64(g.d)))
	n := min(3+g.n/200_000, 200)
	var p profile
	for i := 0; i < n; i++ {
		m := g.w.pickMerchant(r, g.w.catPick.pick(r))
		ls := liveSession{
			id:       string(appendHex([]byte("ls-"), key(g.w.seed, tagLive, uint64(g.d), uint64(i)), 10)),
			merchant: m,
			featured: g.w.merchantItem(r, m),
			start:    g.start + r.msBetween(10*3600, 15*3600), // 18:00-23:00 in China
		}
		ls.end = min(ls.start+r.msBetween(3600, 3*3600), g.end-3_600_000)
		g.live = append(g.live, ls)

		g.w.profile(g.w.pickUser(r), &p)
		e := g.newEvent(evView, ls.start, &p, p.devices[0], p.homeIP, false)
		g.setItem(e, ls.featured)
		e.liveID = ls.id
		g.push(e)
	}
	return n
}

// liveAt returns a stream a session starting at t may be watching.
func (g *dayGen) liveAt(t int64, r *rng) *liveSession {
	n := 0
	for i := range g.live {
		if t >= g.live[i].start+30_000 && t < g.live[i].end {
			n++
		}
	}
	if n == 0 || !r.chance(0.25) {
		return nil
	}
	k := r.intn(n)
	for i := range g.live {
		if t >= g.live[i].start+30_000 && t < g.live[i].end {
			if k == 0 {
				return &g.live[i]
			}
			k--
		}
	}
	return nil
}

func (g *dayGen) setItem(e *event, it item) {
	e.merchantID = g.w.merchants[it.merchant].id
	e.itemID = it.id
	e.category = categories[it.cat].name
	e.merch, e.cat = it.merchant, it.cat
}
