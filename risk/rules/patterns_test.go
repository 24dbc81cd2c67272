package rules

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/synth"
)

// The default rules against the generator's fraud patterns and its
// legitimate look-alikes (households, NAT offices and campuses, carrier IP
// churn, promotion and live-start bursts). Tokens are a bijection of raw
// ids, so features over raw ids are the features over tokens: the test
// feeds the generator's landing files to the engine directly, and every
// scored event is evaluated as the risk list would, with no model score
// and no outlier outputs.

// world is a generated run folded into feature rows.
type world struct {
	truth *synth.Truth
	// each calls fn for every scored event, in engine order.
	each func(fn func(e *features.Event, row features.Row))
}

func generate(t *testing.T, seed int64, days, perDay int) *world {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Days: days, Events: days * perDay, Seed: seed, ChatRatio: -1}); err != nil {
		t.Fatal(err)
	}
	truth, err := synth.ReadTruth(dir)
	if err != nil {
		t.Fatal(err)
	}
	each := func(fn func(e *features.Event, row features.Row)) {
		g := features.New()
		seen := map[string]bool{}
		for d := range days {
			day := synth.DefaultStart.AddDate(0, 0, d)
			evs := testwarehouse.EngineDay(t, dir, day, seen)
			err := g.Run(context.Background(), day.UnixMilli(), features.Events(evs), nil, func(_ int, e *features.Event, row features.Row) error {
				fn(e, row)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return &world{truth: truth, each: each}
}

// catches evaluates s on every scored event and returns, per user with a
// scored event, the rules that sent one of their events to review or
// block (empty when none did).
func catches(t *testing.T, w *world, s *Set) map[string]map[string]bool {
	t.Helper()
	by := map[string]map[string]bool{}
	var hits []Hit
	in := Input{Score: math.NaN()}
	w.each(func(e *features.Event, row features.Row) {
		u := e.Keys[features.User]
		if by[u] == nil {
			by[u] = map[string]bool{}
		}
		in.Type, in.Row = e.Type, row
		var err error
		if hits, err = s.Eval(&in, hits[:0]); err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Action >= Review {
				by[u][h.Name] = true
			}
		}
	})
	return by
}

// patternTable prints recall per pattern and legitimate users affected,
// overall and per look-alike group, and reports what misses the targets.
func patternTable(w *world, by map[string]map[string]bool) (string, []string) {
	patterns := map[string][]string{}
	for u := range by {
		if p, ok := w.truth.Pattern(u); ok {
			patterns[p] = append(patterns[p], u)
		}
	}
	var b strings.Builder
	var fails []string
	fmt.Fprintf(&b, "%-20s %6s %6s %7s  %s\n", "pattern", "users", "caught", "recall", "by rule (users)")
	for _, p := range slices.Sorted(maps.Keys(patterns)) {
		caught, rules := 0, map[string]int{}
		for _, u := range patterns[p] {
			if len(by[u]) > 0 {
				caught++
			}
			for r := range by[u] {
				rules[r]++
			}
		}
		recall := float64(caught) / float64(len(patterns[p]))
		var rs []string
		for _, r := range slices.Sorted(maps.Keys(rules)) {
			rs = append(rs, fmt.Sprintf("%s %d", r, rules[r]))
		}
		fmt.Fprintf(&b, "%-20s %6d %6d %7.3f  %s\n", p, len(patterns[p]), caught, recall, strings.Join(rs, ", "))
		if recall < 0.95 {
			fails = append(fails, fmt.Sprintf("%s: recall %.3f < 0.95", p, recall))
		}
	}
	groups := map[string][2]int{} // look-alike kind -> users, affected
	legit, affected, rules := 0, 0, map[string]int{}
	for u, rs := range by {
		if _, fraud := w.truth.Pattern(u); fraud {
			continue
		}
		legit++
		kind := w.truth.Lookalike[u]
		if kind == "" {
			kind = "(none)"
		}
		g := groups[kind]
		g[0]++
		if len(rs) > 0 {
			affected++
			g[1]++
			for r := range rs {
				rules[r]++
			}
		}
		groups[kind] = g
	}
	share := float64(affected) / float64(max(1, legit))
	fmt.Fprintf(&b, "legitimate users affected: %d/%d = %.4f", affected, legit, share)
	for _, r := range slices.Sorted(maps.Keys(rules)) {
		fmt.Fprintf(&b, "; %s %d", r, rules[r])
	}
	fmt.Fprintf(&b, "\n%-20s %6s %8s %7s\n", "look-alike group", "users", "affected", "share")
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		g := groups[k]
		fmt.Fprintf(&b, "%-20s %6d %8d %7.4f\n", k, g[0], g[1], float64(g[1])/float64(max(1, g[0])))
	}
	if share > 0.01 {
		fails = append(fails, fmt.Sprintf("legitimate users affected %.4f > 0.01", share))
	}
	return b.String(), fails
}

func TestDefaultRulesCatchPatterns(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and folds days of events")
	}
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// Two seeds, so that a threshold fitted to one world shows; checked
	// once on seeds 3, 99 and 2026 at four days of 100k events too.
	if raceBuild {
		t.Skip("a measurement over two worlds: make test runs it in its race-free pass, printed")
	}
	perDay, seeds := 60_000, []int64{7, 11}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			w := generate(t, seed, 3, perDay)
			table, fails := patternTable(w, catches(t, w, s))
			t.Log("\n" + table)
			for _, f := range fails {
				t.Error(f)
			}
		})
	}
}
