package reporting

import (
	"fmt"
	"slices"
	"strings"
)

// Verdict is the report's first word: passed or failed, and why.
type Verdict struct {
	Status string `json:"status"` // VerdictPassed or VerdictFailed
	// Failures are the rules the run broke (docs/REPORT.md lists them),
	// each "rule: detail"; empty when it passed.
	Failures []string `json:"failures,omitempty"`
	// Warnings do not fail the run but need a look.
	Warnings []string `json:"warnings,omitempty"`
}

// Verdict statuses.
const (
	VerdictPassed = "passed"
	VerdictFailed = "failed"
)

// DefaultMaxQuarantined is the share of the records read that may be
// quarantined before the verdict fails: above it, a feed is broken rather
// than messy, and the outputs miss too much to be released unread.
const DefaultMaxQuarantined = 0.05

// Passed reports whether the verdict is passed.
func (v Verdict) Passed() bool { return v.Status == VerdictPassed }

// verdict applies the rules to r. Every rule reads only what the report
// itself holds, so anyone can re-apply them to the JSON. maxQuarantined
// is a share of records_in (0..1).
func verdict(r *Report, maxQuarantined float64) Verdict {
	var v Verdict
	fail := func(rule, f string, args ...any) { v.Failures = append(v.Failures, rule+": "+fmt.Sprintf(f, args...)) }
	warn := func(rule, f string, args ...any) { v.Warnings = append(v.Warnings, rule+": "+fmt.Sprintf(f, args...)) }

	if !r.LeakCheck.Passed {
		fail("leak_check", "%d finding(s) of raw values or PII in the outputs", len(r.LeakCheck.Findings))
	}
	for _, s := range r.ResidualScans {
		if !s.Passed {
			fail("residual_scan", "%s/%s: %d finding(s)", s.Dataset, s.Partition, s.Findings)
		}
	}
	if !r.Complete {
		fail("incomplete", "%s", strings.Join(r.Incomplete, "; "))
	}
	if !slices.ContainsFunc(r.Partitions, func(p PartitionReport) bool { return p.Dataset == "events_clean" }) {
		fail("incomplete", "events_clean not committed")
	}
	for _, p := range r.Partitions {
		if p.Stats != nil && slices.Contains(ingested, p.Dataset) && !p.Stats.Balanced() {
			s := p.Stats
			fail("unaccounted", "%s/%s: %d records read, %d written + %d quarantined + %d duplicates + %d other days",
				p.Dataset, p.Partition, s.RecordsIn, s.RecordsOut, s.QuarantinedTotal(), s.Duplicates, s.OtherPartition)
		}
		if p.Stats != nil && len(p.Stats.RefusedFiles) > 0 {
			warn("refused_files", "%s/%s: %d landing file(s) not read", p.Dataset, p.Partition, len(p.Stats.RefusedFiles))
		}
		if p.Stats != nil && len(p.Stats.DamagedFiles) > 0 {
			warn("damaged_files", "%s/%s: %d landing file(s) read only up to their damage", p.Dataset, p.Partition, len(p.Stats.DamagedFiles))
		}
	}
	var q int64
	for _, n := range r.Totals.Quarantined {
		q += n
	}
	if in := r.Totals.RecordsIn; in > 0 && float64(q) > maxQuarantined*float64(in) {
		fail("quarantine", "%d of %d records quarantined (%.1f%%, above %.1f%%)", q, in, 100*float64(q)/float64(in), 100*maxQuarantined)
	}
	if a := r.Reidentifications; a != nil && a.Anchor != AnchorPresent {
		fail("audit_log", "the re-identification audit log's anchor is %s: re-identifications cannot be verified", a.Anchor)
	}
	if n := r.Reidentified; n != nil && n.Log == AnchorDamaged {
		fail("audit_log", "the re-identification audit log does not parse")
	}
	if a := r.Reidentifications; a != nil && r.Reidentified != nil && r.Reidentified.Log != AnchorDamaged && uint64(r.Reidentified.Total) < a.Entries {
		fail("audit_log", "the log holds %d entries, its anchor records %d", r.Reidentified.Total, a.Entries)
	}
	if m := r.Model; m != nil && m.Error != "" {
		warn("model", "the current fraud model could not be read")
	}
	if ap := r.Appeals; ap != nil && len(ap.Overdue) > 0 {
		warn("appeals", "%d appeal(s) open past %d days", len(ap.Overdue), ap.OverdueDays)
	}
	v.Status = VerdictPassed
	if len(v.Failures) > 0 {
		v.Status = VerdictFailed
	}
	return v
}
