package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/risk/outlier"
)

// anomalyOpts are the flags every `veil anomaly` mode shares.
type anomalyOpts struct {
	in, out       string
	columns, keep []string
	standardize   bool
	workers       int
}

func (o *anomalyOpts) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.in, "in", "", "input file: Parquet (.parquet) or CSV with a header row")
	f.StringSliceVar(&o.columns, "columns", nil, "numeric columns that make a point, e.g. a,b,c")
	f.StringSliceVar(&o.keep, "keep", nil, "columns copied to the output as text, e.g. an id")
	f.BoolVar(&o.standardize, "standardize", false, "scale each column to mean 0, standard deviation 1 first (StandardScaler)")
	f.StringVar(&o.out, "out", "", "output file: Parquet, or CSV when it ends in .csv")
	f.IntVar(&o.workers, "workers", 0, "goroutines for the neighbour queries (0: all cores); results do not depend on it")
}

func (a *app) anomalyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "anomaly lof|dbscan|optics --in F --columns a,b,c --out F.parquet",
		Short: "Score or cluster the rows of a CSV or Parquet file as scikit-learn 1.2 would (LOF, DBSCAN, OPTICS)",
		Long: `Score or cluster the rows of a modeller's own file with veil's exact
LocalOutlierFactor, DBSCAN and OPTICS (risk/outlier): same defaults,
parameter names and results as scikit-learn 1.2, Euclidean distance.

The output has one row per input row, in input order: row (0-based), the
--keep columns, then
  lof     score (negative_outlier_factor_), outlier (fit_predict == -1)
  dbscan  label (-1 noise), core
  optics  label (xi clusters, -1 noise), reachability, core_distance,
          ordering (the row's position in the cluster ordering), predecessor
It is written to a temporary file and renamed, so a failed run leaves no
partial output. Errors name rows and columns, never cell values.`,
	}
	cmd.AddCommand(a.lofCmd(), a.dbscanCmd(), a.opticsCmd(), a.blobsCmd())
	return cmd
}

// load reads the input and standardises it when asked.
func (o *anomalyOpts) load(cmd *cobra.Command) (*table, time.Duration, error) {
	if err := required(cmd, "in", "columns", "out"); err != nil {
		return nil, 0, err
	}
	if o.workers < 0 {
		return nil, 0, errors.New("--workers: must be >= 0")
	}
	t0 := time.Now()
	t, err := readTable(o.in, o.columns, o.keep)
	if err != nil {
		return nil, 0, err
	}
	if o.standardize {
		t.m = outlier.Standardize(t.m)
	}
	return t, time.Since(t0), nil
}

// baseColumns are row and the kept columns.
func baseColumns(t *table) []*outColumn {
	rows := make([]int64, t.m.Rows)
	for i := range rows {
		rows[i] = int64(i)
	}
	cols := []*outColumn{{name: "row", ints: rows}}
	for _, k := range t.keep {
		cols = append(cols, &outColumn{name: k.name, strs: k.vals, valid: k.valid})
	}
	return cols
}

// finish writes the output and prints the one-line summary.
func (a *app) finishAnomaly(mode string, o *anomalyOpts, t *table, cols []*outColumn, read, fit time.Duration, what string) error {
	names := map[string]bool{}
	for _, c := range cols {
		if names[c.name] {
			return fmt.Errorf("--keep %s: the output already has a column of that name", c.name)
		}
		names[c.name] = true
	}
	t0 := time.Now()
	if err := writeOutput(o.out, t.m.Rows, cols); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: %d rows, %d columns: %s; fit %.3f s (read %.3f s, write %.3f s) -> %s\n",
		mode, t.m.Rows, t.m.Cols, what, fit.Seconds(), read.Seconds(), time.Since(t0).Seconds(), o.out)
	return nil
}

func (a *app) lofCmd() *cobra.Command {
	var o anomalyOpts
	var p outlier.LOFParams
	var contamination string
	cmd := &cobra.Command{
		Use:   "lof --in F --columns a,b,c --out F.parquet",
		Short: "LocalOutlierFactor: score (negative_outlier_factor_) and outlier flag per row",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := parseContamination(contamination)
			if err != nil {
				return err
			}
			if p.NNeighbors < 1 {
				return errors.New("--n-neighbors: must be >= 1")
			}
			p.Contamination, p.Workers = c, o.workers
			t, read, err := o.load(cmd)
			if err != nil {
				return err
			}
			t0 := time.Now()
			r, err := outlier.LOF(cmd.Context(), t.m, p)
			if err != nil {
				return fmt.Errorf("lof: %w", err)
			}
			fit := time.Since(t0)
			n := 0
			for _, f := range r.Outlier {
				if f {
					n++
				}
			}
			cols := append(baseColumns(t), &outColumn{name: "score", floats: r.NegativeOutlierFactor}, &outColumn{name: "outlier", bools: r.Outlier})
			return a.finishAnomaly("lof", &o, t, cols, read, fit,
				fmt.Sprintf("%d outliers (n_neighbors %d, offset %.6g)", n, r.NNeighbors, r.Offset))
		},
	}
	o.flags(cmd)
	f := cmd.Flags()
	f.IntVar(&p.NNeighbors, "n-neighbors", 20, "n_neighbors (capped at rows-1, as scikit-learn does)")
	f.StringVar(&contamination, "contamination", "auto", `contamination: "auto" (offset -1.5) or a fraction in (0, 0.5]`)
	return cmd
}

