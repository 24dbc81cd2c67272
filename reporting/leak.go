package reporting

import (
	"context"
	"net/netip"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// scanner looks through string columns for raw values (exact match) and
// for PII patterns. Each distinct value of a column is checked once:
// tokens and categories repeat, so this is far cheaper than per cell.
type scanner struct {
	raw      map[string]struct{}
	check    LeakCheck
	findings map[Finding]int64
}

func newScanner(raw map[string]struct{}) *scanner {
	return &scanner{raw: raw, findings: map[Finding]int64{}, check: LeakCheck{RawValues: len(raw)}}
}

func (s *scanner) scanPartition(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, ds schemas.Dataset, p sinks.Partition) error {
	seen := map[int]map[string]struct{}{}
	for i, f := range ds.Schema.Fields() {
		if f.Type.ID() == arrow.STRING {
			seen[i] = map[string]struct{}{}
			s.check.Columns++
		}
	}
	return wh.Scan(ctx, mem, ds, p, func(rec arrow.RecordBatch) error {
		for i, distinct := range seen {
			col := rec.Column(i).(*array.String)
			name := ds.Schema.Field(i).Name
			for r := 0; r < col.Len(); r++ {
				if col.IsNull(r) {
					continue
				}
				s.check.Cells++
				v := col.Value(r)
				if _, ok := distinct[v]; ok {
					continue
				}
				distinct[v] = struct{}{}
				s.checkValue(ds.Name, name, v)
			}
		}
		return ctx.Err()
	})
}

func (s *scanner) checkValue(dataset, column, v string) {
	if _, ok := s.raw[v]; ok {
		s.findings[Finding{Dataset: dataset, Column: column, Kind: "raw_value"}]++
	}
	if isNetwork(v) {
		return // a generalised network prefix (host bits zero) is the policy's output
	}
	for _, sp := range pii.Find(v) {
		s.findings[Finding{Dataset: dataset, Column: column, Kind: "pii_pattern:" + string(sp.Type)}]++
	}
}

func (s *scanner) result() LeakCheck {
	c := s.check
	for f, n := range s.findings {
		f.Count = n
		c.Findings = append(c.Findings, f)
	}
	sort.Slice(c.Findings, func(i, j int) bool {
		a, b := c.Findings[i], c.Findings[j]
		if a.Dataset != b.Dataset {
			return a.Dataset < b.Dataset
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Kind < b.Kind
	})
	c.Passed = len(c.Findings) == 0
	for _, t := range pii.Types {
		c.PatternTypes = append(c.PatternTypes, string(t))
	}
	return c
}

// isNetwork reports whether v is a CIDR prefix with its host bits zero,
// such as ingest writes to ip_prefix.
func isNetwork(v string) bool {
	p, err := netip.ParsePrefix(v)
	return err == nil && p.Masked() == p
}
