package risk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// dayLabels returns the fraud labels of labels_clean/p, or none when the
// partition is not committed (most days have no labels feed).
func dayLabels(ctx context.Context, job *pipeline.Job, p sinks.Partition) ([]features.Label, error) {
	var out []features.Label
	err := job.Warehouse.Scan(ctx, job.Mem, schemas.LabelsClean, p, func(rec arrow.RecordBatch) error {
		sch := rec.Schema()
		users := rec.Column(sch.FieldIndices("user_token")[0]).(*array.String)
		labels := rec.Column(sch.FieldIndices("label")[0]).(*array.String)
		known := rec.Column(sch.FieldIndices("known_at")[0]).(*array.Timestamp)
		for j := range int(rec.NumRows()) {
			if labels.Value(j) == schemas.LabelFraud {
				out = append(out, features.Label{User: strings.Clone(users.Value(j)), KnownAt: int64(known.Value(j))})
			}
		}
		return nil
	}, "user_token", "label", "known_at")
	if errors.Is(err, sinks.ErrNotCommitted) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s/dt=%s: %w", schemas.LabelsClean.Name, p.DT, err)
	}
	return out, nil
}

// gapLabels folds into g the labels of the days after the checkpoint's
// day and before dt: days with labels but no events have no risk run of
// their own (an extract's chargebacks arrive after its last purchase),
// and their labels must not be lost.
func gapLabels(ctx context.Context, job *pipeline.Job, g *features.Engine, from string) error {
	if from == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return err
	}
	for d = d.AddDate(0, 0, 1); d.Before(job.Date); d = d.AddDate(0, 0, 1) {
		ls, err := dayLabels(ctx, job, sinks.Partition{DT: d.Format(time.DateOnly)})
		if err != nil {
			return err
		}
		for _, l := range ls {
			g.Label(l.User, l.KnownAt)
		}
	}
	return nil
}
