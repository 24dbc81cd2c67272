package model

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestArtefactRoundTrip(t *testing.T) {
	names, X := rawColumns(3, 4000)
	// A label that depends on two of the raw columns.
	y := make([]bool, len(X[0]))
	for i := range y {
		v := X[5][i] + math.Log1p(max(0, X[1][i]))
		if math.IsNaN(X[0][i]) {
			v += 1
		}
		y[i] = v+float64(i%7)/3 > 4
	}
	a, err := Train(names, X, y, PrepOptions{}, LogisticOptions{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	scores, err := a.Score(X)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Evaluate(scores, y, 0.5, 0.01, 10)
	if err != nil {
		t.Fatal(err)
	}
	a.Metrics = map[string]Metrics{"train": m}
	a.Labels = map[string]string{"dataset": "synthetic"}
	var buf bytes.Buffer
	if err := a.Save(&buf); err != nil {
		t.Fatal(err)
	}
	saved := buf.String()
	b, err := Load(strings.NewReader(saved))
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != a.ID || b.ID == "" {
		t.Fatalf("id %q after load, %q before", b.ID, a.ID)
	}
	again, err := b.ScoreNamed(append([]string{"unused"}, names...), append([][]float64{X[0]}, X...))
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float64, len(X))
	for i := range scores {
		if math.Float64bits(again[i]) != math.Float64bits(scores[i]) {
			t.Fatalf("row %d: %v after load, %v before", i, again[i], scores[i])
		}
		if i%101 == 0 {
			for j := range X {
				row[j] = X[j][i]
			}
			s, err := b.ScoreRow(row)
			if err != nil {
				t.Fatal(err)
			}
			if math.Float64bits(s) != math.Float64bits(scores[i]) {
				t.Fatalf("row %d: ScoreRow %v, Score %v", i, s, scores[i])
			}
		}
	}
	// Training again gives the same artefact, to the byte.
	a2, err := Train(names, X, y, PrepOptions{}, LogisticOptions{Lambda: 1, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	a2.Metrics, a2.Labels = a.Metrics, a.Labels
	var buf2 bytes.Buffer
	if err := a2.Save(&buf2); err != nil {
		t.Fatal(err)
	}
	if buf2.String() != saved {
		t.Error("a second training run wrote a different artefact")
	}
	// An edited field, an unknown field or another version is refused.
	edits := map[string]string{
		"edited":  strings.Replace(saved, `"synthetic"`, `"synthetiC"`, 1),
		"unknown": strings.Replace(saved, `"version": 1,`, `"version": 1, "extra": 0,`, 1),
		"version": strings.Replace(saved, `"version": 1,`, `"version": 2,`, 1),
	}
	for name, s := range edits {
		if s == saved {
			t.Fatalf("%s: the edit did not apply", name)
		}
		if _, err := Load(strings.NewReader(s)); err == nil {
			t.Errorf("%s artefact loaded", name)
		}
	}
	t.Logf("train AUC %.4f, recall %.3f at fpr %.4f, brier %.4f", m.AUC, m.AtFPR.Recall, m.AtFPR.FPR, m.Calibration.Brier)
}

func TestTrainValidate(t *testing.T) {
	names, X := rawColumns(7, 6000)
	n := len(X[0])
	y := make([]bool, n)
	times := make([]int64, n)
	for i := range y {
		times[i] = int64(n-i) / 3 // reverse row order, three rows a tick
		v := X[5][i] + math.Log1p(max(0, X[1][i]))
		y[i] = v+float64(i%5)/2 > 4.5
	}
	for _, refit := range []bool{false, true} {
		a, err := TrainValidate(Dataset{Names: names, X: X, Label: y, Time: times}, Config{Refit: refit})
		if err != nil {
			t.Fatal(err)
		}
		tr, va := a.Metrics["train"], a.Metrics["validation"]
		if tr.Rows+va.Rows != n || va.Rows < n/5 || va.AUC < 0.8 {
			t.Errorf("refit %v: train %d rows, validation %d rows, AUC %.3f", refit, tr.Rows, va.Rows, va.AUC)
		}
		if tr.AtThreshold.FPR > 0.01 || !a.Flag(a.Threshold) {
			t.Errorf("refit %v: threshold %v gives training fpr %v", refit, a.Threshold, tr.AtThreshold.FPR)
		}
		var buf bytes.Buffer
		if err := a.Save(&buf); err != nil {
			t.Fatal(err)
		}
		b, err := Load(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b.Threshold != a.Threshold || b.Labels["validation_rows"] != strconv.Itoa(va.Rows) {
			t.Errorf("refit %v: loaded %v %v", refit, b.Threshold, b.Labels)
		}
		t.Logf("refit %v: validation AUC %.4f, recall %.3f at threshold %.4f (fpr %.4f), split %v",
			refit, va.AUC, va.AtThreshold.Recall, a.Threshold, va.AtThreshold.FPR, a.Labels)
	}
}

// FuzzLoad: whatever the bytes, Load returns an artefact or an error, and
// an artefact it returns can score a row without panicking.
func FuzzLoad(f *testing.F) {
	names, X := rawColumns(9, 300)
	y := make([]bool, len(X[0]))
	for i := range y {
		y[i] = X[5][i] > 1
	}
	a, err := Train(names, X, y, PrepOptions{}, LogisticOptions{})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := a.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"version":1,"kind":"logistic"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Load(bytes.NewReader(b))
		if err != nil {
			return
		}
		if _, err := a.ScoreRow(make([]float64, len(a.Features))); err != nil {
			t.Fatalf("loaded artefact cannot score: %v", err)
		}
	})
}
