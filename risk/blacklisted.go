package risk

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// listAsOf answers risk_training's blacklisted_before from the day's
// blacklist: every entry carries the moment it was admitted and lifted,
// so asking just before an event sees only what was known before it.
type listAsOf struct{ l *blacklist.List }

// dayBlacklist reads blacklist/dt; a nil list when it is not committed.
func dayBlacklist(ctx context.Context, job *pipeline.Job) (listAsOf, error) {
	if _, err := job.Warehouse.Manifest(schemas.Blacklist, job.Partition()); errors.Is(err, sinks.ErrNotCommitted) {
		return listAsOf{}, nil
	} else if err != nil {
		return listAsOf{}, err
	}
	l, err := blacklist.Read(ctx, job.Warehouse, job.Mem, job.Partition())
	return listAsOf{l}, err
}

// blacklistEntities are the key columns, by keyCopies index, whose tokens
// the blacklist may hold.
var blacklistEntities = [...]struct {
	col int
	e   features.Entity
}{{1, features.User}, {2, features.Device}, {3, features.IP}, {5, features.Card}}

// before is row j's blacklisted_before: -1 without a list.
func (b listAsOf) before(rec arrow.RecordBatch, cols *keyColumns, j int) int8 {
	if b.l == nil {
		return -1
	}
	t := int64(rec.Column(cols[1]).(*array.Timestamp).Value(j))
	for _, k := range blacklistEntities {
		c := rec.Column(cols[2+k.col]).(*array.String)
		if c.IsValid(j) {
			if _, ok := b.l.LookupBefore(k.e, c.Value(j), t); ok {
				return 1
			}
		}
	}
	return 0
}
