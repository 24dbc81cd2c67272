package risk

import (
	"context"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// labelsDataset is where the labels feed lands in the warehouse.
var labelsDataset = schemas.RiskState // replaced by labels_clean when the labels stage lands

// dayLabels returns the fraud labels of labels_clean/p (none until the
// labels feed is wired).
func dayLabels(ctx context.Context, job *pipeline.Job, p sinks.Partition) ([]features.Label, error) {
	return nil, nil
}
