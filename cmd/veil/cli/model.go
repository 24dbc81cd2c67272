package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/model"
	"github.com/veil-data/veil/sinks"
)

// modelCmd groups the fraud model's commands. Models are trained on
// risk_training and kept, versioned by content, in <warehouse>/_models
// (risk/model/registry.go).
func (a *app) modelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "Train, evaluate, show and export the fraud model (logistic regression on risk_training)",
		Long: `The fraud model is an L2-regularised logistic regression on risk_training:
every point-in-time feature column, and the key columns type, source and
browser one-hot ("browser=Chrome"). Nulls are imputed with the training
median (plus a missing indicator), skewed counts log1p'd, and every column
standardised, all fitted on the training rows only (risk/model/doc.go).

Validation is time-ordered: the model is fitted on the earliest rows and
measured on the latest, never on rows from before its training data.
Each trained version is saved as <warehouse>/_models/<id>.json, its id the
SHA-256 of its content, with its metrics and the data it was trained on;
<warehouse>/_models/current names the version in force.

Scoring one event: build a row in the artefact's "features" order, the
feature values as risk_training holds them (NaN for null) and, for each
"key=value" input, 1 if the event's key has that value and 0 if not (a
value the model never saw is all zeros), then Artefact.ScoreRow; or pass
named columns to Artefact.ScoreNamed. Flag when the score >= "threshold".`,
	}
	cmd.AddCommand(a.modelTrainCmd(), a.modelEvaluateCmd(), a.modelShowCmd(), a.modelListCmd(), a.modelActivateCmd(), a.modelExportCmd())
	return cmd
}

// dateRange is the --from/--to pair of the model commands.
type dateRange struct{ from, to string }

func (r *dateRange) flags(cmd *cobra.Command, what string) {
	cmd.Flags().StringVar(&r.from, "from", "", "first risk_training day "+what+", YYYY-MM-DD (default: the first)")
	cmd.Flags().StringVar(&r.to, "to", "", "last risk_training day "+what+", YYYY-MM-DD (default: the last)")
}

// partitions lists the committed risk_training partitions in the range.
func (r *dateRange) partitions(wh *sinks.Warehouse) ([]sinks.Partition, error) {
	for _, f := range []struct{ name, v string }{{"from", r.from}, {"to", r.to}} {
		if f.v != "" {
			if _, err := parseDate(f.name, f.v); err != nil {
				return nil, err
			}
		}
	}
	all, err := wh.Partitions(risk.TrainingDataset)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", risk.TrainingDataset.Name, err)
	}
	var out []sinks.Partition
	for _, p := range all {
		if (r.from == "" || p.DT >= r.from) && (r.to == "" || p.DT <= r.to) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no committed %s partition in %s..%s (run the pipeline first)", risk.TrainingDataset.Name, or(r.from, "start"), or(r.to, "end"))
	}
	return out, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// trainingData opens the warehouse and loads the range as a dataset, with
// the provenance a model records: the range actually read and a
// fingerprint of every partition's content.
func (a *app) trainingData(ctx context.Context, p *paths, r *dateRange) (*sinks.Warehouse, model.Dataset, map[string]string, error) {
	if _, err := p.load(); err != nil {
		return nil, model.Dataset{}, nil, err
	}
	wh, err := a.openWarehouse(p)
	if err != nil {
		return nil, model.Dataset{}, nil, err
	}
	parts, err := r.partitions(wh)
	if err != nil {
		return nil, model.Dataset{}, nil, err
	}
	fp := sinks.NewFingerprinter()
	for _, pt := range parts {
		m, err := wh.Manifest(risk.TrainingDataset, pt)
		if err != nil {
			return nil, model.Dataset{}, nil, err
		}
		fp.Add(pt.DT, m.Fingerprint())
	}
	ds, err := risk.LoadTraining(ctx, wh, memory.DefaultAllocator, parts)
	if err != nil {
		return nil, model.Dataset{}, nil, err
	}
	prov := map[string]string{
		"dataset":          risk.TrainingDataset.Name,
		"from":             parts[0].DT,
		"to":               parts[len(parts)-1].DT,
		"partitions":       strconv.Itoa(len(parts)),
		"data_fingerprint": fp.Sum(),
	}
	return wh, ds, prov, nil
}

