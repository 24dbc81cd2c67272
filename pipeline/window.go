package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Window lists the partitions of ds for the days days ending at dt, oldest
// first. dt itself is required; earlier days are read when committed, so a
// window at the start of history still runs.
func Window(ds schemas.Dataset, dt time.Time, days int) []Input {
	in := make([]Input, 0, days)
	for i := days - 1; i >= 0; i-- {
		in = append(in, Input{
			Dataset:   ds,
			Partition: sinks.Partition{DT: dt.AddDate(0, 0, -i).Format(time.DateOnly)},
			Required:  i == 0,
		})
	}
	return in
}

// EndOfDay is the last millisecond of dt in UTC: the as-of time of a
// partition's point-in-time outputs.
func EndOfDay(dt time.Time) time.Time {
	y, m, d := dt.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Add(-time.Millisecond)
}

// ScanInputs scans the given columns of every committed warehouse input,
// in order, and returns how many partitions it read. A missing optional
// input is skipped; a missing required one is an error.
func (j *Job) ScanInputs(ctx context.Context, inputs []Input, columns []string, fn func(arrow.RecordBatch) error) (int, error) {
	manifests := map[string]*sinks.Manifest{}
	for _, in := range inputs {
		m, err := j.Warehouse.Manifest(in.Dataset, in.Partition)
		if err == nil {
			manifests[in.Dataset.Name+"/"+in.Partition.Path(in.Dataset)] = m
		}
	}
	if err := checkEpochs(manifests); err != nil {
		return 0, err
	}
	read := 0
	for _, in := range inputs {
		err := j.Warehouse.Scan(ctx, j.Mem, in.Dataset, in.Partition, func(rec arrow.RecordBatch) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fn(rec)
		}, columns...)
		if errors.Is(err, sinks.ErrNotCommitted) && !in.Required {
			continue
		}
		if err != nil {
			return read, fmt.Errorf("read %s/%s: %w", in.Dataset.Name, in.Partition.Path(in.Dataset), err)
		}
		read++
	}
	return read, nil
}
