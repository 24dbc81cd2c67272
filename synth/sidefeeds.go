package synth

import (
	"sort"
	"strings"
)

// Labels and appeals: small feeds, collected in memory and
// written per day in time order.

type labelRec struct {
	userID  string
	knownAt int64
	source  string
}

// flagged is an account a rule or a label has put on the risk list, and
// that may contest it.
type flagged struct {
	idx      int
	at       int64
	innocent bool
	pattern  string
	instance string
}

type appealRec struct {
	id        string
	userID    string
	ts        int64
	statement string
	truth     flagged
}

var labelSources = map[string][]string{
	PatternCouponRing:  {"manual_review", "rule_engine", "merchant_report"},
	PatternCardTesting: {"chargeback", "chargeback", "issuer_alert"},
	PatternLiveBots:    {"merchant_report", "manual_review"},
}

// settleFraud decides which fraud accounts get a label and when it becomes
// known (hours to days later, possibly after the generated window), and
// which innocent accounts the rules will flag.
func (g *dayGen) settleFraud() {
	w := g.w
	r := newRNG(key(w.seed, tagLabel, uint64(g.d)))
	for _, inst := range g.fraud {
		for i, idx := range inst.accounts {
			if !r.chance(0.6) {
				continue
			}
			delay := int64(min(max(r.lognorm(30, 0.9), 2), 240) * 3_600_000)
			at := inst.to + delay
			rec := labelRec{userID: inst.UserIDs[i], knownAt: at, source: pick(r, labelSources[inst.Pattern])}
			day := int((at - w.start) / msPerDay)
			if day >= w.cfg.Days {
				w.pending = append(w.pending, rec)
				inst.PendingLabelUserIDs = append(inst.PendingLabelUserIDs, rec.userID)
				continue
			}
			w.labels[day] = append(w.labels[day], rec)
			inst.LabelledUserIDs = append(inst.LabelledUserIDs, rec.userID)
			w.flagged = append(w.flagged, flagged{idx: idx, at: at, pattern: inst.Pattern, instance: inst.InstanceID})
		}
		// Accounts under attack get locked by the failed-login rule; the
		// compromised ones contest it.
		for i, idx := range inst.victims {
			if i < len(inst.CompromisedUserIDs) || r.chance(0.03) {
				w.flagged = append(w.flagged, flagged{idx: idx, at: inst.to + r.msBetween(600, 3600),
					innocent: true, pattern: inst.Pattern, instance: inst.InstanceID})
			}
		}
	}
}

func (g *dayGen) labelLines(out *sink) {
	ls := g.w.labels[g.d]
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].knownAt != ls[j].knownAt {
			return ls[i].knownAt < ls[j].knownAt
		}
		return ls[i].userID < ls[j].userID
	})
	var b []byte
	for _, l := range ls {
		b = append(b[:0], `{"user_id":"`...)
		b = append(b, l.userID...)
		b = append(b, `","label":"fraud","known_at":"`...)
		b = appendTS(b, l.knownAt)
		b = append(b, `","source":"`...)
		b = append(b, l.source...)
		b = append(b, `"}`...)
		out.line(b)
	}
	g.stats.Labels = len(ls)
}

// appeals picks a few flagged accounts that contest their entry today.
func (g *dayGen) appeals() []appealRec {
	w := g.w
	r := newRNG(key(w.seed, tagAppeal, uint64(g.d)))
	var elig []int
	for i, f := range w.flagged {
		if !w.appealed[f.idx] && f.at+3_600_000 < g.end-60_000 {
			elig = append(elig, i)
		}
	}
	n := min(len(elig), r.between(1, 4)+g.n/1_000_000)
	var out []appealRec
	var p profile
	for k := 0; k < n; k++ {
		j := k + r.intn(len(elig)-k)
		elig[k], elig[j] = elig[j], elig[k]
		f := w.flagged[elig[k]]
		w.appealed[f.idx] = true
		w.profile(f.idx, &p)
		from := max(g.start, f.at+3_600_000)
		lang, book := "en", &enBook
		if p.cn && r.chance(0.8) {
			lang, book = "zh", &zhBook
		}
		pii := ""
		if r.chance(0.6) {
			pii, _ = piiSentence(r, &p, book, lang)
			if lang == "zh" {
				pii += "。"
			} else {
				pii = strings.ToUpper(pii[:1]) + pii[1:] + "."
			}
		}
		who := f.pattern
		if f.innocent {
			who = "innocent"
		}
		text := strings.TrimSpace(strings.Replace(pick(r, appealTexts[who][lang]), "{v}", pii, 1))
		out = append(out, appealRec{
			id:        string(appendHex([]byte("ap-"), mix64(uint64(g.d)<<20|uint64(k)^key(w.seed, tagAppeal)), 12)),
			userID:    p.userID,
			ts:        from + r.msBetween(0, float64(g.end-1-from)/1000),
			statement: text,
			truth:     f,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ts != out[j].ts {
			return out[i].ts < out[j].ts
		}
		return out[i].id < out[j].id
	})
	return out
}

func appendAppeal(b []byte, a *appealRec) []byte {
	b = append(b, `{"appeal_id":"`...)
	b = append(b, a.id...)
	b = append(b, `","user_id":"`...)
	b = append(b, a.userID...)
	b = append(b, `","ts":"`...)
	b = appendTS(b, a.ts)
	b = append(b, '"')
	b = appendField(b, "statement", a.statement)
	return append(b, '}')
}

func appendAppealTruth(b []byte, dt string, a *appealRec) []byte {
	b = append(b, `{"dt":"`...)
	b = append(b, dt...)
	b = append(b, `","appeal_id":"`...)
	b = append(b, a.id...)
	b = append(b, `","user_id":"`...)
	b = append(b, a.userID...)
	b = append(b, `","innocent":`...)
	if a.truth.innocent {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	b = append(b, `,"pattern":"`...)
	b = append(b, a.truth.pattern...)
	b = append(b, `","instance_id":"`...)
	b = append(b, a.truth.instance...)
	b = append(b, `","flagged_at":"`...)
	b = appendTS(b, a.truth.at)
	return append(b, `"}`...)
}
