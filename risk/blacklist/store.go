package blacklist

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Sections of blacklist rows (schemas.Blacklist).
const (
	secMeta    = "meta"
	secEntry   = "entry"
	secLift    = "lift"
	secPending = "pending"
)

// Columns of schemas.Blacklist, in order.
const (
	cSection = iota
	cVersion
	cEntity
	cToken
	cReason
	cSeverity
	cBlock
	cSource
	cRunID
	cEvidence
	cEventID
	cAt
	cExpires
	cLifted
	cLiftCase
	cLiftVersion
	nCols
)

// batchRows bounds a record: the list is small next to the events, and
// a bounded record keeps memory flat when it is not.
const batchRows = 64 << 10

// Write writes the list as one Parquet file of the partition; the caller
// commits pw (or aborts it on error).
func (l *List) Write(ctx context.Context, pw *sinks.PartitionWriter, mem memory.Allocator) error {
	fw, err := pw.Parquet(mem)
	if err != nil {
		return fmt.Errorf("write %s: %w", schemas.Blacklist.Name, err)
	}
	if err := l.WriteParquet(ctx, fw, mem); err != nil {
		_ = fw.Close() // the caller aborts the partition
		return err
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", schemas.Blacklist.Name, err)
	}
	return nil
}

// WriteParquet writes the list's rows into an open file of a blacklist
// partition.
func (l *List) WriteParquet(ctx context.Context, fw *sinks.ParquetWriter, mem memory.Allocator) error {
	err := l.Records(mem, batchRows, func(rec arrow.RecordBatch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", schemas.Blacklist.Name, err)
	}
	return nil
}

// Records builds the list's rows (schemas.Blacklist) in records of at
// most batch rows, in the canonical order: meta, entries and lifts by
// version, pending flags by entity, token and time.
func (l *List) Records(mem memory.Allocator, batch int, fn func(arrow.RecordBatch) error) error {
	l.Settle() // FoldEvent leaves Pending to settle before it is written
	b := array.NewRecordBuilder(mem, schemas.Blacklist.Schema)
	defer b.Release()
	str := func(c int) *array.StringBuilder { return b.Field(c).(*array.StringBuilder) }
	i64 := func(c int) *array.Int64Builder { return b.Field(c).(*array.Int64Builder) }
	tsb := func(c int) *array.TimestampBuilder { return b.Field(c).(*array.TimestampBuilder) }
	optStr := func(c int, s string) {
		if s == "" {
			str(c).AppendNull()
		} else {
			str(c).Append(s)
		}
	}
	optTS := func(c int, ms int64) {
		if ms == 0 {
			tsb(c).AppendNull()
		} else {
			tsb(c).Append(arrow.Timestamp(ms))
		}
	}
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		n = 0
		return fn(rec)
	}
	// row appends one row; unset columns are null.
	type row struct {
		section, entity, token, reason, source, runID, evidence, eventID, liftCase string
		version, at, expires, lifted, liftVersion                                  int64
		severity                                                                   int
		block                                                                      bool
	}
	emit := func(r row) error {
		str(cSection).Append(r.section)
		i64(cVersion).Append(r.version)
		optStr(cEntity, r.entity)
		optStr(cToken, r.token)
		optStr(cReason, r.reason)
		if r.section == secEntry || r.section == secPending {
			i64(cSeverity).Append(int64(r.severity))
			b.Field(cBlock).(*array.BooleanBuilder).Append(r.block)
		} else {
			i64(cSeverity).AppendNull()
			b.Field(cBlock).(*array.BooleanBuilder).AppendNull()
		}
		optStr(cSource, r.source)
		optStr(cRunID, r.runID)
		optStr(cEvidence, r.evidence)
		optStr(cEventID, r.eventID)
		tsb(cAt).Append(arrow.Timestamp(r.at))
		optTS(cExpires, r.expires)
		optTS(cLifted, r.lifted)
		optStr(cLiftCase, r.liftCase)
		if r.liftVersion == 0 {
			i64(cLiftVersion).AppendNull()
		} else {
			i64(cLiftVersion).Append(r.liftVersion)
		}
		if n++; n >= batch {
			return flush()
		}
		return nil
	}
	next := max(l.NextVersion, 1)
	if err := emit(row{section: secMeta, version: next, at: l.Through}); err != nil {
		return err
	}
	for _, e := range l.Entries {
		err := emit(row{section: secEntry, version: e.Version, entity: e.Entity.String(), token: e.Token, reason: e.Reason,
			severity: e.Severity, source: e.Source, runID: e.RunID, evidence: e.Evidence, at: e.AddedAt,
			expires: e.ExpiresAt, lifted: e.LiftedAt, liftCase: e.LiftCase, liftVersion: e.LiftVersion})
		if err != nil {
			return err
		}
	}
	for _, r := range l.Lifts {
		if err := emit(row{section: secLift, version: r.Version, entity: r.Entity.String(), token: r.Token, at: r.At, liftCase: r.Case}); err != nil {
			return err
		}
	}
	for _, p := range l.Pending {
		err := emit(row{section: secPending, entity: p.Entity.String(), token: p.Token, reason: p.Reason,
			severity: p.Severity, block: p.Block, source: p.Source, eventID: p.EventID, at: p.At})
		if err != nil {
			return err
		}
	}
	return flush()
}