func (a *app) modelTrainCmd() *cobra.Command {
	var p paths
	var r dateRange
	var cfg model.Config
	var c float64
	var activate, asJSON bool
	cmd := &cobra.Command{
		Use:   "train [--from D --to D] [--train-frac 0.7] [--c 1] [--activate]",
		Short: "Train a model on risk_training with a time-ordered validation split and save it as a new version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !(c > 0) {
				return fmt.Errorf("--c: want a positive inverse regularisation strength, got %v", c)
			}
			cfg.Logistic.Lambda = 1 / c // scikit-learn's C (risk/model/doc.go)
			wh, ds, prov, err := a.trainingData(cmd.Context(), &p, &r)
			if err != nil {
				return err
			}
			art, err := model.TrainValidate(ds, cfg)
			if err != nil {
				return err
			}
			for k, v := range prov {
				art.Labels[k] = v
			}
			art.Labels["c"] = strconv.FormatFloat(c, 'g', -1, 64)
			dir := model.RegistryDir(wh.Root)
			if _, err := model.Save(dir, art); err != nil {
				return err
			}
			if activate {
				if err := model.Activate(dir, art.ID); err != nil {
					return err
				}
			}
			if asJSON {
				return a.printJSON(map[string]any{"id": art.ID, "activated": activate, "labels": art.Labels, "metrics": art.Metrics})
			}
			a.printModel(art, activate)
			if !activate {
				fmt.Fprintf(a.stdout, "\nnot activated: veil model activate %s\n", art.ID[:12])
			}
			return nil
		},
	}
	p.flags(cmd)
	r.flags(cmd, "to train on")
	f := cmd.Flags()
	f.Float64Var(&cfg.TrainFrac, "train-frac", 0.7, "share of the time-ordered rows to fit on; the later rest validates")
	f.Float64Var(&c, "c", 1, "inverse L2 regularisation strength, as scikit-learn's C")
	f.Float64Var(&cfg.MaxFPR, "max-fpr", 0.01, "the threshold is the lowest training score whose false-positive rate is within this")
	f.BoolVar(&activate, "activate", false, "make the new version the current model")
	f.BoolVar(&asJSON, "json", false, "print the id, provenance and metrics as JSON")
	return cmd
}

func (a *app) modelEvaluateCmd() *cobra.Command {
	var p paths
	var r dateRange
	var id string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "evaluate [--model ID] --from D --to D",
		Short: "Measure a saved model (default: the current one) on risk_training partitions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "from", "to"); err != nil {
				return err
			}
			wh, ds, prov, err := a.trainingData(cmd.Context(), &p, &r)
			if err != nil {
				return err
			}
			art, err := openModel(wh, id)
			if err != nil {
				return err
			}
			X, err := art.Prep.Select(ds.Names, ds.X)
			if err != nil {
				return err
			}
			scores, err := art.Score(X)
			if err != nil {
				return err
			}
			maxFPR := art.Metrics["validation"].MaxFPR
			m, err := model.Evaluate(scores, ds.Label, art.Threshold, maxFPR, 0)
			if err != nil {
				return fmt.Errorf("evaluate %s..%s: %w", prov["from"], prov["to"], err)
			}
			if asJSON {
				return a.printJSON(map[string]any{"id": art.ID, "data": prov, "metrics": m})
			}
			fmt.Fprintf(a.stdout, "model %s on %s %s..%s (%s partitions)\n", art.ID[:12], prov["dataset"], prov["from"], prov["to"], prov["partitions"])
			if tf, vf := art.Labels["from"], art.Labels["to"]; tf != "" && prov["to"] >= tf && prov["from"] <= vf {
				fmt.Fprintf(a.stdout, "note: the range overlaps the model's own data (%s..%s): optimistic\n", tf, vf)
			}
			a.printMetrics(art.Threshold, []string{"evaluated"}, map[string]model.Metrics{"evaluated": m})
			a.printCalibration("evaluated", m)
			return nil
		},
	}
	p.flags(cmd)
	r.flags(cmd, "to evaluate on")
	cmd.Flags().StringVar(&id, "model", "", "model id or unique prefix (default: the current model)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the metrics as JSON")
	return cmd
}

// openModel opens version id, or the current model when id is empty.
func openModel(wh *sinks.Warehouse, id string) (*model.Artefact, error) {
	dir := model.RegistryDir(wh.Root)
	if id != "" {
		return model.Open(dir, id)
	}
	art, ok, err := model.Current(dir)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("no current model in %s: name one with --model, or train with --activate", dir)
	}
	return art, nil
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
