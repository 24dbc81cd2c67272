package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// FormatVersion is the artefact's JSON layout version; Load refuses others.
const FormatVersion = 1

// Artefact is a trained model as it is stored: everything needed to score
// raw rows (prep and coefficients) and what it was measured at. Floats are
// written in Go's shortest round-trip form, so a loaded artefact predicts
// the same scores bit for bit.
type Artefact struct {
	Version int    `json:"version"`
	Kind    string `json:"kind"` // "logistic"
	// ID is the SHA-256 of the artefact with ID empty: a content address
	// that changes with anything that changes scores or metrics.
	ID       string          `json:"id"`
	Features []string        `json:"features"` // raw inputs, = Prep.Inputs
	Prep     *Prep           `json:"prep"`
	Options  LogisticOptions `json:"options"`
	Model    *Logistic       `json:"model"`
	// Threshold is the decision threshold: flag rows scoring >= it.
	Threshold float64 `json:"threshold"`
	Fit       FitInfo `json:"fit"`
	// Metrics by evaluation set, e.g. "train" and "validation".
	Metrics map[string]Metrics `json:"metrics,omitempty"`
	// Labels are free-form provenance the caller adds (training dataset,
	// cutoff, run id); they are part of ID.
	Labels map[string]string `json:"labels,omitempty"`
}

// Train fits prep and a logistic regression on raw training columns and
// returns an artefact without metrics or threshold; Save seals it.
func Train(names []string, X [][]float64, y []bool, popt PrepOptions, lopt LogisticOptions) (*Artefact, error) {
	prep, err := FitPrep(names, X, popt)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	Z, err := prep.Transform(X)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	m, info, err := TrainLogistic(Z, y, lopt)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	lopt, _ = lopt.withDefaults() // record what was used
	return &Artefact{
		Version: FormatVersion, Kind: "logistic", Features: prep.Inputs,
		Prep: prep, Options: lopt, Model: m, Fit: info,
	}, nil
}

// Score returns probabilities for raw columns in Features order.
func (a *Artefact) Score(X [][]float64) ([]float64, error) {
	Z, err := a.Prep.Transform(X)
	if err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	return a.Model.Predict(Z)
}

// ScoreNamed returns probabilities for raw columns named names, in any
// order; columns the model does not use are ignored.
func (a *Artefact) ScoreNamed(names []string, X [][]float64) ([]float64, error) {
	sel, err := a.Prep.Select(names, X)
	if err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	return a.Score(sel)
}

// ScoreRow returns the probability for one raw row in Features order, equal
// bit for bit to Score's for the same row.
func (a *Artefact) ScoreRow(row []float64) (float64, error) {
	z, err := a.Prep.TransformRow(row)
	if err != nil {
		return 0, fmt.Errorf("score: %w", err)
	}
	return a.Model.PredictRow(z), nil
}

// Seal sets ID from the content.
func (a *Artefact) Seal() error {
	id, err := a.digest()
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

func (a *Artefact) digest() (string, error) {
	c := *a
	c.ID = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("artefact: %w", err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// Save seals the artefact (its ID follows any edit made since) and writes
// it as indented JSON.
func (a *Artefact) Save(w io.Writer) error {
	if err := a.Seal(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return fmt.Errorf("save artefact: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("save artefact: %w", err)
	}
	return nil
}

// Load reads an artefact, checks its version, shape and ID.
func Load(r io.Reader) (*Artefact, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("load artefact: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var a Artefact
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("load artefact: %w", err)
	}
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("load artefact: %w", err)
	}
	id, err := a.digest()
	if err != nil {
		return nil, fmt.Errorf("load artefact: %w", err)
	}
	if id != a.ID {
		return nil, errors.New("load artefact: content does not match its id (edited or corrupt)")
	}
	return &a, nil
}

func (a *Artefact) validate() error {
	if a.Version != FormatVersion {
		return fmt.Errorf("version %d, this build reads %d", a.Version, FormatVersion)
	}
	if a.Kind != "logistic" {
		return fmt.Errorf("kind %q, want logistic", a.Kind)
	}
	if a.Prep == nil || a.Model == nil {
		return errors.New("prep or model missing")
	}
	if len(a.Features) != len(a.Prep.Inputs) {
		return fmt.Errorf("%d features, prep has %d inputs", len(a.Features), len(a.Prep.Inputs))
	}
	for i, f := range a.Features {
		if a.Prep.Inputs[i] != f {
			return fmt.Errorf("feature %d is %q, prep input is %q", i, f, a.Prep.Inputs[i])
		}
	}
	if len(a.Model.Coef) != len(a.Prep.Columns) {
		return fmt.Errorf("%d coefficients for %d prepared columns", len(a.Model.Coef), len(a.Prep.Columns))
	}
	for _, c := range a.Prep.Columns {
		if c.Input < 0 || c.Input >= len(a.Prep.Inputs) {
			return fmt.Errorf("prepared column %q names input %d", c.Name, c.Input)
		}
		if !(c.Scale > 0) || math.IsInf(c.Scale, 0) {
			return fmt.Errorf("prepared column %q has scale %v", c.Name, c.Scale)
		}
	}
	return nil
}
