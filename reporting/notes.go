package reporting

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/audit"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// SigningNote names the key that signs the report's files. The public key
// is given by fingerprint only: an auditor gets the key itself apart from
// the report (`veil report public-key`), since a key shipped beside what
// it signs proves nothing.
type SigningNote struct {
	Algorithm string `json:"algorithm"` // "Ed25519"
	KeyID     uint32 `json:"key_id"`
	// PublicKey is "sha256:" and the hex SHA-256 of the DER
	// SubjectPublicKeyInfo.
	PublicKey string `json:"public_key_sha256"`
}

// InputNote is one landing file an ingesting stage read.
type InputNote struct {
	Dataset string `json:"dataset"` // the clean dataset it fed
	pipeline.InputFile
}

// ResidualNote is the residual scan one ingesting stage ran over one
// partition before committing it: counts and where, never values.
type ResidualNote struct {
	Dataset   string `json:"dataset"`
	Partition string `json:"partition"`
	Passed    bool   `json:"passed"`
	Cells     int64  `json:"cells_scanned"`
	Findings  int    `json:"findings"`
}

// ingested are the datasets whose manifests carry an ingesting stage's
// stats (inputs, transforms, residual scan), each run once.
var ingested = []string{schemas.EventsClean.Name, schemas.ChatsClean.Name, schemas.OptOutsClean.Name,
	schemas.LabelsClean.Name, schemas.AppealsClean.Name}

// addIngested copies what an ingesting stage recorded into the report.
func (r *Report) addIngested(pr PartitionReport) error {
	if pr.Stats == nil || !slices.Contains(ingested, pr.Dataset) {
		return nil
	}
	for _, in := range pr.Stats.Inputs {
		r.Inputs = append(r.Inputs, InputNote{Dataset: pr.Dataset, InputFile: in})
	}
	if len(pr.Stats.Transforms) > 0 {
		if r.Transforms == nil {
			r.Transforms = map[string]map[string]string{}
		}
		r.Transforms[pr.Dataset] = pr.Stats.Transforms
	}
	if len(pr.Stats.Residual) > 0 {
		var res residual.Result
		if err := json.Unmarshal(pr.Stats.Residual, &res); err != nil {
			return fmt.Errorf("%s/%s: residual scan: %w", pr.Dataset, pr.Partition, err)
		}
		r.ResidualScans = append(r.ResidualScans, ResidualNote{Dataset: pr.Dataset, Partition: pr.Partition,
			Passed: res.Passed, Cells: res.Cells, Findings: len(res.Findings)})
	}
	slices.SortFunc(r.Inputs, func(a, b InputNote) int { return cmp.Compare(a.Path, b.Path) })
	return nil
}

// ReidentifiedNote counts the re-identification attempts of one day as the
// audit log records them. The stage reads the log without its key (which
// it never holds): `veil audit verify` proves the log; the report's
// anchor record (Reidentifications) ties this count to it.
type ReidentifiedNote struct {
	// Log is "present", "missing" (no attempt ever made) or "damaged" (a
	// line that does not parse; counts stop there).
	Log      string           `json:"log"`
	Attempts int64            `json:"attempts"`
	Revealed int64            `json:"revealed"`
	Refused  int64            `json:"refused"`
	Reasons  map[string]int64 `json:"reasons,omitempty"` // as written by whoever asked
	// Total counts every entry of the log, of every day.
	Total int64 `json:"log_entries"`
}

// reidentified counts the attempts of the day starting at day in the log
// at path; nil when path is empty. Tokens are not read.
func reidentified(path string, day time.Time) *ReidentifiedNote {
	if path == "" {
		return nil
	}
	n := &ReidentifiedNote{Log: AnchorPresent, Reasons: map[string]int64{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		n.Log = AnchorMissing
		return n
	}
	if err != nil {
		n.Log = AnchorDamaged
		return n
	}
	defer f.Close()
	end := day.AddDate(0, 0, 1)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e struct {
			Time    time.Time `json:"time"`
			Action  string    `json:"action"`
			Reason  string    `json:"reason"`
			Outcome string    `json:"outcome"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			n.Log = AnchorDamaged
			break
		}
		n.Total++
		if e.Action != audit.ActionReidentify || e.Time.Before(day) || !e.Time.Before(end) {
			continue
		}
		n.Attempts++
		if e.Outcome == audit.OutcomeRevealed {
			n.Revealed++
		} else {
			n.Refused++
		}
		n.Reasons[e.Reason]++
	}
	if sc.Err() != nil {
		n.Log = AnchorDamaged
	}
	return n
}

// auditLogPath is the audit log of the keys folder the anchor is in, as
// every command finds it (audit.ResolvePath).
func auditLogPath(anchor string) string {
	if anchor == "" {
		return ""
	}
	return audit.ResolvePath("", filepath.Dir(anchor))
}
