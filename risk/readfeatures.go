package risk

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/sinks"
)

// FeatureRow is one risk_features row as readers downstream of the stage
// (the risk list, the decision service's checks) take it: the event with
// its tokens, its features and the categorical columns a model reads.
type FeatureRow struct {
	Event   features.Event // Amount and Signup are not carried by risk_features
	Row     features.Row
	Source  string
	Browser string
}

// ReadFeatures calls fn for every row of risk_features/part in stored
// order, (ts, event_id). The row and its strings are valid only during
// the call.
func ReadFeatures(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, part sinks.Partition, fn func(*FeatureRow) error) error {
	fr := &FeatureRow{Row: make(features.Row, len(features.Defs))}
	err := w.Scan(ctx, mem, FeaturesDataset, part, func(rec arrow.RecordBatch) error {
		fc := featureColumnsOf(rec)
		cols := keyColumnsOf(rec.Schema())
		ids := rec.Column(cols[0]).(*array.String)
		tss := rec.Column(cols[1]).(*array.Timestamp)
		var keys [len(keyCopies)]*array.String
		for i := range keyCopies {
			keys[i] = rec.Column(cols[2+i]).(*array.String)
		}
		val := func(i, j int) string {
			if keys[i].IsNull(j) {
				return ""
			}
			return keys[i].Value(j)
		}
		for j := range int(rec.NumRows()) {
			fc.read(j, fr.Row)
			e := &fr.Event
			*e = features.Event{ID: ids.Value(j), TS: int64(tss.Value(j)), Type: val(0, j), Live: val(6, j)}
			e.Keys = [features.NEntities]string{val(1, j), val(2, j), val(3, j), val(4, j), val(5, j)}
			fr.Source, fr.Browser = val(7, j), val(8, j)
			if err := fn(fr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s/dt=%s: %w", FeaturesDataset.Name, part.DT, err)
	}
	return nil
}
