package anonymize

import (
	"math"
	"sort"
	"strconv"
)

// AmountBuckets coarsens amounts to half-open ranges between edges:
// [e[i-1], e[i]) is labelled "e[i-1]-e[i]", below the first edge "<e[0]"
// (refunds and corrections can be negative), from the last "e[n-1]+".
// Edges [0 10 50 1000] give "<0", "0-10", "10-50", "50-1000", "1000+".
// Edges are written in the shortest form that reads back to the same
// float ("0.5", "1000"). It is immutable and safe for concurrent use.
type AmountBuckets struct {
	edges  []float64
	labels []string // len(edges)+1
}

// NewAmountBuckets returns the buckets for edges: at least one, finite and
// strictly increasing.
func NewAmountBuckets(edges []float64) (*AmountBuckets, error) {
	if len(edges) == 0 {
		return nil, paramError("amount bucket edges: need at least one")
	}
	for i, e := range edges {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return nil, paramError("amount bucket edges[%d]: %v is not a finite number", i, e)
		}
		if i > 0 && e <= edges[i-1] {
			return nil, paramError("amount bucket edges[%d]: %v is not above edges[%d] (%v)", i, e, i-1, edges[i-1])
		}
	}
	// +0 turns -0 into 0, so no label reads "-0".
	f := func(v float64) string { return strconv.FormatFloat(v+0, 'f', -1, 64) }
	b := &AmountBuckets{edges: append([]float64(nil), edges...)}
	b.labels = append(b.labels, "<"+f(edges[0]))
	for i := 1; i < len(edges); i++ {
		b.labels = append(b.labels, f(edges[i-1])+"-"+f(edges[i]))
	}
	b.labels = append(b.labels, f(edges[len(edges)-1])+"+")
	return b, nil
}

// Bucket returns the label of v's bucket, or "" for NaN, which belongs to
// none.
func (b *AmountBuckets) Bucket(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	// The number of edges <= v is the bucket's index.
	return b.labels[sort.Search(len(b.edges), func(i int) bool { return b.edges[i] > v })]
}

// Labels returns the bucket labels, lowest first.
func (b *AmountBuckets) Labels() []string { return append([]string(nil), b.labels...) }
