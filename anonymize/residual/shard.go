package residual

import (
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/veil-data/veil/anonymize/pii"
)

// A Scanner made by Spill.Scan sees one shard of the needles. A value's
// exact match can only be in the shard its hash picks (owns); a substring
// match can be in any. Each pass notes its hits per (column, value
// fingerprint) in a memo shared by the passes, and the memo is resolved at
// the end by the same precedence a whole scan uses (exact before
// substring; equality in a kept or label column is a collision). Checks
// that need no needles (PII patterns, token grammar) run in the first pass
// only.

// shardScope is what a Scanner of one shard needs besides its needles.
type shardScope struct {
	spill  *Spill
	lo, hi int // buckets of this shard
	first  bool
	tokens bool // some needle of the whole set is token-shaped
	hits   *hitMemo
}

func (sh *shardScope) owns(v string) bool {
	b := sh.spill.bucket(v)
	return b >= sh.lo && b < sh.hi
}

const (
	hitExact = 1 << iota
	hitSub
)

type hitKey struct {
	dataset, column string
	class           Class
	fp              uint64
}

// hitMemo holds the (column, value) fingerprints a pass found something
// for, never values; found values are few in a clean run and rare in any.
type hitMemo struct {
	mu sync.Mutex
	m  map[hitKey]uint8
}

func (h *hitMemo) note(dataset, column string, class Class, fp uint64, hit uint8) {
	h.mu.Lock()
	h.m[hitKey{dataset, column, class, fp}] |= hit
	h.mu.Unlock()
}

// resolve turns the hits into counts of distinct values per finding and
// per collision, as checkValue and checkToken would have counted them.
func (h *hitMemo) resolve(findings, collisions map[findingKey]int64) {
	for k, hit := range h.m {
		exact, sub := hit&hitExact != 0, hit&hitSub != 0
		fk := findingKey{k.dataset, k.column, RawExact}
		switch {
		case exact && (k.class == Kept || k.class == Label):
			collisions[fk]++
		case exact:
			findings[fk]++
		case sub && k.class != Kept && k.class != Identifier && k.class != Token:
			fk.kind = RawSubstring
			findings[fk]++
		}
	}
}

// has is Needles.Has restricted to the values this Scanner's shard owns.
func (s *Scanner) has(v string) bool {
	if s.shard != nil && !s.shard.owns(v) {
		return false
	}
	return s.needles.Has(v)
}

// checkValueShard is checkValue for a Scanner of one shard.
func (s *Scanner) checkValueShard(dataset, column string, class Class, col uint64, v string, local *fpSet) bool {
	sh := s.shard
	uuid := isUUID(v)
	if class == Kept && uuid {
		if s.has(v) {
			sh.hits.note(dataset, column, class, s.fingerprint(col, v), hitExact)
		}
		return true
	}
	fp := s.fingerprint(col, v)
	if local != nil && !local.add(fp) || !s.seen.add(fp) {
		return false
	}
	var hit uint8
	if s.has(v) {
		hit = hitExact // takes precedence: no need to look for substrings
	}
	exempt := class == Generalised && isNetwork(v)
	if hit == 0 && !exempt && (class == Generalised || class == Text || class == Label) && s.needles.Contains(v) {
		hit = hitSub
	}
	if hit != 0 {
		sh.hits.note(dataset, column, class, fp, hit)
	}
	if sh.first {
		s.checkPII(dataset, column, class, v, uuid || exempt)
	}
	return true
}

// checkPII records the PII patterns of a free-text value.
func (s *Scanner) checkPII(dataset, column string, class Class, v string, skip bool) {
	if skip || !class.FreeText() {
		return
	}
	var vd verdict
	for _, sp := range pii.FindCertain(v) {
		vd.add(PIIPrefix + string(sp.Type))
	}
	if vd.n > 0 {
		s.mu.Lock()
		for _, k := range vd.kinds[:vd.n] {
			s.findings[findingKey{dataset, column, k}]++
		}
		s.mu.Unlock()
	}
}

// Scan runs scan once per shard of the needles with a Scanner for that
// shard (once, with all needles, when they never left memory) and returns
// the merged Result, which is the one a single Scanner over all needles
// would give. scan must make the same calls in every pass. Scan ends
// adding; the Spill may be scanned again.
func (s *Spill) Scan(scan func(*Scanner) error) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tmp == "" {
		sc := NewScanner(s.mem)
		if err := scan(sc); err != nil {
			return Result{}, err
		}
		return sc.Result(), nil
	}
	if err := s.flush(); err != nil {
		return Result{}, err
	}
	for _, w := range s.buckets {
		if w != nil {
			if err := w.seal(); err != nil {
				return Result{}, err
			}
		}
	}
	hits := &hitMemo{m: map[hitKey]uint8{}}
	seed := maphash.MakeSeed()
	findings, collisions := map[findingKey]int64{}, map[findingKey]int64{}
	var res Result
	s.nTokens = 0
	for i, r := range s.shards() {
		n, err := s.load(r[0], r[1])
		if err != nil {
			return Result{}, err
		}
		sc := NewScanner(n)
		sc.seed = seed
		sc.shard = &shardScope{spill: s, lo: r[0], hi: r[1], first: i == 0, tokens: s.tokens, hits: hits}
		if err := scan(sc); err != nil {
			return Result{}, fmt.Errorf("residual scan, shard %d: %w", i+1, err)
		}
		res.Needles += int64(n.Len())
		s.nTokens += n.TokenShaped()
		if i == 0 {
			res.Cells, res.Distinct = sc.cells.Load(), sc.distinct.Load()
		}
		for k, c := range sc.findings {
			findings[k] += c
		}
	}
	hits.resolve(findings, collisions)
	res.Findings, res.Collisions = sorted(findings), sorted(collisions)
	res.Passed = len(res.Findings) == 0
	return res, nil
}
