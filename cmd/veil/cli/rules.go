package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/sinks"
)

func (a *app) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Work with the risk rule file"}
	var file, warehouse, date string
	check := &cobra.Command{
		Use:   "check",
		Short: "Type-check the risk rules; print each rule and the variables it reads",
		Long: `Type-check the risk rule file (CEL expressions over a scored event's
features, event_type, model_score and the user's outlier outputs) and print
every rule: name@version, entity, action, severity, reason and the
variables it reads. Without --rules the embedded default,
configs/rules.yaml, is checked. A bad file is refused with every problem,
each naming its rule.

With --warehouse and --date, the rules are also evaluated on every row of
risk_features/dt=DATE (no model score, no outlier outputs) and the hits
per rule printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loadRules(file)
			if err != nil {
				return err
			}
			printRules(a, file, s)
			if warehouse == "" && date == "" {
				return nil
			}
			if warehouse == "" || date == "" {
				return errors.New("--warehouse and --date go together")
			}
			return a.rulesOnDay(cmd.Context(), s, warehouse, date)
		},
	}
	check.Flags().StringVar(&file, "rules", "", "rule file (default: the embedded configs/rules.yaml)")
	check.Flags().StringVar(&warehouse, "warehouse", "", "warehouse root whose risk_features to evaluate the rules on")
	check.Flags().StringVar(&date, "date", "", "partition date (YYYY-MM-DD) of risk_features to evaluate, with --warehouse")
	cmd.AddCommand(check)
	return cmd
}

func loadRules(file string) (*rules.Set, error) {
	if file == "" {
		return rules.Default()
	}
	return rules.Load(file)
}

func printRules(a *app, file string, s *rules.Set) {
	if file == "" {
		file = "configs/rules.yaml (embedded)"
	}
	fmt.Fprintf(a.stdout, "rules %s: valid (%d rules, fingerprint %s)\n\n", file, len(s.Rules()), s.Fingerprint())
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  RULE\tENTITY\tACTION\tSEVERITY\tREASON\tREADS")
	for _, r := range s.Rules() {
		fmt.Fprintf(tw, "  %s@%d\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Version, r.Entity, r.Action, r.Severity, r.Reason, strings.Join(r.Vars, ", "))
	}
	tw.Flush()
	fmt.Fprintln(a.stdout, "\nvariables: every feature of `veil features` (double; null is NaN, and <, <=, >, >= with a null are false; is_null(x) tests), and:")
	tw = tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	for _, v := range rules.Variables() {
		if !v.Feature {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, v.Type, v.Doc)
		}
	}
	tw.Flush()
}

// rulesOnDay evaluates s on every row of risk_features/dt and prints the
// hits per rule. Counts only: no token or feature value is printed.
func (a *app) rulesOnDay(ctx context.Context, s *rules.Set, root, dt string) error {
	w, err := sinks.Open(root)
	if err != nil {
		return err
	}
	counts := make([]int, len(s.Rules()))
	rows, flagged := 0, 0
	row := make(features.Row, len(features.Defs))
	in := rules.Input{Row: row, Score: math.NaN(), Cluster: rules.Cluster{LOF: math.NaN()}}
	var hits []rules.Hit
	err = w.Scan(ctx, memory.NewGoAllocator(), risk.FeaturesDataset, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		sch := rec.Schema()
		typ := rec.Column(sch.FieldIndices("type")[0])
		cols := make([]arrow.Array, len(features.Defs))
		for i, d := range features.Defs {
			ix := sch.FieldIndices(d.Name)
			if len(ix) == 0 {
				return fmt.Errorf("risk_features/dt=%s has no column %s: rebuild it with this binary", dt, d.Name)
			}
			cols[i] = rec.Column(ix[0])
		}
		for j := range int(rec.NumRows()) {
			in.Type = stringAt(typ, j)
			for i, c := range cols {
				row[i] = floatAt(c, j)
			}
			if hits, err = s.Eval(&in, hits[:0]); err != nil {
				return err
			}
			rows++
			if len(hits) > 0 {
				flagged++
			}
			for _, h := range hits {
				counts[h.Rule]++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rules check: %w", err)
	}
	fmt.Fprintf(a.stdout, "\nrisk_features/dt=%s: %d scored events, %d with a hit (no model score, no outlier outputs)\n", dt, rows, flagged)
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  RULE\tACTION\tHITS\tSHARE")
	for i, r := range s.Rules() {
		fmt.Fprintf(tw, "  %s@%d\t%s\t%d\t%.4f\n", r.Name, r.Version, r.Action, counts[i], float64(counts[i])/float64(max(1, rows)))
	}
	return tw.Flush()
}

// stringAt reads a plain or dictionary-encoded string column.
func stringAt(col arrow.Array, j int) string {
	switch c := col.(type) {
	case *array.String:
		if c.IsValid(j) {
			return c.Value(j)
		}
	case *array.Dictionary:
		if d, ok := c.Dictionary().(*array.String); ok && c.IsValid(j) {
			return d.Value(c.GetValueIndex(j))
		}
	}
	return ""
}

// floatAt reads a feature column (int64 or float64); null is NaN.
func floatAt(col arrow.Array, j int) float64 {
	if col.IsNull(j) {
		return features.Null
	}
	switch c := col.(type) {
	case *array.Int64:
		return float64(c.Value(j))
	case *array.Float64:
		return c.Value(j)
	}
	return features.Null
}
