package risk

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/synth"
)

// The generator's fraud patterns against its legitimate look-alikes
// (households sharing devices and cards, NAT offices and campuses, carrier
// IP churn, promotion and live-start bursts). Tokens are a bijection of
// raw ids, so features over raw ids are the features over tokens: this
// test feeds the generator's landing files to the engine directly.

// userScores folds the days and keeps, per user and feature, the highest
// value over the user's scored events (and the lowest, for features where
// low is risky), nulls left out.
type userScores struct {
	hi, lo map[string][]float64
}

func TestPatternsSeparatedFromLookalikes(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and folds four days of events")
	}
	dir := t.TempDir()
	const days = 4
	perDay := 100_000
	if raceBuild {
		perDay = 40_000
	}
	if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Days: days, Events: days * perDay, Seed: 7, ChatRatio: -1}); err != nil {
		t.Fatal(err)
	}
	g := features.New()
	sc := userScores{hi: map[string][]float64{}, lo: map[string][]float64{}}
	seen := map[string]bool{}
	for d := range days {
		day := synth.DefaultStart.AddDate(0, 0, d)
		evs := testwarehouse.EngineDay(t, dir, day, seen)
		err := g.Run(context.Background(), day.UnixMilli(), features.Events(evs), nil, func(_ int, e *features.Event, row features.Row) error {
			u := e.Keys[features.User]
			hi, lo := sc.hi[u], sc.lo[u]
			if hi == nil {
				hi, lo = make([]float64, len(row)), make([]float64, len(row))
				for i := range hi {
					hi[i], lo[i] = math.Inf(-1), math.Inf(1)
				}
				sc.hi[u], sc.lo[u] = hi, lo
			}
			for i, v := range row {
				if !features.IsNull(v) {
					hi[i], lo[i] = max(hi[i], v), min(lo[i], v)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	truth, err := synth.ReadTruth(dir)
	if err != nil {
		t.Fatal(err)
	}
	patterns := map[string]map[string]bool{}
	for u, p := range truth.Fraud {
		if patterns[p] == nil {
			patterns[p] = map[string]bool{}
		}
		patterns[p][u] = true
	}
	fraud := func(u string) bool { _, ok := truth.Pattern(u); return ok }
	looks := map[string]map[string]bool{}
	for u, kind := range truth.Lookalike {
		if looks[kind] == nil {
			looks[kind] = map[string]bool{}
		}
		looks[kind][u] = true
	}
	var legit []string
	for u := range sc.hi {
		if !fraud(u) {
			legit = append(legit, u)
		}
	}
	slices.Sort(legit)

	var b strings.Builder
	fmt.Fprintf(&b, "%d legitimate users with a scored event (%d in look-alike groups)\n", len(legit), countIn(legit, looks))
	fmt.Fprintf(&b, "%-22s %5s  %-34s %-4s %12s %7s %7s  %s\n", "pattern", "users", "best feature", "dir", "threshold", "recall", "FP", "look-alikes flagged")
	for _, p := range slices.Sorted(maps.Keys(patterns)) {
		best := bestFeature(sc, patterns[p], legit)
		flagged := map[string]string{}
		for kind, us := range looks {
			n, f := 0, 0
			for u := range us {
				if fraud(u) || sc.hi[u] == nil {
					continue
				}
				n++
				if best.flags(sc, u) {
					f++
				}
			}
			flagged[kind] = fmt.Sprintf("%s %d/%d", kind, f, n)
		}
		fmt.Fprintf(&b, "%-22s %5d  %-34s %-4s %12.4g %7.3f %7.4f  %s\n", p, best.n, features.Defs[best.feature].Name, best.dir, best.thr, best.recall, best.fp, strings.Join(slices.Sorted(maps.Values(flagged)), ", "))
		if best.recall < 0.95 || best.fp > 0.01 {
			t.Errorf("%s: best single feature %s reaches recall %.3f at FP %.4f; want >= 0.95 at <= 0.01", p, features.Defs[best.feature].Name, best.recall, best.fp)
		}
	}
	t.Log("\n" + b.String())
}

type separation struct {
	feature    int
	dir        string // "high" or "low"
	thr        float64
	recall, fp float64
	n          int
}

func (s separation) score(sc userScores, u string) float64 {
	if s.dir == "high" {
		return sc.hi[u][s.feature]
	}
	return -sc.lo[u][s.feature]
}

func (s separation) flags(sc userScores, u string) bool {
	v := s.score(sc, u)
	return !math.IsInf(v, 0) && v > s.thr
}

// bestFeature finds, over every feature and direction, the threshold that
// flags at most 1% of legitimate users and the share of the pattern's
// users it flags; the best recall wins (ties: fewer false positives).
func bestFeature(sc userScores, pattern map[string]bool, legit []string) separation {
	var users []string
	for u := range pattern {
		if sc.hi[u] != nil {
			users = append(users, u)
		}
	}
	best := separation{recall: -1, n: len(users)}
	for f := range features.Defs {
		for _, dir := range []string{"high", "low"} {
			s := separation{feature: f, dir: dir, n: len(users)}
			vals := make([]float64, 0, len(legit))
			for _, u := range legit {
				if v := s.score(sc, u); !math.IsInf(v, 0) {
					vals = append(vals, v)
				}
			}
			sort.Float64s(vals)
			allowed := len(legit) / 100 // flagged legitimate users at most
			s.thr = math.Inf(-1)
			if len(vals) > allowed {
				s.thr = vals[len(vals)-1-allowed]
			}
			fp := 0
			for _, v := range vals {
				if v > s.thr {
					fp++
				}
			}
			hit := 0
			for _, u := range users {
				if s.flags(sc, u) {
					hit++
				}
			}
			s.recall, s.fp = float64(hit)/float64(max(1, len(users))), float64(fp)/float64(max(1, len(legit)))
			if s.recall > best.recall || (s.recall == best.recall && s.fp < best.fp) {
				best = s
			}
		}
	}
	return best
}

func countIn(users []string, groups map[string]map[string]bool) int {
	n := 0
	for _, u := range users {
		for _, g := range groups {
			if g[u] {
				n++
				break
			}
		}
	}
	return n
}