// parseContamination maps "auto" to 0, LOFParams' encoding of it.
func parseContamination(s string) (float64, error) {
	if strings.EqualFold(s, "auto") {
		return 0, nil
	}
	c, err := strconv.ParseFloat(s, 64)
	if err != nil || !(c > 0 && c <= 0.5) {
		return 0, fmt.Errorf(`--contamination: want "auto" or a number in (0, 0.5], got %q`, s)
	}
	return c, nil
}

func (a *app) dbscanCmd() *cobra.Command {
	var o anomalyOpts
	var p outlier.DBSCANParams
	cmd := &cobra.Command{
		Use:   "dbscan --in F --columns a,b,c --eps E --out F.parquet",
		Short: "DBSCAN: cluster label (-1 noise) and core flag per row",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !(p.Eps > 0) || math.IsInf(p.Eps, 0) {
				return errors.New("--eps: must be a positive number")
			}
			if p.MinSamples < 1 {
				return errors.New("--min-samples: must be >= 1")
			}
			p.Workers = o.workers
			t, read, err := o.load(cmd)
			if err != nil {
				return err
			}
			t0 := time.Now()
			r, err := outlier.DBSCAN(cmd.Context(), t.m, p)
			if err != nil {
				return fmt.Errorf("dbscan: %w", err)
			}
			fit := time.Since(t0)
			cols := append(baseColumns(t), &outColumn{name: "label", ints: ints64(r.Labels)}, &outColumn{name: "core", bools: r.Core})
			return a.finishAnomaly("dbscan", &o, t, cols, read, fit,
				fmt.Sprintf("%d clusters, %d noise (eps %g, min_samples %d)", r.NClusters, count(r.Labels, -1), p.Eps, p.MinSamples))
		},
	}
	o.flags(cmd)
	f := cmd.Flags()
	f.Float64Var(&p.Eps, "eps", 0.5, "eps: the neighbourhood radius")
	f.IntVar(&p.MinSamples, "min-samples", 5, "min_samples, the point itself included")
	return cmd
}

func (a *app) opticsCmd() *cobra.Command {
	var o anomalyOpts
	var p outlier.OPTICSParams
	var maxEps string
	cmd := &cobra.Command{
		Use:   "optics --in F --columns a,b,c --out F.parquet",
		Short: "OPTICS (cluster_method xi): label, reachability, core distance, ordering and predecessor per row",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			me, err := strconv.ParseFloat(maxEps, 64)
			if err != nil || !(me > 0) {
				return fmt.Errorf(`--max-eps: want a positive number or "inf", got %q`, maxEps)
			}
			if !math.IsInf(me, 1) {
				p.MaxEps = me
			}
			if p.MinSamples < 2 {
				return errors.New("--min-samples: must be >= 2")
			}
			if !(p.Xi >= 0 && p.Xi <= 1) {
				return errors.New("--xi: must be in [0, 1]")
			}
			if p.MinClusterSize < 0 || p.MinClusterSize == 1 {
				return errors.New("--min-cluster-size: must be >= 2 (0: min_samples)")
			}
			p.Workers = o.workers
			t, read, err := o.load(cmd)
			if err != nil {
				return err
			}
			t0 := time.Now()
			r, err := outlier.OPTICS(cmd.Context(), t.m, p)
			if err != nil {
				return fmt.Errorf("optics: %w", err)
			}
			fit := time.Since(t0)
			pos := make([]int64, len(r.Ordering))
			for k, i := range r.Ordering {
				pos[i] = int64(k)
			}
			clusters := 0
			for _, l := range r.Labels {
				clusters = max(clusters, l+1)
			}
			cols := append(baseColumns(t),
				&outColumn{name: "label", ints: ints64(r.Labels)},
				&outColumn{name: "reachability", floats: r.Reachability},
				&outColumn{name: "core_distance", floats: r.CoreDistances},
				&outColumn{name: "ordering", ints: pos},
				&outColumn{name: "predecessor", ints: ints64(r.Predecessor)})
			return a.finishAnomaly("optics", &o, t, cols, read, fit,
				fmt.Sprintf("%d clusters, %d noise (min_samples %d, xi %g)", clusters, count(r.Labels, -1), p.MinSamples, p.Xi))
		},
	}
	o.flags(cmd)
	f := cmd.Flags()
	f.IntVar(&p.MinSamples, "min-samples", 5, "min_samples, the point itself included")
	f.StringVar(&maxEps, "max-eps", "inf", "max_eps: the largest neighbourhood radius considered")
	f.Float64Var(&p.Xi, "xi", 0.05, "xi: the minimum steepness of a cluster boundary")
	f.IntVar(&p.MinClusterSize, "min-cluster-size", 0, "min_cluster_size in points (0: min_samples)")
	return cmd
}

func ints64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func count(v []int, x int) int {
	n := 0
	for _, y := range v {
		if y == x {
			n++
		}
	}
	return n
}
