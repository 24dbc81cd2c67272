package reporting

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/veil-data/veil/audit"
	"github.com/veil-data/veil/audit/chain"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Reidentifications is what the re-identification audit log's anchor said
// when the report was made. Each day's report is a second anchor, kept in
// the warehouse, away from the keys folder: a log cut below, or rewritten
// at, the seq a report recorded contradicts it. The report stage does not
// hold the audit key (it is under the re-identification KEK, which the
// pipeline never has), so it records the anchor without checking it;
// `veil audit verify --warehouse` checks every report's record against the
// verified log.
type Reidentifications struct {
	// Anchor is "present", "missing" or "damaged".
	Anchor string `json:"anchor"`
	// Entries is the seq of the log's last keyed entry, Head its MAC.
	Entries uint64 `json:"entries"`
	Head    string `json:"head,omitempty"`
}

// Anchor states.
const (
	AnchorPresent = "present"
	AnchorMissing = "missing"
	AnchorDamaged = "damaged"
)

// reidentifications reads the audit anchor at path; nil when path is
// empty. A missing or damaged anchor is recorded, not an error: the day's
// data is not at fault, and the record is what an auditor needs.
func reidentifications(path string) *Reidentifications {
	if path == "" {
		return nil
	}
	a, ok, err := chain.PeekAnchor(path)
	switch {
	case err != nil || ok && a.Log != audit.ChainName:
		return &Reidentifications{Anchor: AnchorDamaged}
	case !ok:
		return &Reidentifications{Anchor: AnchorMissing}
	}
	return &Reidentifications{Anchor: AnchorPresent, Entries: a.Seq, Head: a.Head}
}

// Recorded is one report's record of the audit anchor.
type Recorded struct {
	Report string // the report file
	Reidentifications
}

// RecordedAnchors returns what every committed report of wh recorded of
// the audit anchor, oldest first; reports made without one are skipped.
func RecordedAnchors(wh *sinks.Warehouse) ([]Recorded, error) {
	parts, err := wh.Partitions(schemas.Reports)
	if err != nil {
		return nil, err
	}
	var out []Recorded
	for _, p := range parts {
		m, err := wh.Manifest(schemas.Reports, p)
		if errors.Is(err, sinks.ErrNotCommitted) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, f := range m.Files {
			if !IsReportJSON(f.Name) {
				continue
			}
			path := filepath.Join(wh.Dir(schemas.Reports, p), f.Name)
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("read report: %w", err)
			}
			var r struct {
				R *Reidentifications `json:"reidentifications"`
			}
			if err := json.Unmarshal(b, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if r.R != nil {
				out = append(out, Recorded{Report: path, Reidentifications: *r.R})
			}
		}
	}
	return out, nil
}
