package reporting

import (
	"context"
	"errors"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// audiences summarises audience_releases/dt, if any query was made.
func audiences(ctx context.Context, job *pipeline.Job) (Audiences, error) {
	a := Audiences{Refused: map[string]int64{}, BudgetSpent: map[string]float64{}}
	ds := schemas.AudienceReleases
	col := func(rec arrow.RecordBatch, name string) arrow.Array {
		return rec.Column(ds.Schema.FieldIndices(name)[0])
	}
	err := job.Warehouse.Scan(ctx, job.Mem, ds, job.Partition(), func(rec arrow.RecordBatch) error {
		var (
			merchant = col(rec, "merchant_id").(*array.String)
			action   = col(rec, "action").(*array.String)
			verdict  = col(rec, "verdict").(*array.String)
			reason   = col(rec, "reason").(*array.String)
			k        = col(rec, "k_anonymity").(*array.Int64)
			l        = col(rec, "l_diversity").(*array.Int64)
			spent    = col(rec, "budget_spent").(*array.Float64)
			period   = col(rec, "budget_period").(*array.String)
		)
		for i := range int(rec.NumRows()) {
			if !spent.IsNull(i) {
				a.BudgetSpent[merchant.Value(i)+" "+period.Value(i)] = spent.Value(i)
			}
			if verdict.Value(i) != "released" {
				a.Refused[reasonClass(reason.Value(i))]++
				continue
			}
			a.Released++
			if action.Value(i) != "export" {
				continue
			}
			a.Exports++
			if !k.IsNull(i) && (a.SmallestClass == 0 || k.Value(i) < a.SmallestClass) {
				a.SmallestClass = k.Value(i)
			}
			if !l.IsNull(i) && (a.LowestL == 0 || l.Value(i) < a.LowestL) {
				a.LowestL = l.Value(i)
			}
		}
		return nil
	})
	if errors.Is(err, sinks.ErrNotCommitted) {
		err = nil
	}
	return a, err
}

// reasonClass is the part of a refusal reason before its details.
func reasonClass(r string) string {
	if i := strings.IndexByte(r, ':'); i > 0 {
		return r[:i]
	}
	return r
}
