package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/sinks"
)

// loadLifts returns the appeals decision log's lifts made before asOf
// (ms), for the blacklist. A log that fails verification is an error, not
// an empty list: a deleted lift would silently re-block an innocent user,
// a forged one unblock a fraudster. A keys folder with no appeals key and
// no log has no lifts; it is read, never created, here.
func loadLifts(p *paths, asOf int64) ([]blacklist.Lift, error) {
	log, err := readAppealsLog(p)
	if log == nil || err != nil {
		return nil, err
	}
	return log.LiftsChecked(asOf)
}

// loadCases returns the appeal cases filed before asOf (ms) in wh with
// the decisions made before it, for the review stage and the report.
func loadCases(ctx context.Context, p *paths, wh *sinks.Warehouse, asOf int64) ([]appeals.Case, error) {
	log, err := readAppealsLog(p)
	if err != nil {
		return nil, err
	}
	return appeals.Cases(ctx, wh, memory.DefaultAllocator, log, asOf)
}

// readAppealsLog opens and verifies the decision log for the stages,
// which never make its key; nil when there is no log.
func readAppealsLog(p *paths) (*appeals.Log, error) {
	if _, err := os.Stat(filepath.Join(p.warehouse, appeals.LogFile)); errors.Is(err, os.ErrNotExist) {
		// No decision yet: nothing to verify, and no key needed. A wiped
		// log is caught by `veil appeals` against its anchor.
		return nil, nil
	}
	return p.openAppealsLog(context.Background(), false)
}

// initAppealsAnchor makes the appeals decision log's anchor beside the
// keys if it is absent: the record that the log exists, which a wiped log
// contradicts.
func initAppealsAnchor(ctx context.Context, dir string, kek keys.KEK) error {
	key, err := keys.OpenAppealsKey(ctx, dir, kek)
	if err != nil {
		return err
	}
	_, err = appeals.InitAnchor(filepath.Join(dir, appeals.AnchorFile), key)
	return err
}
