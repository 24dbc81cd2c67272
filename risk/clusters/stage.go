// Package clusters is the risk_clusters stage: each day it turns the user
// rows of risk_entities into standardised behaviour vectors, clusters them
// with DBSCAN and scores them with LocalOutlierFactor (risk/outlier,
// scikit-learn 1.2's semantics), and writes one row per user token. A
// member-posing merchant, a bot farm or a ring of coupon accounts shows up
// as noise, a small cluster or a low LOF score.
package clusters

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/outlier"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Stage computes risk_clusters/dt from risk_entities/dt.
type Stage struct {
	// Config chooses features and parameters; nil is the embedded
	// configs/clusters.yaml.
	Config *Config
	// Workers bounds the neighbour queries' goroutines (0: GOMAXPROCS);
	// the rows do not depend on it.
	Workers int
}

// Name is "clusters".
func (Stage) Name() string { return "clusters" }

func (s Stage) config() *Config {
	if s.Config != nil {
		return s.Config
	}
	return DefaultConfig()
}

// ConfigFingerprint makes the stage pipeline.Configured: a new feature
// list or parameter recomputes the partitions.
func (s Stage) ConfigFingerprint() string { return s.config().Fingerprint() }

// Plan reads risk_entities/dt and writes risk_clusters/dt.
func (Stage) Plan(dt time.Time) pipeline.Plan {
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	return pipeline.Plan{
		Inputs:  []pipeline.Input{{Dataset: schemas.RiskEntities, Partition: p, Required: true}},
		Outputs: []pipeline.Output{{Dataset: schemas.RiskClusters, Partition: p}},
	}
}

// Stats is the stage's account: every user row read is written or
// skipped for a reason; RecordsIn = RecordsOut + sum(Skipped).
type Stats struct {
	pipeline.Stats
	Skipped map[string]int64 `json:"skipped,omitempty"` // by reason
	Params  Params           `json:"params"`
	Summary
}

// Summary is what the report's clusters note shows.
type Summary struct {
	Clusters     int            `json:"clusters"`
	Noise        int64          `json:"noise"`
	Outliers     int64          `json:"lof_outliers"`
	SmallCluster int64          `json:"small_cluster_users"` // noise included
	Flagged      int64          `json:"flagged"`             // outlier or small cluster
	Largest      []ClusterCount `json:"largest_clusters"`    // up to 10, largest first
}

// ClusterCount is one cluster's users.
type ClusterCount struct {
	Cluster int   `json:"cluster"`
	Users   int64 `json:"users"`
}

// Run reads the users, clusters and scores them, and commits.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := s.config()
	us, err := readUsers(ctx, job, cfg.Features)
	if err != nil {
		return err
	}
	st := Stats{Skipped: us.skipped, Params: cfg.params()}
	st.RecordsIn = us.read
	st.Transforms = map[string]string{"*": "risk_entities user rows: features standardised, DBSCAN label and LOF score per user_token (configs/clusters.yaml)"}
	n := len(us.tokens)
	var res *result
	if n < cfg.MinUsers {
		if n > 0 {
			st.Skipped["too_few_users"] += int64(n)
		}
		us.tokens = nil
	} else if res, err = s.cluster(ctx, cfg, us); err != nil {
		return err
	}
	pw, err := job.Warehouse.Begin(schemas.RiskClusters, job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return err
	}
	if res != nil {
		st.Summary = res.summary(cfg)
		if err := res.write(job, fw, us.tokens, cfg); err != nil {
			return err
		}
	}
	if err := fw.Close(); err != nil {
		return err
	}
	st.RecordsOut = fw.Rows()
	if _, err := pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: st}); err != nil {
		return err
	}
	log.Info("risk clusters committed", "dt", job.DT(), "users", st.RecordsIn, "written", st.RecordsOut,
		"clusters", st.Clusters, "noise", st.Noise, "lof_outliers", st.Outliers, "flagged", st.Flagged)
	return nil
}

// result is DBSCAN's and LOF's output over the users, in token order.
type result struct {
	db   *outlier.DBSCANResult
	lof  *outlier.LOFResult
	size []int64 // users per cluster label
}

func (s Stage) cluster(ctx context.Context, cfg *Config, us *users) (*result, error) {
	m := outlier.Standardize(us.m)
	dp := cfg.dbscan()
	dp.Workers = s.Workers
	db, err := outlier.DBSCAN(ctx, m, dp)
	if err != nil {
		return nil, fmt.Errorf("clusters: dbscan: %w", err)
	}
	lp := cfg.lof()
	lp.Workers = s.Workers
	lof, err := outlier.LOF(ctx, m, lp)
	if err != nil {
		return nil, fmt.Errorf("clusters: lof: %w", err)
	}
	r := &result{db: db, lof: lof, size: make([]int64, db.NClusters)}
	for _, l := range db.Labels {
		if l >= 0 {
			r.size[l]++
		}
	}
	return r, nil
}

