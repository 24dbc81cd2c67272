package anonymize

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNewAmountBuckets(t *testing.T) {
	tests := []struct {
		name   string
		edges  []float64
		labels []string
		param  string // named in the error; "" for valid edges
	}{
		{"typical", []float64{0, 10, 50, 100, 500, 1000}, []string{"<0", "0-10", "10-50", "50-100", "100-500", "500-1000", "1000+"}, ""},
		{"one edge", []float64{100}, []string{"<100", "100+"}, ""},
		{"fractions and negatives", []float64{-10, -0.5, 0.25, 1e6}, []string{"<-10", "-10--0.5", "-0.5-0.25", "0.25-1000000", "1000000+"}, ""},
		{"negative zero", []float64{math.Copysign(0, -1), 1}, []string{"<0", "0-1", "1+"}, ""},
		{"nil", nil, nil, "amount bucket edges"},
		{"empty", []float64{}, nil, "amount bucket edges"},
		{"equal", []float64{0, 10, 10}, nil, "edges[2]"},
		{"decreasing", []float64{0, 50, 10}, nil, "edges[2]"},
		{"NaN", []float64{0, math.NaN()}, nil, "edges[1]"},
		{"infinite", []float64{math.Inf(-1), 0}, nil, "edges[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewAmountBuckets(tt.edges)
			if tt.param != "" {
				if !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), tt.param) {
					t.Fatalf("NewAmountBuckets(%v) error = %v, want ErrInvalidParam naming %q", tt.edges, err, tt.param)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Labels(); !slices.Equal(got, tt.labels) {
				t.Errorf("Labels() = %q, want %q", got, tt.labels)
			}
		})
	}
}

func TestAmountBucket(t *testing.T) {
	b, err := NewAmountBuckets([]float64{0, 10, 50, 1000})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		v    float64
		want string
	}{
		{-0.01, "<0"},
		{math.Inf(-1), "<0"},
		{0, "0-10"},
		{math.Copysign(0, -1), "0-10"},
		{9.99, "0-10"},
		{10, "10-50"}, // half-open: an edge starts its bucket
		{49.999999, "10-50"},
		{50, "50-1000"},
		{999.99, "50-1000"},
		{1000, "1000+"},
		{1e12, "1000+"},
		{math.Inf(1), "1000+"},
		{math.NaN(), ""},
	}
	for _, tt := range tests {
		if got := b.Bucket(tt.v); got != tt.want {
			t.Errorf("Bucket(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	// The buckets keep their own copy of the edges.
	edges := []float64{0, 10}
	b, _ = NewAmountBuckets(edges)
	edges[1] = 5
	if got := b.Bucket(7); got != "0-10" {
		t.Errorf("after caller changed edges: Bucket(7) = %q", got)
	}
}
