package rules

import (
	"math"
	"testing"

	"github.com/veil-data/veil/risk/features"
)

// benchInputs are n rows shaped like scored events: small counts, some
// nulls, a few event types, repeating as real feature tuples do.
func benchInputs(n int) []*Input {
	types := []string{"login", "login_failed", "purchase", "payment", "payment_failed", "coupon_redeem"}
	ins := make([]*Input, n)
	for i := range ins {
		row := make(features.Row, len(features.Defs))
		for j := range row {
			switch h := (i*31 + j*17) % 11; {
			case h == 0:
				row[j] = features.Null
			default:
				row[j] = float64(h % 4)
			}
		}
		row[features.FLiveSinceStart] = float64(i % 40)
		ins[i] = &Input{Type: types[i%len(types)], Row: row, Score: math.NaN(), Cluster: Cluster{LOF: math.NaN()}}
	}
	return ins
}

// BenchmarkEval is the default rules on one scored event, as the risk
// list and the decision service call it: memo is the steady state where
// tuples repeat; miss gives every event new feature values, so every rule
// runs CEL.
func BenchmarkEval(b *testing.B) {
	for _, mode := range []string{"memo", "miss"} {
		b.Run(mode, func(b *testing.B) {
			s, err := Default()
			if err != nil {
				b.Fatal(err)
			}
			ins := benchInputs(1000)
			var hits []Hit
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				in := ins[i%len(ins)]
				if mode == "miss" {
					for _, f := range []int{features.FLiveSinceStart, features.FAccountAge, features.FCount[features.User][features.FailedPayments][features.W1h], features.FLink[3][features.W1h], features.FLink[4][features.W1h]} {
						in.Row[f] = float64(i) + 0.5
					}
				}
				if hits, err = s.Eval(in, hits[:0]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
