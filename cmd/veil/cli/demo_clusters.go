package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/veil-data/veil/risk/clusters"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// clustersSummary prints each day's risk_clusters: users clustered, the
// largest clusters, noise and how many users were flagged.
func (a *app) clustersSummary(wh *sinks.Warehouse, start time.Time, days int) error {
	for d := 0; d < days; d++ {
		dt := start.AddDate(0, 0, d).Format(time.DateOnly)
		m, err := wh.Manifest(schemas.RiskClusters, sinks.Partition{DT: dt})
		if err != nil {
			return err
		}
		var st clusters.Stats
		if err := json.Unmarshal(m.Stats, &st); err != nil {
			return fmt.Errorf("%s/dt=%s: stats: %w", schemas.RiskClusters.Name, dt, err)
		}
		var top []string
		for _, c := range st.Largest[:min(5, len(st.Largest))] {
			top = append(top, fmt.Sprint(c.Users))
		}
		lead := "clusters "
		if d > 0 {
			lead = "         "
		}
		fmt.Fprintf(a.stdout, "%s %s: %d users in %d DBSCAN clusters (largest %s), %d noise; %d LOF outliers; %d flagged (outlier or cluster < %d); skipped %s\n",
			lead, dt, st.RecordsOut, st.Clusters, strings.Join(top, ", "), st.Noise, st.Outliers, st.Flagged, st.Params.SmallCluster, counts(st.Skipped))
	}
	return nil
}