var entityByName = func() map[string]features.Entity {
	m := map[string]features.Entity{}
	for e := features.Entity(0); e < features.NEntities; e++ {
		m[e.String()] = e
	}
	return m
}()

// ParseEntity reads an entity name: user, device, ip, ip24 or card.
func ParseEntity(s string) (features.Entity, bool) {
	e, ok := entityByName[s]
	return e, ok
}

// Read loads a committed blacklist partition.
func Read(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, part sinks.Partition) (*List, error) {
	l := &List{}
	meta := false
	row := 0
	err := w.Scan(ctx, mem, schemas.Blacklist, part, func(rec arrow.RecordBatch) error {
		s := func(c int) *array.String { return rec.Column(c).(*array.String) }
		i64 := func(c int) *array.Int64 { return rec.Column(c).(*array.Int64) }
		tsa := func(c int) *array.Timestamp { return rec.Column(c).(*array.Timestamp) }
		opt := func(a *array.String, i int) string {
			if a.IsNull(i) {
				return ""
			}
			return a.Value(i)
		}
		optTS := func(a *array.Timestamp, i int) int64 {
			if a.IsNull(i) {
				return 0
			}
			return int64(a.Value(i))
		}
		optI := func(a *array.Int64, i int) int64 {
			if a.IsNull(i) {
				return 0
			}
			return a.Value(i)
		}
		blk := rec.Column(cBlock).(*array.Boolean)
		for i := range int(rec.NumRows()) {
			row++
			sec := s(cSection).Value(i)
			var ent features.Entity
			if sec != secMeta {
				var ok bool
				if ent, ok = ParseEntity(opt(s(cEntity), i)); !ok {
					return fmt.Errorf("row %d (%s): bad entity", row, sec)
				}
			}
			switch sec {
			case secMeta:
				l.NextVersion, l.Through, meta = i64(cVersion).Value(i), int64(tsa(cAt).Value(i)), true
			case secEntry:
				l.Entries = append(l.Entries, Entry{
					Version: i64(cVersion).Value(i), Entity: ent, Token: opt(s(cToken), i), Reason: opt(s(cReason), i),
					Severity: int(optI(i64(cSeverity), i)), Source: opt(s(cSource), i), RunID: opt(s(cRunID), i),
					Evidence: opt(s(cEvidence), i), AddedAt: int64(tsa(cAt).Value(i)), ExpiresAt: optTS(tsa(cExpires), i),
					LiftedAt: optTS(tsa(cLifted), i), LiftCase: opt(s(cLiftCase), i), LiftVersion: optI(i64(cLiftVersion), i),
				})
			case secLift:
				l.Lifts = append(l.Lifts, LiftRecord{Version: i64(cVersion).Value(i),
					Lift: Lift{Entity: ent, Token: opt(s(cToken), i), At: int64(tsa(cAt).Value(i)), Case: opt(s(cLiftCase), i)}})
			case secPending:
				l.Pending = append(l.Pending, Flag{Entity: ent, Token: opt(s(cToken), i), Reason: opt(s(cReason), i),
					Severity: int(optI(i64(cSeverity), i)), Block: blk.IsValid(i) && blk.Value(i), Source: opt(s(cSource), i),
					EventID: opt(s(cEventID), i), At: int64(tsa(cAt).Value(i))})
			default:
				return fmt.Errorf("row %d: unknown section %q", row, sec)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", schemas.Blacklist.Name, part.Path(schemas.Blacklist), err)
	}
	if !meta {
		return nil, fmt.Errorf("read %s/%s: no meta row", schemas.Blacklist.Name, part.Path(schemas.Blacklist))
	}
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", schemas.Blacklist.Name, part.Path(schemas.Blacklist), err)
	}
	return l, nil
}

// Latest reads the newest committed partition with dt on or before the
// day of onOrBefore (UTC). Without one it returns an empty list and false.
func Latest(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, onOrBefore time.Time) (*List, sinks.Partition, bool, error) {
	parts, err := w.Partitions(schemas.Blacklist)
	if err != nil {
		return nil, sinks.Partition{}, false, fmt.Errorf("list %s: %w", schemas.Blacklist.Name, err)
	}
	day := onOrBefore.UTC().Format(time.DateOnly)
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i].DT > day {
			continue
		}
		l, err := Read(ctx, w, mem, parts[i])
		if err != nil {
			return nil, sinks.Partition{}, false, err
		}
		return l, parts[i], true, nil
	}
	return &List{NextVersion: 1}, sinks.Partition{}, false, nil
}

// check refuses a list whose versions a later fold would reuse or whose
// entries are out of version order: a damaged or hand-edited partition.
func (l *List) check() error {
	last := int64(0)
	for _, e := range l.Entries {
		if e.Version <= last || e.Version >= l.NextVersion || e.LiftVersion >= l.NextVersion {
			return fmt.Errorf("entry version %d out of order or not below the next version %d", e.Version, l.NextVersion)
		}
		last = e.Version
	}
	for _, r := range l.Lifts {
		if r.Version < 1 || r.Version >= l.NextVersion {
			return fmt.Errorf("lift version %d not below the next version %d", r.Version, l.NextVersion)
		}
	}
	return nil
}
