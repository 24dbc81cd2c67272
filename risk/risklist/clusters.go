package risklist

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// featureIndex maps a feature's name to its place in a Row.
var featureIndex = func() map[string]int {
	m := make(map[string]int, len(features.Defs))
	for i, d := range features.Defs {
		m[d.Name] = i
	}
	return m
}()

// readClusters reads risk_clusters of the day before dt: what rules may
// know of a user's cluster when they decide dt's events.
func readClusters(ctx context.Context, job *pipeline.Job) (map[string]rules.Cluster, string, error) {
	dt := job.Date.AddDate(0, 0, -1).Format(time.DateOnly)
	m, err := Clusters(ctx, job.Warehouse, job.Mem, dt)
	if m == nil {
		dt = ""
	}
	return m, dt, err
}

// Clusters reads risk_clusters/dt as the rules take it: each user's
// outlier outputs by token, for decisions on events of the day after dt.
// An uncommitted partition gives nil: rules then see Cluster.Known false.
func Clusters(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, dt string) (map[string]rules.Cluster, error) {
	p := sinks.Partition{DT: dt}
	if dt == "" {
		return nil, nil
	}
	if _, err := w.Manifest(schemas.RiskClusters, p); errors.Is(err, sinks.ErrNotCommitted) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	out := map[string]rules.Cluster{}
	err := w.Scan(ctx, mem, schemas.RiskClusters, p, func(rec arrow.RecordBatch) error {
		col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
		tok := col("user_token").(*array.String)
		cl, size := col("cluster").(*array.Int64), col("cluster_size").(*array.Int64)
		lof, outlier := col("lof_score").(*array.Float64), col("outlier").(*array.Boolean)
		for j := range int(rec.NumRows()) {
			// The key outlives the record: a copy, not a view of its buffer.
			out[strings.Clone(tok.Value(j))] = rules.Cluster{Known: true, Label: int(cl.Value(j)), Size: int(size.Value(j)),
				LOF: lof.Value(j), Outlier: outlier.Value(j)}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s/dt=%s: %w", schemas.RiskClusters.Name, dt, err)
	}
	return out, nil
}
