package schemas

import "github.com/apache/arrow-go/v18/arrow"

// RiskClusters is the behaviour clustering of dt's users (risk/clusters):
// one row per user of risk_entities/dt whose configured features are all
// present, sorted by user_token. The features are standardised, then
// clustered by DBSCAN and scored by LocalOutlierFactor with scikit-learn
// 1.2's semantics; which features and parameters were used is in the
// partition's manifest. Only tokens and derived numbers: no raw value.
//
// cluster is DBSCAN's label (-1 noise, clusters numbered from 0 in
// expansion order); cluster_size is the users in that cluster, 1 for a
// noise point (it is alone); small_cluster is cluster_size below the
// configured threshold, so noise is always small. lof_score is
// negative_outlier_factor_ (lower is more anomalous) and outlier its
// fit_predict flag.
var RiskClusters = Dataset{
	Name:    "risk_clusters",
	Version: 1,
	Doc:     "per user: DBSCAN behaviour cluster, its size and LOF outlier score over standardised risk_entities features",
	Schema: arrow.NewSchema([]arrow.Field{
		opaque(str("user_token", false)),
		{Name: "cluster", Type: arrow.PrimitiveTypes.Int64},
		{Name: "cluster_size", Type: arrow.PrimitiveTypes.Int64},
		{Name: "small_cluster", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "lof_score", Type: arrow.PrimitiveTypes.Float64},
		{Name: "outlier", Type: arrow.FixedWidthTypes.Boolean},
	}, nil),
}
