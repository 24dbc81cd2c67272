package reporting

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/veil-data/veil/anonymize/keys/signing"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/internal/version"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/tagging"
)

// ErrLeak fails a report run whose leak check found raw values or PII in
// the outputs. No report is committed, so the stage stays due and fails
// again until the outputs are fixed; the journal keeps the error, which
// names where and what kind, never the value.
var ErrLeak = errors.New("leak check failed")

// Stage is the report stage (name "report").
type Stage struct {
	// Now stamps the report; tests replace it.
	Now func() time.Time
	// Policy is the field policy (nil: the embedded default); its CSV
	// formats say how to read the landing files the leak check reads.
	Policy *policy.File
	// Tags is the tag file (nil: the embedded default); the tag datasets'
	// columns come from it.
	Tags *tagging.Spec
	// AuditAnchor is the re-identification audit log's anchor file
	// (audit.AnchorPath); the report records what it says. Empty: not
	// recorded.
	AuditAnchor string
	// Appeals returns the appeal cases as of a moment (ms), for the
	// overdue count; nil: not counted.
	Appeals func(ctx context.Context, asOf int64) ([]appeals.Case, error)
	// AppealOverdueDays is when an unanswered appeal is overdue; 0:
	// appeals.DefaultOverdueDays.
	AppealOverdueDays int
	// MaxQuarantined is the share of records read that may be quarantined
	// before the verdict fails; 0: DefaultMaxQuarantined.
	MaxQuarantined float64
	// Signer signs the report files; nil: the report-signing keyset of
	// the job's keys folder (made on first need).
	Signer signing.Signer
}

func (s Stage) spec() *tagging.Spec {
	if s.Tags != nil {
		return s.Tags
	}
	return tagging.DefaultSpec()
}

func (Stage) Name() string { return "report" }

// ReportsGaps makes the report a pipeline.Reporter: it runs when an
// upstream stage failed, and says so.
func (Stage) ReportsGaps() {}

// covered lists the outputs a report covers, in report order. Only
// events_clean is required: the report re-runs as the others arrive,
// because its inputs then change.
func covered(dt string, spec *tagging.Spec) []pipeline.Input {
	p := sinks.Partition{DT: dt}
	return []pipeline.Input{
		{Dataset: schemas.EventsClean, Partition: p, Required: true},
		{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: dt, Sub: schemas.Events.Name}},
		{Dataset: schemas.ChatsClean, Partition: p},
		{Dataset: schemas.ChatPairs, Partition: p},
		{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: dt, Sub: schemas.Chats.Name}},
		{Dataset: schemas.OptOutsClean, Partition: p},
		{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: dt, Sub: schemas.OptOuts.Name}},
		{Dataset: schemas.OptOutRegistry, Partition: p},
		{Dataset: schemas.LabelsClean, Partition: p},
		{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: dt, Sub: schemas.Labels.Name}},
		{Dataset: schemas.AppealsClean, Partition: p},
		{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: dt, Sub: schemas.Appeals.Name}},
		{Dataset: spec.ConsumerTags(), Partition: p},
		{Dataset: spec.ConsumerMerchantTags(), Partition: p},
		{Dataset: schemas.AudienceReleases, Partition: p},
		{Dataset: risk.FeaturesDataset, Partition: p},
		{Dataset: schemas.RiskEntities, Partition: p},
		{Dataset: schemas.RiskState, Partition: p},
		{Dataset: risk.TrainingDataset, Partition: p},
		{Dataset: schemas.RiskClusters, Partition: p},
		{Dataset: schemas.RiskDecisions, Partition: p},
		{Dataset: schemas.RiskList, Partition: p},
		{Dataset: schemas.Blacklist, Partition: p},
		{Dataset: schemas.RiskReview, Partition: p},
	}
}

func (s Stage) Plan(dt time.Time) pipeline.Plan {
	d := dt.Format(time.DateOnly)
	return pipeline.Plan{
		Inputs:  covered(d, s.spec()),
		Outputs: []pipeline.Output{{Dataset: schemas.Reports, Partition: sinks.Partition{DT: d}}},
	}
}

