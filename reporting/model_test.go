package reporting

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/model"
)

func TestModelNote(t *testing.T) {
	w := testwarehouse.Open(t)
	job := &pipeline.Job{Env: &pipeline.Env{Warehouse: w}}
	if n := modelNote(job); n != nil {
		t.Fatalf("no model activated, note %+v", n)
	}
	// A small deterministic dataset: fraud when x is large, noisy.
	const n = 400
	ds := model.Dataset{Names: []string{"x", "type=purchase"}, X: [][]float64{make([]float64, n), make([]float64, n)}, Label: make([]bool, n), Time: make([]int64, n)}
	for i := range n {
		ds.X[0][i] = math.Sin(float64(i) * 1.7)
		ds.X[1][i] = float64(i % 2)
		ds.Label[i] = ds.X[0][i]+0.6*math.Cos(float64(i)*0.3) > 0.9
		ds.Time[i] = int64(i)
	}
	a, err := model.TrainValidate(ds, model.Config{TrainFrac: 0.7})
	if err != nil {
		t.Fatal(err)
	}
	a.Labels["dataset"], a.Labels["from"], a.Labels["to"] = "risk_training", "2026-11-01", "2026-11-30"
	dir := model.RegistryDir(w.Root)
	id, err := model.Save(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Activate(dir, id); err != nil {
		t.Fatal(err)
	}
	note := modelNote(job)
	if note == nil || note.ID != id || note.From != "2026-11-01" || note.Features != 2 || note.TrainRows != 280 ||
		note.Validation == nil || note.Validation.AUC != a.Metrics["validation"].AUC || note.Error != "" {
		t.Fatalf("note %+v", note)
	}
	// The note carries metrics, not the model's statistics or weights.
	b, _ := json.Marshal(note)
	for _, field := range []string{`"coef"`, `"prep"`, `"center"`} {
		if strings.Contains(string(b), field) {
			t.Errorf("note holds %s", field)
		}
	}
	// A corrupt registry is reported in the note, not as a failed report.
	if err := os.WriteFile(filepath.Join(dir, id+".json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if note := modelNote(job); note == nil || note.Error == "" || note.ID != "" {
		t.Errorf("corrupt current model: note %+v", note)
	}
}
