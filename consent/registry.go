package consent

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Registry is one committed partition of optout_registry, loaded for
// lookups: who is opted out as of the end of its date.
type Registry struct {
	dt          string
	fingerprint string
	keyIDs      map[string]uint32
	optedOut    map[string]struct{}
}

// Load reads optout_registry/dt=dt. A partition that is not committed
// gives an error wrapping sinks.ErrNotCommitted.
func Load(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, dt string) (*Registry, error) {
	ds, p := schemas.OptOutRegistry, sinks.Partition{DT: dt}
	m, err := wh.Manifest(ds, p)
	if err != nil {
		return nil, fmt.Errorf("consent: load %s: %w", dt, err)
	}
	r := &Registry{dt: dt, fingerprint: m.Fingerprint(), keyIDs: m.KeyIDs, optedOut: map[string]struct{}{}}
	err = wh.Scan(ctx, mem, ds, p, func(rec arrow.RecordBatch) error {
		tok, opted := rec.Column(0).(*array.String), rec.Column(1).(*array.Boolean)
		for i := range int(rec.NumRows()) {
			if opted.Value(i) {
				r.optedOut[tok.Value(i)] = struct{}{}
			}
		}
		return nil
	}, "user_token", "opted_out")
	if err != nil {
		return nil, fmt.Errorf("consent: load %s: %w", dt, err)
	}
	// A commit between the manifest read and the scan would pair one
	// version's fingerprint with another's rows.
	if m2, err := wh.Manifest(ds, p); err != nil || m2.Fingerprint() != r.fingerprint {
		return nil, fmt.Errorf("consent: load %s: the partition changed while it was read; load it again", dt)
	}
	return r, nil
}

// Latest loads the newest committed registry partition dated notBefore or
// later (YYYY-MM-DD). A question about an older date is answered with
// today's registry, so an opt-out that arrived since is still honoured.
// With none that recent, the error wraps sinks.ErrNotCommitted.
func Latest(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, notBefore string) (*Registry, error) {
	if _, err := time.Parse(time.DateOnly, notBefore); err != nil {
		return nil, fmt.Errorf("consent: latest: want a YYYY-MM-DD date, got %q", notBefore)
	}
	parts, err := wh.Partitions(schemas.OptOutRegistry)
	if err != nil {
		return nil, fmt.Errorf("consent: latest: %w", err)
	}
	if n := len(parts); n > 0 && parts[n-1].DT >= notBefore {
		return Load(ctx, wh, mem, parts[n-1].DT)
	}
	return nil, fmt.Errorf("consent: no %s committed on or after %s: %w", schemas.OptOutRegistry.Name, notBefore, sinks.ErrNotCommitted)
}

// OptedOut reports whether the consumer with this user_token had opted out
// of personalised marketing as of the end of DT.
func (r *Registry) OptedOut(userToken string) bool {
	_, ok := r.optedOut[userToken]
	return ok
}

// Len is the number of consumers opted out.
func (r *Registry) Len() int { return len(r.optedOut) }

// DT is the registry's partition date.
func (r *Registry) DT() string { return r.dt }

// Fingerprint is the partition's manifest fingerprint: a reader records it
// as an input, so that its output is recomputed when the registry changes.
func (r *Registry) Fingerprint() string { return r.fingerprint }

// KeyIDs are the key ids the registry's tokens were made under. A reader
// must compare them with its own input's: under different keys the same
// consumer has different tokens, and an opted-out consumer would not match.
func (r *Registry) KeyIDs() map[string]uint32 { return r.keyIDs }

// ReadEntries reads every row of optout_registry/dt=dt, in file order
// (by token). A partition that is not committed gives an error wrapping
// sinks.ErrNotCommitted.
func ReadEntries(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, dt string) ([]Entry, error) {
	var out []Entry
	err := wh.Scan(ctx, mem, schemas.OptOutRegistry, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		tok := rec.Column(0).(*array.String)
		opted := rec.Column(1).(*array.Boolean)
		since := rec.Column(2).(*array.Timestamp)
		first := rec.Column(3).(*array.Timestamp)
		changes := rec.Column(4).(*array.Int64)
		for i := range int(rec.NumRows()) {
			e := Entry{
				UserToken: tok.Value(i),
				OptedOut:  opted.Value(i),
				Since:     time.UnixMilli(int64(since.Value(i))).UTC(),
				Changes:   changes.Value(i),
			}
			if first.IsValid(i) {
				e.FirstOptOut = time.UnixMilli(int64(first.Value(i))).UTC()
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("consent: read %s: %w", dt, err)
	}
	return out, nil
}

// NewRecord builds an optout_registry record of entries; the caller
// releases it.
func NewRecord(mem memory.Allocator, entries []Entry) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schemas.OptOutRegistry.Schema)
	defer b.Release()
	b.Reserve(len(entries))
	tok := b.Field(0).(*array.StringBuilder)
	opted := b.Field(1).(*array.BooleanBuilder)
	since := b.Field(2).(*array.TimestampBuilder)
	first := b.Field(3).(*array.TimestampBuilder)
	changes := b.Field(4).(*array.Int64Builder)
	for _, e := range entries {
		tok.Append(e.UserToken)
		opted.Append(e.OptedOut)
		since.Append(arrow.Timestamp(e.Since.UnixMilli()))
		if e.FirstOptOut.IsZero() {
			first.AppendNull()
		} else {
			first.Append(arrow.Timestamp(e.FirstOptOut.UnixMilli()))
		}
		changes.Append(e.Changes)
	}
	return b.NewRecordBatch()
}
