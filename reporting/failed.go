package reporting

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/veil-data/veil/anonymize/keys/signing"
	"github.com/veil-data/veil/internal/atomicfile"
	"github.com/veil-data/veil/pipeline"
)

// FailedDir is where a report whose leak check failed is kept, under the
// warehouse root: the reports dataset must stay uncommitted (so the stage
// stays due until the outputs are fixed), yet the officer is owed the
// signed verdict saying what failed. Names starting with "_" are not
// datasets, so readers of the warehouse skip it.
const FailedDir = "_reports_failed"

// keepFailed signs rep and writes it, JSON and HTML with their signatures,
// to <warehouse>/_reports_failed/dt=D/, each file whole (atomicfile) so a
// reader never sees half of one. It returns the JSON's path.
func (s Stage) keepFailed(ctx context.Context, job *pipeline.Job, rep *Report) (string, error) {
	body, page, sg, err := s.seal(ctx, job, rep)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(job.Warehouse.Root, FailedDir, "dt="+job.DT())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("report: keep failed report: %w", err)
	}
	name := filepath.Join(dir, "run-"+job.RunID)
	for _, f := range []struct {
		path string
		data []byte
	}{{name + ".json", body}, {name + ".html", page}} {
		sig, err := sg.Sign(f.data)
		if err != nil {
			return "", fmt.Errorf("report: sign %s: %w", filepath.Base(f.path), err)
		}
		if err := atomicfile.Write(f.path, f.data, 0o600); err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		if err := atomicfile.Write(f.path+signing.Ext, sig, 0o600); err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
	}
	return name + ".json", nil
}