// Run gathers the manifests of dt's outputs, re-scans every output for the
// day's raw values and PII patterns, gives the verdict, and commits
// run-<id>.json and run-<id>.html, each with its signature (.sig), beside
// the earlier reports of the day.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	rep := Report{
		Version: Version, VeilVersion: version.String(), RunID: job.RunID, DT: job.DT(), GeneratedAt: now().UTC(),
		KeyIDs:   map[string]uint32{},
		Totals:   Totals{Quarantined: map[string]int64{}, PII: map[string]int64{}},
		Complete: len(job.Incomplete) == 0,
	}
	for _, g := range job.Incomplete {
		rep.Incomplete = append(rep.Incomplete, g.String())
	}
	scan, err := newSpillScanner()
	if err != nil {
		return err
	}
	defer scan.close()
	if err := ingest.EachRawValue(ctx, job.Landing, job.Date, s.Policy, scan.spill.Add); err != nil {
		return fmt.Errorf("collect raw values: %w", err)
	}
	pol := s.Policy
	if pol == nil {
		pol = policy.Default()
	}
	scan.policy = map[string]map[string]residual.Class{}
	for _, feed := range []schemas.Input{schemas.Events, schemas.Chats, schemas.Appeals} {
		c, err := pol.Compile(feed)
		if err != nil {
			return err
		}
		scan.policy[c.Dataset.Name] = residual.PolicyClasses(c)
	}
	for _, in := range covered(job.DT(), s.spec()) {
		m, err := job.Warehouse.Manifest(in.Dataset, in.Partition)
		if errors.Is(err, sinks.ErrNotCommitted) {
			continue
		}
		if err != nil {
			return err
		}
		pr := PartitionReport{
			Dataset: m.Dataset, Partition: m.Partition, Stage: m.Stage, RunID: m.RunID,
			CommittedAt: m.CommittedAt, SchemaVersion: m.SchemaVersion, Rows: m.Rows,
			Files: len(m.Files), KeyIDs: m.KeyIDs,
		}
		if len(m.Stats) > 0 {
			var st pipeline.Stats
			if err := json.Unmarshal(m.Stats, &st); err != nil {
				return fmt.Errorf("%s/%s: stats: %w", m.Dataset, m.Partition, err)
			}
			pr.Stats = &st
			// The ingesting stages record the same stats in both their
			// outputs; count them once, from the clean dataset.
			if in.Dataset.Name == schemas.EventsClean.Name || in.Dataset.Name == schemas.ChatsClean.Name {
				rep.Totals.add(st)
			}
			if in.Dataset.Name == schemas.ChatPairs.Name {
				rep.ChatPairs = st.Pairs
			}
			if in.Dataset.Name == schemas.ConsumerTags.Name {
				rep.OptOutsHonoured = st.OptOutsHonoured
			}
		}
		for k, v := range m.KeyIDs {
			rep.KeyIDs[k] = v
		}
		rep.Partitions = append(rep.Partitions, pr)
		if err := rep.addIngested(pr); err != nil {
			return err
		}
		if err := scan.scanPartition(ctx, job.Warehouse, job.Mem, in.Dataset, in.Partition); err != nil {
			return err
		}
	}
	if rep.LeakCheck, err = scan.result(ctx); err != nil {
		return err
	}
	if rep.Audiences, err = audiences(ctx, job); err != nil {
		return err
	}
	rep.Reidentifications = reidentifications(s.AuditAnchor)
	rep.Reidentified = reidentified(auditLogPath(s.AuditAnchor), job.Date)
	if rep.Clusters, err = clustersNote(job); err != nil {
		return err
	}
	if rep.Risk, err = riskNote(job); err != nil {
		return err
	}
	if rep.Appeals, err = appealsNote(ctx, job, s.Appeals, cmp.Or(s.AppealOverdueDays, appeals.DefaultOverdueDays)); err != nil {
		return err
	}
	rep.Model = modelNote(job)

	if !rep.LeakCheck.Passed {
		// A leak commits nothing into reports/: the stage stays due and
		// fails again until the outputs are fixed. The signed report of
		// the failure is kept apart (keepFailed); the error names where
		// and what kind, never the value.
		var where []string
		for _, f := range rep.LeakCheck.Findings {
			where = append(where, fmt.Sprintf("%s.%s: %s x%d", f.Dataset, f.Column, f.Kind, f.Count))
		}
		path, err := s.keepFailed(ctx, job, &rep)
		if err != nil {
			return fmt.Errorf("%w: %s (and the failed report was not kept: %w)", ErrLeak, strings.Join(where, ", "), err)
		}
		job.Log.Error("leak check failed; report not committed", "findings", len(rep.LeakCheck.Findings), "failed_report", path)
		return fmt.Errorf("%w: %s; signed report of the failure: %s", ErrLeak, strings.Join(where, ", "), path)
	}
	body, page, signer, err := s.seal(ctx, job, &rep)
	if err != nil {
		return err
	}
	pw, err := job.Warehouse.Begin(schemas.Reports, job.Partition(), job.Stage, job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	if err := keepEarlier(job, pw); err != nil {
		return err
	}
	name := "run-" + job.RunID
	if err := writeSigned(pw, signer, name+".json", body, 1); err != nil {
		return err
	}
	if err := writeSigned(pw, signer, name+".html", page, 0); err != nil {
		return err
	}
	leak := &pipeline.LeakScan{Passed: rep.LeakCheck.Passed, Cells: rep.LeakCheck.Cells, Findings: len(rep.LeakCheck.Findings)}
	if _, err := pw.Commit(sinks.CommitInfo{KeyIDs: rep.KeyIDs, Inputs: job.Inputs, Incomplete: job.Incomplete, Stats: pipeline.Stats{Leak: leak}}); err != nil {
		return err
	}
	if !rep.Verdict.Passed() {
		job.Log.Error("report committed with verdict failed", "failures", strings.Join(rep.Verdict.Failures, "; "))
	}
	if !rep.Complete {
		job.Log.Warn("report committed incomplete", "partitions", len(rep.Partitions), "incomplete", strings.Join(rep.Incomplete, "; "))
		return nil
	}
	job.Log.Info("report committed", "partitions", len(rep.Partitions), "leak_check_passed", rep.LeakCheck.Passed)
	return nil
}

