// Package reporting builds the per-run anonymisation report that a
// compliance officer audits: what came in, what was done to each field,
// with which keys, what PII was found, and whether anything leaked.
package reporting

import (
	"time"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/appeals"
)

// Version is the report format version. 2 added the verdict, veil's
// version, the signing key, inputs, transforms, residual scans and the
// re-identification counts (docs/REPORT.md documents every field).
const Version = 2

// Report is the machine-readable report of one report run over one dt.
// Its fields are documented one by one in docs/REPORT.md; a change to
// them bumps Version.
type Report struct {
	// Verdict opens the report: passed or failed, and why (verdict.go).
	Verdict     Verdict   `json:"verdict"`
	Version     int       `json:"report_version"`
	VeilVersion string    `json:"veil_version"`
	RunID       string    `json:"run_id"`
	DT          string    `json:"dt"`
	GeneratedAt time.Time `json:"generated_at"`
	// Signing names the key that signed this file and its HTML page;
	// absent in a report that was not signed.
	Signing *SigningNote `json:"signing,omitempty"`
	// Inputs are the landing files the ingesting stages read, with their
	// checksums; Transforms what each stage did to each input field.
	Inputs     []InputNote                  `json:"inputs"`
	Transforms map[string]map[string]string `json:"transforms,omitempty"`
	// ResidualScans are the scans the ingesting stages ran over their
	// outputs before committing them, one per partition.
	ResidualScans []ResidualNote `json:"residual_scans"`
	// Complete is false when a stage whose outputs the report covers was
	// not up to date when it ran; Incomplete then says which and why
	// ("tags 2026-11-19: failed: ..."), and the partitions listed are
	// only those that existed.
	Complete   bool              `json:"complete"`
	Incomplete []string          `json:"incomplete,omitempty"`
	Partitions []PartitionReport `json:"partitions"`
	Totals     Totals            `json:"totals"`
	KeyIDs     map[string]uint32 `json:"key_ids"`
	LeakCheck  LeakCheck         `json:"leak_check"`
	// OptOutsHonoured counts consumers left out of dt's tags (and so out
	// of every audience) because they had opted out of marketing.
	OptOutsHonoured int64 `json:"optouts_honoured"`
	// ChatPairs counts the chatbot training pairs of dt (chat_pairs/dt):
	// made, and dropped by reason.
	ChatPairs *pipeline.PairStats `json:"chat_pairs,omitempty"`
	// Audiences summarises what merchants asked of dt's tags and what
	// they were given (audience_releases/dt).
	Audiences Audiences `json:"audiences"`
	// Reidentifications is where the re-identification audit log ended
	// when the report was made; absent when the stage was not told where
	// the log's anchor is.
	Reidentifications *Reidentifications `json:"reidentifications,omitempty"`
	// Reidentified counts the re-identification attempts the audit log
	// records on dt, by outcome and reason, never a token; absent when
	// the stage was not told where the log is.
	Reidentified *ReidentifiedNote `json:"reidentified,omitempty"`
	// Clusters is the note on risk_clusters/dt; absent when it was not
	// committed.
	Clusters *ClustersNote `json:"clusters,omitempty"`
	// Risk is dt's risk control: decisions, risk list, blacklist changes,
	// the post-event review and overdue appeals; absent when
	// risk_decisions/dt was not committed.
	Risk *RiskNote `json:"risk,omitempty"`
	// Appeals are the appeal cases as of the end of dt, how they were
	// decided and the open ones overdue; absent without a decision log.
	Appeals *appeals.Summary `json:"appeals,omitempty"`
	// Model is the fraud model in force when the report was made; absent
	// when none has been activated.
	Model *ModelNote `json:"model,omitempty"`
}

// Audiences is the report's view of audience_releases/dt.
type Audiences struct {
	Released int64            `json:"released"`
	Refused  map[string]int64 `json:"refused,omitempty"` // by reason class
	Exports  int64            `json:"exports"`
	// SmallestClass is the smallest equivalence class (k-anonymity) of
	// any export released, 0 without exports; LowestL likewise for
	// l-diversity.
	SmallestClass int64 `json:"smallest_class_released"`
	LowestL       int64 `json:"lowest_l_diversity_released"`
	// BudgetSpent is each merchant's epsilon spent in each budget period,
	// as of the last query about dt: "merchant period" -> epsilon.
	BudgetSpent map[string]float64 `json:"budget_spent,omitempty"`
}

// PartitionReport is one committed output partition the report covers.
type PartitionReport struct {
	Dataset       string            `json:"dataset"`
	Partition     string            `json:"partition"`
	Stage         string            `json:"stage"`
	RunID         string            `json:"run_id"`
	CommittedAt   time.Time         `json:"committed_at"`
	SchemaVersion int               `json:"schema_version"`
	Rows          int64             `json:"rows"`
	Files         int               `json:"files"`
	KeyIDs        map[string]uint32 `json:"key_ids,omitempty"`
	Stats         *pipeline.Stats   `json:"stats,omitempty"`
}

// Totals sums what the ingesting stages (events, chats) accounted for.
type Totals struct {
	RecordsIn   int64            `json:"records_in"`
	RecordsOut  int64            `json:"records_out"`
	Quarantined map[string]int64 `json:"quarantined"`
	Duplicates  int64            `json:"duplicates"`
	// OtherPartition counts rows of historical extracts that belong to
	// other days: records_in = out + quarantined + duplicates + this.
	OtherPartition int64            `json:"other_partition,omitempty"`
	Dropped        map[string]int64 `json:"dropped_fields,omitempty"`
	PII            map[string]int64 `json:"pii_found"`
}

// LeakCheck is the result of scanning every output for the run's raw
// values and for PII patterns. Findings name where, never what.
type LeakCheck struct {
	Passed       bool      `json:"passed"`
	RawValues    int       `json:"raw_values_checked"`
	Columns      int       `json:"columns_scanned"`
	Cells        int64     `json:"cells_scanned"`
	Findings     []Finding `json:"findings,omitempty"`
	PatternTypes []string  `json:"pattern_types"`
}

// Finding is one kind of leak in one column.
type Finding struct {
	Dataset string `json:"dataset"`
	Column  string `json:"column"`
	Kind    string `json:"kind"` // raw_value or pii_pattern:<TYPE>
	Count   int64  `json:"distinct_values"`
}