// clusterSize is the users of row i's cluster, 1 for noise.
func (r *result) clusterSize(i int) int64 {
	if l := r.db.Labels[i]; l >= 0 {
		return r.size[l]
	}
	return 1
}

func (r *result) summary(cfg *Config) Summary {
	s := Summary{Clusters: r.db.NClusters}
	for i, l := range r.db.Labels {
		small := r.clusterSize(i) < int64(cfg.SmallCluster)
		if l < 0 {
			s.Noise++
		}
		if small {
			s.SmallCluster++
		}
		if r.lof.Outlier[i] {
			s.Outliers++
		}
		if small || r.lof.Outlier[i] {
			s.Flagged++
		}
	}
	for l, n := range r.size {
		s.Largest = append(s.Largest, ClusterCount{Cluster: l, Users: n})
	}
	slices.SortStableFunc(s.Largest, func(a, b ClusterCount) int { return cmp.Compare(b.Users, a.Users) })
	if len(s.Largest) > 10 {
		s.Largest = s.Largest[:10]
	}
	return s
}

// write appends one row per user, in token order, a record per batch.
func (r *result) write(job *pipeline.Job, fw *sinks.ParquetWriter, tokens []string, cfg *Config) error {
	b := array.NewRecordBuilder(job.Mem, schemas.RiskClusters.Schema)
	defer b.Release()
	const batch = 64 * 1024
	for start := 0; start < len(tokens); start += batch {
		for i := start; i < min(len(tokens), start+batch); i++ {
			size := r.clusterSize(i)
			b.Field(0).(*array.StringBuilder).Append(tokens[i])
			b.Field(1).(*array.Int64Builder).Append(int64(r.db.Labels[i]))
			b.Field(2).(*array.Int64Builder).Append(size)
			b.Field(3).(*array.BooleanBuilder).Append(size < int64(cfg.SmallCluster))
			b.Field(4).(*array.Float64Builder).Append(r.lof.NegativeOutlierFactor[i])
			b.Field(5).(*array.BooleanBuilder).Append(r.lof.Outlier[i])
		}
		rec := b.NewRecordBatch()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// users are the day's user rows with every feature present.
type users struct {
	tokens  []string
	m       outlier.Matrix
	read    int64
	skipped map[string]int64
}

// readUsers scans the user rows of risk_entities/dt and returns them
// sorted by token, so a re-run sees the same matrix whatever the file
// order. A row with a null feature is counted under "null <feature>" (the
// first such feature in config order).
func readUsers(ctx context.Context, job *pipeline.Job, feats []string) (*users, error) {
	type row struct {
		token string
		x     []float64
	}
	var rows []row
	us := &users{skipped: map[string]int64{}}
	cols := append([]string{"entity", "key"}, feats...)
	err := job.Warehouse.Scan(ctx, job.Mem, schemas.RiskEntities, job.Partition(), func(rec arrow.RecordBatch) error {
		sch := rec.Schema()
		ent := rec.Column(sch.FieldIndices("entity")[0]).(*array.String)
		key := rec.Column(sch.FieldIndices("key")[0]).(*array.String)
		fc := make([]arrow.Array, len(feats))
		for j, f := range feats {
			fc[j] = rec.Column(sch.FieldIndices(f)[0])
		}
	rows:
		for i := range int(rec.NumRows()) {
			if ent.Value(i) != userEntity {
				continue
			}
			us.read++
			if key.IsNull(i) {
				us.skipped["null key"]++
				continue
			}
			x := make([]float64, len(feats))
			for j, c := range fc {
				if c.IsNull(i) {
					us.skipped["null "+feats[j]]++
					continue rows
				}
				switch a := c.(type) {
				case *array.Int64:
					x[j] = float64(a.Value(i))
				case *array.Float64:
					x[j] = a.Value(i)
				}
			}
			rows = append(rows, row{key.Value(i), x})
		}
		return nil
	}, cols...)
	if err != nil {
		return nil, fmt.Errorf("read %s/dt=%s: %w", schemas.RiskEntities.Name, job.DT(), err)
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.token, b.token) })
	us.m = outlier.Matrix{Rows: len(rows), Cols: len(feats), Data: make([]float64, 0, len(rows)*len(feats))}
	for _, r := range rows {
		us.tokens = append(us.tokens, r.token)
		us.m.Data = append(us.m.Data, r.x...)
	}
	return us, nil
}

// userEntity is risk_entities' entity value of user rows.
var userEntity = features.User.String()
