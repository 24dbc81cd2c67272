package serve

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// NewestCheckpoint is the newest committed risk_state partition's day, ""
// when there is none.
func NewestCheckpoint(w *sinks.Warehouse) (string, error) {
	parts, err := w.Partitions(schemas.RiskState)
	if err != nil {
		return "", fmt.Errorf("serve: list %s: %w", schemas.RiskState.Name, err)
	}
	dt := ""
	for _, p := range parts {
		dt = max(dt, p.DT)
	}
	return dt, nil
}

// LoadClusters reads risk_clusters/dt, the users' outlier outputs the
// rules read for events of the day after dt (decide.Decider.Clusters).
// An uncommitted partition gives nil: rules then see Cluster.Known false.
func LoadClusters(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, dt string) (map[string]rules.Cluster, error) {
	if dt == "" {
		return nil, nil
	}
	p := sinks.Partition{DT: dt}
	if _, err := w.Manifest(schemas.RiskClusters, p); errors.Is(err, sinks.ErrNotCommitted) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("serve: %s/dt=%s: %w", schemas.RiskClusters.Name, dt, err)
	}
	out := map[string]rules.Cluster{}
	err := w.Scan(ctx, mem, schemas.RiskClusters, p, func(rec arrow.RecordBatch) error {
		col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
		users := col("user_token").(*array.String)
		label, size := col("cluster").(*array.Int64), col("cluster_size").(*array.Int64)
		lof, outlier := col("lof_score").(*array.Float64), col("outlier").(*array.Boolean)
		for j := range int(rec.NumRows()) {
			out[users.Value(j)] = rules.Cluster{Known: true, Label: int(label.Value(j)), Size: int(size.Value(j)),
				LOF: lof.Value(j), Outlier: outlier.Value(j)}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("serve: read %s/dt=%s: %w", schemas.RiskClusters.Name, dt, err)
	}
	return out, nil
}
