package reporting

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/clusters"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// ClustersNote is the report's view of risk_clusters/dt: how many users
// each of the largest behaviour clusters holds, how many are noise, and
// how many were flagged (LOF outlier, or in a cluster below the small
// cluster threshold). Counts only: no token.
type ClustersNote struct {
	Users   int64            `json:"users"`
	Skipped map[string]int64 `json:"skipped,omitempty"`
	clusters.Summary
	SmallClusterBelow int `json:"small_cluster_below"`
}

// clustersNote reads the note from risk_clusters/dt's manifest; nil when
// the partition is not committed.
func clustersNote(job *pipeline.Job) (*ClustersNote, error) {
	m, err := job.Warehouse.Manifest(schemas.RiskClusters, job.Partition())
	if errors.Is(err, sinks.ErrNotCommitted) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st clusters.Stats
	if err := json.Unmarshal(m.Stats, &st); err != nil {
		return nil, fmt.Errorf("%s/%s: stats: %w", m.Dataset, m.Partition, err)
	}
	return &ClustersNote{Users: st.RecordsOut, Skipped: st.Skipped, Summary: st.Summary, SmallClusterBelow: st.Params.SmallCluster}, nil
}
