package risk

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/model"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// categorical are risk_training's low-cardinality key columns, one-hot
// encoded by LoadTraining (a column per value seen, "type=purchase").
var categorical = []string{"type", "source", "browser"}

// LoadTraining reads risk_training partitions into a model dataset:
// every feature column as is (nulls NaN), blacklisted_before, the
// categorical key columns one-hot, the label and the event time. Nothing else is derived: the
// modeller's prep (imputation, scaling) belongs to the model.
func LoadTraining(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, parts []sinks.Partition) (model.Dataset, error) {
	ds := model.Dataset{}
	feats := make([][]float64, len(features.Defs))
	var cats [][]string
	var blacklisted []float64
	row := make(features.Row, len(features.Defs))
	for _, p := range parts {
		err := w.Scan(ctx, mem, TrainingDataset, p, func(rec arrow.RecordBatch) error {
			sch := rec.Schema()
			fc := featureColumnsOf(rec)
			label := rec.Column(sch.FieldIndices("label")[0]).(*array.Int32)
			listed := rec.Column(sch.FieldIndices(schemas.BlacklistedBefore)[0]).(*array.Int32)
			ts := rec.Column(sch.FieldIndices("ts")[0]).(*array.Timestamp)
			catCols := make([]*array.String, len(categorical))
			for i, c := range categorical {
				catCols[i] = rec.Column(sch.FieldIndices(c)[0]).(*array.String)
			}
			for j := range int(rec.NumRows()) {
				fc.read(j, row)
				for i, v := range row {
					feats[i] = append(feats[i], v)
				}
				vals := make([]string, len(categorical))
				for i, c := range catCols {
					if c.IsValid(j) {
						vals[i] = c.Value(j)
					}
				}
				cats = append(cats, vals)
				if listed.IsValid(j) {
					blacklisted = append(blacklisted, float64(listed.Value(j)))
				} else {
					blacklisted = append(blacklisted, features.Null)
				}
				ds.Label = append(ds.Label, label.Value(j) == 1)
				ds.Time = append(ds.Time, int64(ts.Value(j)))
			}
			return nil
		})
		if err != nil {
			return ds, fmt.Errorf("read %s/dt=%s: %w", TrainingDataset.Name, p.DT, err)
		}
	}
	for i, d := range features.Defs {
		ds.Names = append(ds.Names, d.Name)
		ds.X = append(ds.X, feats[i])
	}
	ds.Names = append(ds.Names, schemas.BlacklistedBefore)
	ds.X = append(ds.X, blacklisted)
	for i, c := range categorical {
		var values []string
		for _, r := range cats {
			if r[i] != "" && !slices.Contains(values, r[i]) {
				values = append(values, r[i])
			}
		}
		slices.Sort(values)
		for _, v := range values {
			col := make([]float64, len(cats))
			for k, r := range cats {
				if r[i] == v {
					col[k] = 1
				}
			}
			ds.Names = append(ds.Names, c+"="+v)
			ds.X = append(ds.X, col)
		}
	}
	return ds, nil
}