// signer is the Stage's Signer, or the report-signing keyset of the job's
// keys folder.
func (s Stage) signer(ctx context.Context, job *pipeline.Job) (signing.Signer, error) {
	if s.Signer != nil {
		return s.Signer, nil
	}
	if job.Keys == nil {
		return nil, errors.New("report: no signing key: the stage has neither a Signer nor a keys folder")
	}
	set, err := job.Keys(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: signing key: %w", err)
	}
	sg, err := set.ReportSigner(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: signing key: %w", err)
	}
	return sg, nil
}

// seal stamps rep with its signing key and verdict and renders it: the
// JSON body and the HTML page, each to be signed by the returned signer.
func (s Stage) seal(ctx context.Context, job *pipeline.Job, rep *Report) (body, page []byte, sg signing.Signer, err error) {
	if sg, err = s.signer(ctx, job); err != nil {
		return nil, nil, nil, err
	}
	rep.Signing = &SigningNote{Algorithm: signing.Algorithm, KeyID: sg.KeyID(), PublicKey: sg.PublicKey().Fingerprint()}
	rep.Verdict = verdict(rep, cmp.Or(s.MaxQuarantined, DefaultMaxQuarantined))
	if body, err = json.MarshalIndent(rep, "", "  "); err != nil {
		return nil, nil, nil, err
	}
	if page, err = RenderHTML(rep); err != nil {
		return nil, nil, nil, err
	}
	return append(body, '\n'), page, sg, nil
}

// writeSigned writes data as name and its signature as name.sig.
func writeSigned(pw *sinks.PartitionWriter, sg signing.Signer, name string, data []byte, rows int64) error {
	sig, err := sg.Sign(data)
	if err != nil {
		return fmt.Errorf("sign %s: %w", name, err)
	}
	if err := pw.WriteFile(name, data, rows); err != nil {
		return err
	}
	return pw.WriteFile(name+signing.Ext, sig, 0)
}

// keepEarlier copies the day's earlier reports into the new partition, so
// the partition holds the day's whole report history.
func keepEarlier(job *pipeline.Job, pw *sinks.PartitionWriter) error {
	m, err := job.Warehouse.Manifest(schemas.Reports, job.Partition())
	if errors.Is(err, sinks.ErrNotCommitted) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, f := range m.Files {
		if !strings.HasPrefix(f.Name, "run-") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(job.Warehouse.Dir(schemas.Reports, job.Partition()), f.Name))
		if err != nil {
			return fmt.Errorf("keep earlier report: %w", err)
		}
		if err := pw.WriteFile(f.Name, b, f.Rows); err != nil {
			return err
		}
	}
	return nil
}

// IsReportJSON reports whether a file of the reports dataset is a JSON
// report (rather than its HTML page or a signature).
func IsReportJSON(name string) bool {
	return strings.HasPrefix(name, "run-") && strings.HasSuffix(name, ".json")
}

func (t *Totals) add(s pipeline.Stats) {
	t.RecordsIn += s.RecordsIn
	t.RecordsOut += s.RecordsOut
	t.Duplicates += s.Duplicates
	t.OtherPartition += s.OtherPartition
	for k, v := range s.Quarantined {
		t.Quarantined[k] += v
	}
	for k, v := range s.PII {
		t.PII[k] += v
	}
	for k, v := range s.DroppedFields {
		if t.Dropped == nil {
			t.Dropped = map[string]int64{}
		}
		t.Dropped[k] += v
	}
}

// Latest reads the most recent report of a day and returns its path.
func Latest(wh *sinks.Warehouse, day time.Time) (*Report, string, error) {
	p := sinks.Partition{DT: day.Format(time.DateOnly)}
	m, err := wh.Manifest(schemas.Reports, p)
	if err != nil {
		return nil, "", err
	}
	var last string
	for _, f := range m.Files {
		if IsReportJSON(f.Name) && f.Name > last {
			last = f.Name // run ids sort by time
		}
	}
	if last == "" {
		return nil, "", fmt.Errorf("reports/%s: no report", p.Path(schemas.Reports))
	}
	path := filepath.Join(wh.Dir(schemas.Reports, p), last)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return &r, path, nil
}
