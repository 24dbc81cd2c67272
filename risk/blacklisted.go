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

// before is row j's blacklisted_before: -1 without a list.
func (b listAsOf) before(rec arrow.RecordBatch, cols *keyColumns, j int) int8 {
	if b.l == nil {
		return -1
	}
	// The event's tokens in features.Event.Keys order: keyCopies 1..5.
	var keys [features.NEntities]string
	for k := range keys {
		if c := rec.Column(cols[3+k]).(*array.String); c.IsValid(j) {
			keys[k] = c.Value(j)
		}
	}
	t := int64(rec.Column(cols[1]).(*array.Timestamp).Value(j))
	if len(b.l.EventBefore(&keys, t, nil)) > 0 {
		return 1
	}
	return 0
}
