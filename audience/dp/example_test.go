package dp_test

import (
	"fmt"
	"log"

	"github.com/veil-data/veil/audience/dp"
)

// What an operator reads before choosing ε.
func ExampleTailProbability() {
	eps, err := dp.ParseEpsilon("0.5")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ε=%s: P(|noise| ≥ 10) = %.2f%%\n", eps, 100*dp.TailProbability(eps, 10))
	m, err := dp.ConfidenceInterval(eps, 0.05)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ε=%s: 95%% of answers are within ±%d of the true count\n", eps, m-1)
	// Output:
	// ε=0.5: P(|noise| ≥ 10) = 0.84%
	// ε=0.5: 95% of answers are within ±6 of the true count
}

// A ledger adds spends as integers: three queries at 0.1, 0.1 and 0.1 use
// exactly a budget of 0.3.
func ExampleEpsilon_Micros() {
	budget, _ := dp.ParseEpsilon("0.3")
	query, _ := dp.ParseEpsilon("0.1")
	var spent int64
	var spentFloat float64
	for range 3 {
		spent += query.Micros()
		spentFloat += query.Float64()
	}
	fmt.Println(spent == budget.Micros(), spentFloat == budget.Float64())
	// Output: true false
}

func ExampleSampler_NoisyCount() {
	eps, _ := dp.ParseEpsilon("1")
	var s dp.Sampler // nil Rand: crypto/rand
	answer, err := s.NoisyCount(1234, eps)
	if err != nil {
		log.Fatal(err)
	}
	// Store answer with the question and serve it again on a repeat;
	// max(answer, 0) is free post-processing.
	fmt.Println(answer > 1200 && answer < 1270) // fails with probability < 1e-15
	// Output: true
}
