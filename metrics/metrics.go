// Package metrics exposes what the pipeline does as Prometheus metrics:
// it implements pipeline.Observer, so that pipeline and the stages below it
// do not depend on Prometheus. The registry is injected, never the global
// default, so that tests and one-shot pushes see only veil's own series.
package metrics

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/internal/version"
	"github.com/veil-data/veil/pipeline"
)

// Metrics records stage runs. Its counters count work done: a partition
// recomputed is counted again.
type Metrics struct {
	runs         *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	recordsIn    *prometheus.CounterVec
	recordsOut   *prometheus.CounterVec
	quarantined  *prometheus.CounterVec
	duplicates   *prometheus.CounterVec
	leakScans    *prometheus.CounterVec
	leakFindings *prometheus.CounterVec
	lastSuccess  *prometheus.GaugeVec
	due          *prometheus.GaugeVec

	leakErrs []error
	now      func() time.Time
}

// New registers veil's metrics with reg. leakErrors are the errors a
// stage returns when its leak scan failed (ingest.ErrLeak,
// reporting.ErrLeak): such a failure counts as a failed scan, since a
// failed scan commits no manifest to read it from.
func New(reg prometheus.Registerer, leakErrors ...error) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		runs: f.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_stage_runs_total",
			Help: "Stage and date attempts by outcome: ran, failed, panicked, up_to_date, not_ready, skipped_upstream, skipped_locked.",
		}, []string{"stage", "outcome"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "veil_stage_run_duration_seconds",
			Help: "Wall time of the stage runs that started (ran, failed or panicked).",
			// 0.1 s to about 25 min: a small day's stage to a 10M-event day's.
			Buckets: prometheus.ExponentialBuckets(0.1, 2.6, 11),
		}, []string{"stage"}),
		recordsIn: f.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_records_in_total",
			Help: "Records read, from the stats of each output a run committed (quarantine excepted).",
		}, []string{"stage", "dataset"}),
		recordsOut: f.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_records_out_total",
			Help: "Records written, per output dataset a run committed.",
		}, []string{"stage", "dataset"}),
		quarantined: f.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_records_quarantined_total",
			Help: "Records quarantined, by reason.",
		}, []string{"stage", "reason"}),
		duplicates: f.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_records_duplicates_total",
			Help: "Duplicate records dropped.",
		}, []string{"stage"}),
		leakScans: f.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_leak_scans_total",
			Help: "Leak scans (ingest's residual scan, the report's re-scan) by result: passed or failed.",
		}, []string{"stage", "result"}),
		leakFindings: f.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_leak_findings_total",
			Help: "Findings of the leak scans that committed (kinds of leak, not values).",
		}, []string{"stage"}),
		lastSuccess: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "veil_stage_last_successful_run_timestamp_seconds",
			Help: "Unix time at which a run of the stage last committed.",
		}, []string{"stage"}),
		due: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "veil_due_partitions",
			Help: "Partitions of the stage ready and due at its latest scheduler firing.",
		}, []string{"stage"}),
		leakErrs: leakErrors,
		now:      time.Now,
	}
	f.NewGaugeVec(prometheus.GaugeOpts{
		Name: "veil_build_info",
		Help: "The running build of veil: always 1.",
	}, []string{"version", "commit"}).WithLabelValues(version.Version(), version.Commit()).Set(1)
	return m
}

// Init creates the series of each stage at zero, so that rate() and
// absent() work before a stage first runs.
func (m *Metrics) Init(stages []string) {
	for _, s := range stages {
		for _, o := range []pipeline.Outcome{pipeline.Ran, pipeline.Failed} {
			m.runs.WithLabelValues(s, string(o))
		}
	}
}

// Due implements pipeline.Observer.
func (m *Metrics) Due(stage string, n int) { m.due.WithLabelValues(stage).Set(float64(n)) }

// StageDone implements pipeline.Observer.
func (m *Metrics) StageDone(r pipeline.RunResult) {
	m.runs.WithLabelValues(r.Stage, string(r.Outcome)).Inc()
	if r.Started {
		m.duration.WithLabelValues(r.Stage).Observe(r.Duration.Seconds())
	}
	if r.Err != nil && m.isLeak(r.Err) {
		m.leakScans.WithLabelValues(r.Stage, "failed").Inc()
	}
	if r.Outcome != pipeline.Ran {
		return
	}
	m.lastSuccess.WithLabelValues(r.Stage).Set(float64(m.now().UnixNano()) / 1e9)
	primary, scanned := true, false
	for _, o := range r.Outputs {
		var st pipeline.Stats
		if len(o.Stats) == 0 || json.Unmarshal(o.Stats, &st) != nil {
			continue
		}
		m.recordsIn.WithLabelValues(r.Stage, o.Dataset).Add(float64(st.RecordsIn))
		m.recordsOut.WithLabelValues(r.Stage, o.Dataset).Add(float64(st.RecordsOut))
		if primary {
			// The stage's own account: every output of an ingest stage
			// repeats it.
			primary = false
			for reason, n := range st.Quarantined {
				m.quarantined.WithLabelValues(r.Stage, reason).Add(float64(n))
			}
			m.duplicates.WithLabelValues(r.Stage).Add(float64(st.Duplicates))
		}
		if !scanned {
			scanned = m.countScan(r.Stage, st)
		}
	}
}

// countScan counts the stage's leak scan from its stats, if they hold one.
func (m *Metrics) countScan(stage string, st pipeline.Stats) bool {
	passed, findings := false, 0
	switch {
	case st.Leak != nil:
		passed, findings = st.Leak.Passed, st.Leak.Findings
	case len(st.Residual) > 0:
		var res residual.Result
		if json.Unmarshal(st.Residual, &res) != nil {
			return false
		}
		passed, findings = res.Passed, len(res.Findings)
	default:
		return false
	}
	result := "failed"
	if passed {
		result = "passed"
	}
	m.leakScans.WithLabelValues(stage, result).Inc()
	m.leakFindings.WithLabelValues(stage).Add(float64(findings))
	return true
}

func (m *Metrics) isLeak(err error) bool {
	for _, e := range m.leakErrs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
