package model

import (
	"fmt"
	"strconv"
)

// Dataset is labelled training rows: raw columns, labels and event times
// (any monotone unit, e.g. ms since the epoch).
type Dataset struct {
	Names []string
	X     [][]float64 // column-major, X[j] named Names[j]
	Label []bool
	Time  []int64
}

// Config configures TrainValidate; zero fields take the defaults named.
type Config struct {
	Prep     PrepOptions
	Logistic LogisticOptions
	// TrainFrac is the share of time-sorted rows trained on (0.8).
	TrainFrac float64
	// MaxFPR sets the decision threshold: the lowest training score whose
	// training false-positive rate is within it (0.01).
	MaxFPR float64
	// Bins are the calibration bins (10).
	Bins int
	// Refit trains the stored model again on every row once validated;
	// the metrics stay those of the validated model.
	Refit bool
}

// TrainValidate is the whole time-ordered workflow: split by time, fit
// prep and model on the earlier rows, choose the threshold on them, and
// measure the model on both sides of the cut. The artefact comes back
// sealed, with metrics "train" and "validation" and the split in Labels.
func TrainValidate(ds Dataset, cfg Config) (*Artefact, error) {
	if cfg.TrainFrac == 0 {
		cfg.TrainFrac = 0.8
	}
	if cfg.MaxFPR == 0 {
		cfg.MaxFPR = 0.01
	}
	if cfg.Bins == 0 {
		cfg.Bins = 10
	}
	if len(ds.Label) != len(ds.Time) {
		return nil, fmt.Errorf("train validate: %d labels, %d times", len(ds.Label), len(ds.Time))
	}
	split, err := SplitByTime(ds.Time, cfg.TrainFrac)
	if err != nil {
		return nil, fmt.Errorf("train validate: %w", err)
	}
	Xtr, ytr := Rows(ds.X, split.Train), Take(ds.Label, split.Train)
	Xva, yva := Rows(ds.X, split.Test), Take(ds.Label, split.Test)
	a, err := Train(ds.Names, Xtr, ytr, cfg.Prep, cfg.Logistic)
	if err != nil {
		return nil, fmt.Errorf("train validate: %w", err)
	}
	str, err := a.Score(Xtr)
	if err != nil {
		return nil, fmt.Errorf("train validate: %w", err)
	}
	at, err := RecallAtFPR(str, ytr, cfg.MaxFPR)
	if err != nil {
		return nil, fmt.Errorf("train validate: threshold: %w", err)
	}
	a.Threshold = at.Threshold
	mtr, err := Evaluate(str, ytr, a.Threshold, cfg.MaxFPR, cfg.Bins)
	if err != nil {
		return nil, fmt.Errorf("train validate: train rows: %w", err)
	}
	sva, err := a.Score(Xva)
	if err != nil {
		return nil, fmt.Errorf("train validate: %w", err)
	}
	mva, err := Evaluate(sva, yva, a.Threshold, cfg.MaxFPR, cfg.Bins)
	if err != nil {
		return nil, fmt.Errorf("train validate: validation rows: %w", err)
	}
	if cfg.Refit {
		all, err := Train(ds.Names, ds.X, ds.Label, cfg.Prep, cfg.Logistic)
		if err != nil {
			return nil, fmt.Errorf("train validate: refit: %w", err)
		}
		sall, err := all.Score(ds.X)
		if err != nil {
			return nil, fmt.Errorf("train validate: refit: %w", err)
		}
		if at, err = RecallAtFPR(sall, ds.Label, cfg.MaxFPR); err != nil {
			return nil, fmt.Errorf("train validate: refit threshold: %w", err)
		}
		all.Threshold = at.Threshold
		a = all
	}
	a.Metrics = map[string]Metrics{"train": mtr, "validation": mva}
	a.Labels = map[string]string{
		"split_cut_time":    strconv.FormatInt(split.Cut, 10),
		"train_rows":        strconv.Itoa(len(split.Train)),
		"validation_rows":   strconv.Itoa(len(split.Test)),
		"refit_on_all_rows": strconv.FormatBool(cfg.Refit),
	}
	if err := a.Seal(); err != nil {
		return nil, fmt.Errorf("train validate: %w", err)
	}
	return a, nil
}

// Flag reports whether a score is at or above the artefact's threshold.
func (a *Artefact) Flag(score float64) bool { return score >= a.Threshold }
