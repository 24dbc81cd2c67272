package residual

import (
	"cmp"
	"slices"
)

// Kinds of finding. A PII pattern's kind is PIIPrefix and the pii.Type,
// e.g. "pii:EMAIL".
const (
	RawExact       = "raw_exact"
	RawSubstring   = "raw_substring"
	MalformedToken = "malformed_token"
	PIIPrefix      = "pii:"
)

// Finding is one kind of leak in one column: where and how often, never
// what. Count is the number of distinct values found in the column; for
// RowCheck it is the number of rows, for ScanText of occurrences.
type Finding struct {
	Dataset string `json:"dataset"`
	Column  string `json:"column"`
	Kind    string `json:"kind"`
	Count   int64  `json:"count"`
}

// Result sums up a scan. Passed is false when there is any finding;
// collisions are informational.
type Result struct {
	Passed bool `json:"passed"`
	// Needles is the number of raw values looked for.
	Needles int64 `json:"needles"`
	// Cells counts the non-null string cells (and texts) checked.
	Cells int64 `json:"cells"`
	// Distinct counts the values checked in full, once per column, except
	// that a UUID in a Kept column is checked, and counted, per cell.
	// Well-formed tokens are checked per cell by their grammar alone and
	// are not in it.
	Distinct   int64     `json:"distinct"`
	Findings   []Finding `json:"findings,omitempty"`
	Collisions []Finding `json:"collisions,omitempty"`
}

type findingKey struct{ dataset, column, kind string }

// sorted turns counts into findings ordered by dataset, column and kind.
func sorted(m map[findingKey]int64) []Finding {
	var out []Finding
	for k, n := range m {
		out = append(out, Finding{Dataset: k.dataset, Column: k.column, Kind: k.kind, Count: n})
	}
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Dataset, b.Dataset), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}
