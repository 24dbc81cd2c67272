package reporting

import (
	"strconv"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/model"
)

// ModelNote is the report's view of the fraud model in force when the
// report was made (<warehouse>/_models/current): which version, what it
// was trained on, and how it did on its time-ordered validation rows.
// Aggregates only: an artefact holds per-column statistics and
// coefficients, and none of that is copied here.
type ModelNote struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Dataset, From and To are the training range; DataFingerprint hashes
	// the manifests of every partition read.
	Dataset         string  `json:"dataset,omitempty"`
	From            string  `json:"from,omitempty"`
	To              string  `json:"to,omitempty"`
	DataFingerprint string  `json:"data_fingerprint,omitempty"`
	TrainRows       int     `json:"train_rows"`
	Features        int     `json:"features"`
	Threshold       float64 `json:"threshold"`
	// Validation is measured on the latest rows, after the split's cut.
	Validation *model.Metrics `json:"validation,omitempty"`
	// Error says why the current model could not be read (a corrupt or
	// edited artefact); the report is still made, and says so.
	Error string `json:"error,omitempty"`
}

// modelNote reads the current model; nil when none has been activated. A
// registry that cannot be read is recorded in the note rather than
// failing the report: the compliance record of the data must not depend
// on the model registry's health.
func modelNote(job *pipeline.Job) *ModelNote {
	a, ok, err := model.Current(model.RegistryDir(job.Warehouse.Root))
	if err != nil {
		return &ModelNote{Error: err.Error()}
	}
	if !ok {
		return nil
	}
	n := &ModelNote{
		ID: a.ID, Kind: a.Kind, Features: len(a.Features), Threshold: a.Threshold,
		Dataset: a.Labels["dataset"], From: a.Labels["from"], To: a.Labels["to"],
		DataFingerprint: a.Labels["data_fingerprint"],
	}
	n.TrainRows, _ = strconv.Atoi(a.Labels["train_rows"])
	if v, ok := a.Metrics["validation"]; ok {
		n.Validation = &v
	}
	return n
}
