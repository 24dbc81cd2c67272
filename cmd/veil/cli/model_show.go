package cli

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/risk/model"
)

func (a *app) modelShowCmd() *cobra.Command {
	var p paths
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show [ID] [--json]",
		Short: "Print a saved model (default: the current one): data, metrics, calibration, top weights",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			wh, err := a.openWarehouse(&p)
			if err != nil {
				return err
			}
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			art, err := openModel(wh, id)
			if err != nil {
				return err
			}
			if asJSON {
				return art.Save(a.stdout) // the stored artefact, as stored
			}
			cur, _, err := model.Current(model.RegistryDir(wh.Root))
			if err != nil {
				return err
			}
			a.printModel(art, cur != nil && cur.ID == art.ID)
			return nil
		},
	}
	p.flags(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole artefact (prep statistics, coefficients, metrics) as stored")
	return cmd
}

func (a *app) modelListCmd() *cobra.Command {
	var p paths
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the saved model versions, oldest first; * marks the current one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			wh, err := a.openWarehouse(&p)
			if err != nil {
				return err
			}
			vs, err := model.List(model.RegistryDir(wh.Root))
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  ID\tSAVED\tDATA\tVALIDATION AUC\tRECALL@THRESHOLD")
			for _, v := range vs {
				mark := " "
				if v.Current {
					mark = "*"
				}
				val := v.Artefact.Metrics["validation"]
				fmt.Fprintf(tw, "%s %s\t%s\t%s..%s\t%.4f\t%.3f\n", mark, v.ID[:12], v.SavedAt.Format("2006-01-02 15:04:05"),
					v.Artefact.Labels["from"], v.Artefact.Labels["to"], val.AUC, val.AtThreshold.Recall)
			}
			return tw.Flush()
		},
	}
	p.flags(cmd)
	return cmd
}

func (a *app) modelActivateCmd() *cobra.Command {
	var p paths
	cmd := &cobra.Command{
		Use:   "activate ID",
		Short: "Make a saved version (id or unique prefix) the current model",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			wh, err := a.openWarehouse(&p)
			if err != nil {
				return err
			}
			dir := model.RegistryDir(wh.Root)
			if err := model.Activate(dir, args[0]); err != nil {
				return err
			}
			cur, _, err := model.Current(dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "current model: %s\n", cur.ID)
			return nil
		},
	}
	p.flags(cmd)
	return cmd
}

