package reporting

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Finding kinds in the report. The first and last keep the names of the
// report's first format; substring and token findings came with the
// residual scan.
const (
	KindRawValue       = "raw_value"       // a whole value is a raw value
	KindRawSubstring   = "raw_substring"   // a raw value occurs inside a value
	KindMalformedToken = "malformed_token" // a token column holds a non-token
	KindPIIPattern     = "pii_pattern:"    // followed by the pii.Type
)

// scanner re-scans committed partitions with anonymize/residual: each
// string column, and each list of strings element by element, by the class
// its schema implies (columnClasses), each distinct value of a column once.
// The day's raw values are held in a residual.Spill within the memory
// budget VEIL_RESIDUAL_MEMORY gives: scanPartition only notes a partition,
// and result scans the noted partitions once per shard of the raw values
// (once when they fit the budget, as they do for all but very large days).
type scanner struct {
	spill   *residual.Spill
	columns int
	// policy holds, for datasets a policy fills, the class of each column
	// as the policy says (kept columns are Kept); it overrides the
	// schema-derived classes.
	policy map[string]map[string]residual.Class
	parts  []scanTarget
}

// scanTarget is a partition to scan and how.
type scanTarget struct {
	wh      *sinks.Warehouse
	mem     memory.Allocator
	ds      schemas.Dataset
	p       sinks.Partition
	cols    []string
	classes map[string]residual.Class
}

// newScanner returns a scanner for the raw values given.
func newScanner(raw map[string]struct{}) *scanner {
	s := &scanner{spill: residual.NewSpill(residual.DefaultBudget, "")}
	for v := range raw {
		s.spill.Add(v) // cannot fail: DefaultBudget holds a test's values
	}
	return s
}

// newSpillScanner returns a scanner whose raw values, added to its
// spill as they are read (ingest.EachRawValue), stay within the budget
// VEIL_RESIDUAL_MEMORY gives rather than gathering in a map first.
func newSpillScanner() (*scanner, error) {
	budget, err := residual.BudgetFromEnv()
	if err != nil {
		return nil, err
	}
	return &scanner{spill: residual.NewSpill(budget, "")}, nil
}

// close removes what the raw values spilled to disk.
func (s *scanner) close() { s.spill.Close() }

func (s *scanner) scanPartition(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, ds schemas.Dataset, p sinks.Partition) error {
	var cols []string
	for _, f := range ds.Schema.Fields() {
		if holdsStrings(f.Type) {
			cols = append(cols, f.Name)
		}
	}
	s.columns += len(cols)
	if len(cols) == 0 {
		return nil
	}
	classes := columnClasses(ds.Schema)
	for col, c := range s.policy[ds.Name] {
		classes[col] = c
	}
	s.parts = append(s.parts, scanTarget{wh, mem, ds, p, cols, classes})
	return ctx.Err()
}

// scan reads every noted partition into sc.
func (s *scanner) scan(ctx context.Context, sc *residual.Scanner) error {
	for _, t := range s.parts {
		err := t.wh.Scan(ctx, t.mem, t.ds, t.p, func(rec arrow.RecordBatch) error {
			sc.ScanRecord(t.ds.Name, rec, t.classes)
			return ctx.Err()
		}, t.cols...)
		if err != nil {
			return fmt.Errorf("leak check: %s/%s: %w", t.ds.Name, t.p.DT, err)
		}
	}
	return nil
}

// holdsStrings reports whether a column of type t holds strings: a string
// column, or a list of them (at any depth).
func holdsStrings(t arrow.DataType) bool {
	switch t := t.(type) {
	case *arrow.StringType:
		return true
	case *arrow.ListType:
		return holdsStrings(t.Elem())
	}
	return false
}

// columnClasses derives each string column's residual class from the
// schema, which does not record the policy: chat text is Text; a column
// marked opaque (schemas.BoundsKey "skip") or named *_token holds tokens;
// a column named *_id holds identifiers, matched exactly against raw
// values but not searched for PII patterns (a Luhn-valid digit run in an
// id is not a card); everything else is checked as Generalised, the full
// check. evidence columns are veil's own JSON of feature values or a
// digest, checked as identifiers. The name rules catch the token and id columns of derived
// datasets, which carry no metadata: searching base64 for substrings
// finds short numeric ids in it by chance. Datasets a policy fills get
// the policy's classes instead (scanner.policy).
func columnClasses(s *arrow.Schema) map[string]residual.Class {
	classes := map[string]residual.Class{}
	for _, f := range s.Fields() {
		bounds, _ := f.Metadata.GetValue(schemas.BoundsKey)
		switch {
		case f.Name == "text" || f.Name == "question" || f.Name == "answer": // chats_clean, chat_pairs
			classes[f.Name] = residual.Text
		case f.Name == "evidence": // risk_list (feature values as JSON), blacklist (a digest)
			// Made by veil from numbers and names, never from input text:
			// held to exact matches against raw values, like identifiers.
			classes[f.Name] = residual.Identifier
		case bounds == "skip" || strings.HasSuffix(f.Name, "_token"):
			classes[f.Name] = residual.Token
		case strings.HasSuffix(f.Name, "_id"):
			classes[f.Name] = residual.Identifier
		default:
			classes[f.Name] = residual.Generalised
		}
	}
	return classes
}

// result scans the noted partitions and sums up what was found.
func (s *scanner) result(ctx context.Context) (LeakCheck, error) {
	r, err := s.spill.Scan(func(sc *residual.Scanner) error { return s.scan(ctx, sc) })
	if err != nil {
		return LeakCheck{}, err
	}
	c := LeakCheck{Passed: r.Passed, RawValues: int(r.Needles), Columns: s.columns, Cells: r.Cells}
	for _, f := range r.Findings {
		c.Findings = append(c.Findings, Finding{Dataset: f.Dataset, Column: f.Column, Kind: reportKind(f.Kind), Count: f.Count})
	}
	slices.SortFunc(c.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Dataset, b.Dataset), cmp.Compare(a.Column, b.Column), cmp.Compare(a.Kind, b.Kind))
	})
	for _, t := range pii.Types {
		c.PatternTypes = append(c.PatternTypes, string(t))
	}
	return c, nil
}

// reportKind names a residual finding kind as the report does.
func reportKind(kind string) string {
	if t, ok := strings.CutPrefix(kind, residual.PIIPrefix); ok {
		return KindPIIPattern + t
	}
	if kind == residual.RawExact {
		return KindRawValue
	}
	return kind // raw_substring, malformed_token: the same names
}
