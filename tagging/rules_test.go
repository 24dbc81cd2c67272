package tagging

import (
	"strings"
	"testing"
)

func TestRulesDefaultsAndValidate(t *testing.T) {
	if err := DefaultRules().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if got := (Rules{}).WithDefaults(); got.TopInterests != 3 || got.Weights["purchase"] != 6 || got.WindowDays != 30 {
		t.Errorf("zero rules with defaults = %+v", got)
	}
	if got := (Rules{Weights: map[string]int{}}).WithDefaults(); len(got.Weights) != 0 {
		t.Errorf("an empty weight map was replaced: %+v", got.Weights)
	}
	tests := []struct {
		name  string
		rules Rules
		want  []string // substrings of the error, all reported at once
	}{
		{"negative weight", Rules{Weights: map[string]int{"view": -1}}, []string{"weights.view"}},
		{"huge weight", Rules{Weights: map[string]int{"view": 1 << 20}}, []string{"weights.view"}},
		{"blank type", Rules{Weights: map[string]int{" view": 1}}, []string{"bad event type"}},
		{"bands inverted", Rules{DiscountMedium: 0.6, DiscountHigh: 0.3}, []string{"below discount_medium"}},
		{"everything", Rules{TopInterests: -1, DiscountMedium: 1.5, DiscountHigh: -0.1, WindowDays: 400},
			[]string{"top_interests", "discount_medium", "discount_high", "window_days"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rules.WithDefaults().Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestBand(t *testing.T) {
	r := DefaultRules()
	for _, tc := range []struct {
		couponed, purchases int
		want                string
	}{
		{0, 1, "low"}, {1, 6, "low"}, {1, 5, "medium"}, {3, 15, "medium"}, {49, 100, "medium"},
		{1, 2, "high"}, {50, 100, "high"}, {7, 7, "high"},
	} {
		if got := r.band(float64(tc.couponed) / float64(tc.purchases)); got != tc.want {
			t.Errorf("%d/%d: %s, want %s", tc.couponed, tc.purchases, got, tc.want)
		}
	}
}