func (a *app) modelExportCmd() *cobra.Command {
	var p paths
	var r dateRange
	var out string
	var frac float64
	cmd := &cobra.Command{
		Use:   "export [--from D --to D] --out F.csv [--train-frac 0.7]",
		Short: "Write the exact feature matrix, label and time that train uses, as CSV, for outside tools",
		Long: `Write the rows train would read, one a line: ts_ms (event time, ms since
the epoch), label (1 = fraud by the label cutoff), split ("train" or
"validation", the time-ordered split train makes at --train-frac), then
every raw feature column in train's order, one-hot key columns included.
A null is an empty cell. Values are Go's shortest round-trip decimals, so
a reader gets the same float64s. No token or identifier is written.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "out"); err != nil {
				return err
			}
			_, ds, prov, err := a.trainingData(cmd.Context(), &p, &r)
			if err != nil {
				return err
			}
			split, err := model.SplitByTime(ds.Time, frac)
			if err != nil {
				return err
			}
			if err := writeDatasetCSV(out, ds, split); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %d rows x %d features of %s %s..%s to %s (split at %s: %d train, %d validation)\n",
				len(ds.Label), len(ds.Names), prov["dataset"], prov["from"], prov["to"], out, fmtMillis(split.Cut), len(split.Train), len(split.Test))
			return nil
		},
	}
	p.flags(cmd)
	r.flags(cmd, "to export")
	cmd.Flags().StringVar(&out, "out", "", "CSV file to write")
	cmd.Flags().Float64Var(&frac, "train-frac", 0.7, "the split column's training share, as train's --train-frac")
	return cmd
}

// writeDatasetCSV writes ds through a temporary file and a rename, so a
// failed export leaves no partial file behind.
func writeDatasetCSV(path string, ds model.Dataset, split model.TimeSplit) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".export-*.csv")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	side := make([]string, len(ds.Label))
	for _, i := range split.Train {
		side[i] = "train"
	}
	for _, i := range split.Test {
		side[i] = "validation"
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	rec := append([]string{"ts_ms", "label", "split"}, ds.Names...)
	if err = w.Write(rec); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for i := range ds.Label {
		rec = rec[:0]
		lab := "0"
		if ds.Label[i] {
			lab = "1"
		}
		rec = append(rec, strconv.FormatInt(ds.Time[i], 10), lab, side[i])
		for _, col := range ds.X {
			v := col[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				rec = append(rec, "")
			} else {
				rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		if err = w.Write(rec); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if w.Flush(); w.Error() != nil {
		return fmt.Errorf("export: %w", w.Error())
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// printModel prints what a model is, what it was trained on, how it did,
// and what it weighs most.
func (a *app) printModel(art *model.Artefact, current bool) {
	l := art.Labels
	cur := ""
	if current {
		cur = " (current)"
	}
	fmt.Fprintf(a.stdout, "model %s%s\n", art.ID, cur)
	fmt.Fprintf(a.stdout, "data: %s %s..%s, %s partitions, fingerprint %s\n", l["dataset"], l["from"], l["to"], l["partitions"], short12(l["data_fingerprint"]))
	if cut, err := strconv.ParseInt(l["split_cut_time"], 10, 64); err == nil {
		fmt.Fprintf(a.stdout, "split: time-ordered, %s rows before %s train, %s rows from it validate\n", l["train_rows"], fmtMillis(cut), l["validation_rows"])
	}
	pr := art.Prep
	fmt.Fprintf(a.stdout, "prep: %d inputs -> %d columns (median imputation, missing indicators, log1p on skewed counts, standardised); %d dropped (constant or all null)\n",
		len(pr.Inputs), len(pr.Columns), len(pr.Dropped))
	fmt.Fprintf(a.stdout, "fit: L2 logistic regression, C=%s (lambda %g), %d Newton steps, max |gradient| %.2g\n",
		or(l["c"], strconv.FormatFloat(1/art.Options.Lambda, 'g', -1, 64)), art.Options.Lambda, art.Fit.Iterations, art.Fit.MaxGrad)
	fmt.Fprintln(a.stdout)
	a.printMetrics(art.Threshold, []string{"train", "validation"}, art.Metrics)
	if v, ok := art.Metrics["validation"]; ok {
		a.printCalibration("validation", v)
	}
	type weight struct {
		name string
		coef float64
	}
	ws := make([]weight, len(art.Model.Coef))
	for i, c := range art.Model.Coef {
		ws[i] = weight{pr.Columns[i].Name, c}
	}
	slices.SortStableFunc(ws, func(x, y weight) int { return cmp.Compare(math.Abs(y.coef), math.Abs(x.coef)) })
	fmt.Fprintln(a.stdout, "\ntop weights (per standard deviation of the prepared column; + means more likely fraud):")
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	for _, w := range ws[:min(10, len(ws))] {
		fmt.Fprintf(tw, "  %s\t%+.4f\n", w.name, w.coef)
	}
	tw.Flush()
}

// printMetrics prints one line per evaluation set.
func (a *app) printMetrics(thr float64, sets []string, ms map[string]model.Metrics) {
	fmt.Fprintf(a.stdout, "threshold %.6g (flag score >= it)\n", thr)
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\trows\tfraud\tAUC\tprecision\trecall\tFPR\trecall@FPR\tBrier\tECE\t")
	for _, s := range sets {
		m, ok := ms[s]
		if !ok {
			continue
		}
		at := m.AtThreshold
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t%.3f\t%.3f\t%.4f\t%.3f@%g\t%.4f\t%.4f\t\n", s, m.Rows, m.Positives, m.AUC,
			at.Precision, at.Recall, at.FPR, m.AtFPR.Recall, m.MaxFPR, m.Calibration.Brier, m.Calibration.ECE)
	}
	tw.Flush()
}

// printCalibration prints the reliability bins of one set.
func (a *app) printCalibration(set string, m model.Metrics) {
	fmt.Fprintf(a.stdout, "\ncalibration on %s (bins of predicted probability):\n", set)
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "bin\trows\tmean predicted\tobserved fraud rate\t")
	for _, b := range m.Calibration.Bins {
		fmt.Fprintf(tw, "[%.1f, %.1f)\t%d\t%.4f\t%.4f\t\n", b.Lo, b.Hi, b.Count, b.MeanPred, b.Observed)
	}
	tw.Flush()
}

func fmtMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

func short12(s string) string { return s[:min(12, len(s))] }
