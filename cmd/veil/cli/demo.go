package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/reporting"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/synth"
)

func (a *app) demoCmd() *cobra.Command {
	var dir string
	var events int
	cmd := &cobra.Command{
		Use:   "demo [--dir DIR]",
		Short: "Create keys, generate two days of data and run every stage on them",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			t0 := time.Now()
			p := paths{
				landing:   filepath.Join(dir, "landing"),
				warehouse: filepath.Join(dir, "warehouse"),
				keys:      filepath.Join(dir, "keys"),
			}
			if _, err := initKeys(cmd, p.keys, ""); err != nil {
				return err
			}
			start, _ := time.Parse(time.DateOnly, defaultStart)
			const days = 2
			sum, err := synth.Generate(ctx, synth.Config{Out: dir, Start: start, Days: days, Events: events, Seed: 42, Gzip: true})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "generated %d events and %d chat messages for %s..%s in %s\n",
				sum.Events, sum.Chats, start.Format(time.DateOnly), start.AddDate(0, 0, days-1).Format(time.DateOnly), p.landing)
			r, err := a.runner(&p)
			if err != nil {
				return err
			}
			r.LockWait = defaultLockWait
			runErr := a.reportFailures(r, r.Backfill(ctx, start, start.AddDate(0, 0, days-1), false))
			if runErr == nil {
				runErr = a.demoAudiences(ctx, r, &p, start.AddDate(0, 0, days-1))
			}
			if err := a.summary(r, start, days, time.Since(t0), p.keys); err != nil && runErr == nil {
				runErr = err
			}
			return runErr
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "demo", "demo root: DIR/landing, DIR/warehouse, DIR/keys, DIR/truth")
	cmd.Flags().IntVar(&events, "events", 200000, "total events to generate")
	return cmd
}

// summary prints rows per dataset, what was quarantined, PII found and the
// leak check, from the manifests and reports the run committed.
func (a *app) summary(r *pipeline.Runner, start time.Time, days int, took time.Duration, keysDir string) error {
	wh := r.Env.Warehouse
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "dataset\tpartitions\trows\t")
	for _, ds := range schemas.Datasets {
		parts, err := wh.Partitions(ds)
		if err != nil {
			return err
		}
		var rows int64
		for _, p := range parts {
			if m, err := wh.Manifest(ds, p); err == nil {
				rows += m.Rows
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", ds.Name, len(parts), rows)
	}
	tw.Flush()

	var tot reporting.Totals
	tot.Quarantined, tot.PII = map[string]int64{}, map[string]int64{}
	leaks, checked := 0, 0
	var scans residualTally
	var pairs pipeline.PairStats
	var reports, honoured []string
	for d := 0; d < days; d++ {
		rep, path, err := reporting.Latest(wh, start.AddDate(0, 0, d))
		if err != nil {
			return err
		}
		reports = append(reports, path)
		tot.RecordsIn += rep.Totals.RecordsIn
		tot.RecordsOut += rep.Totals.RecordsOut
		tot.Duplicates += rep.Totals.Duplicates
		for k, v := range rep.Totals.Quarantined {
			tot.Quarantined[k] += v
		}
		for k, v := range rep.Totals.PII {
			tot.PII[k] += v
		}
		if rep.ChatPairs != nil {
			pairs.Add(rep.ChatPairs)
		}
		leaks += len(rep.LeakCheck.Findings)
		checked += rep.LeakCheck.RawValues
		honoured = append(honoured, fmt.Sprintf("%s %d", rep.DT, rep.OptOutsHonoured))
		for _, pr := range rep.Partitions {
			// Quarantine and chat_pairs carry the stats of the run that
			// committed them with another dataset: count each run once.
			if pr.Stats == nil || len(pr.Stats.Residual) == 0 || pr.Dataset == schemas.Quarantine.Name || pr.Dataset == schemas.ChatPairs.Name {
				continue
			}
			scans.add(pr.Stats.Residual)
		}
	}
	var q int64
	for _, v := range tot.Quarantined {
		q += v
	}
	fmt.Fprintf(a.stdout, "\nrecords in %d, written %d, quarantined %d (%s), duplicates dropped %d\n",
		tot.RecordsIn, tot.RecordsOut, q, counts(tot.Quarantined), tot.Duplicates)
	fmt.Fprintf(a.stdout, "PII found and replaced in chats: %s\n", counts(tot.PII))
	fmt.Fprintf(a.stdout, "chat_pairs for chatbot training: %d made, dropped %s\n", pairs.Made, counts(pairs.Dropped))
	if err := a.optoutSummary(wh, start, days, &scans); err != nil {
		return err
	}
	if err := a.labelSummary(wh, start, days, &scans); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "opted-out consumers left out of the tags (and so of every audience): %s\n", strings.Join(honoured, ", "))
	if err := a.riskSummary(wh, start, days); err != nil {
		return err
	}
	if err := a.clustersSummary(wh, start, days); err != nil {
		return err
	}
	if err := a.riskListSummary(wh, start, days); err != nil {
		return err
	}
	if leaks += scans.failed; leaks == 0 {
		fmt.Fprintf(a.stdout, "residual scan before each ingest commit: PASSED (%d runs, %d cells checked)\n", scans.runs, scans.cells)
		fmt.Fprintf(a.stdout, "leak check: PASSED (%d raw values searched in every output column)\n", checked)
	} else {
		fmt.Fprintf(a.stdout, "leak check: FAILED (%d findings; see the reports)\n", leaks)
	}
	fmt.Fprintf(a.stdout, "took %.1fs\n\nwhere to look:\n", took.Seconds())
	for _, p := range reports {
		fmt.Fprintf(a.stdout, "  report      %s\n", p)
		fmt.Fprintf(a.stdout, "  report page %s\n", strings.TrimSuffix(p, ".json")+".html")
	}
	if keysDir != "" {
		fmt.Fprintf(a.stdout, "  public key  %s (verify: veil report verify FILE --public-key %[1]s)\n", filepath.Join(keysDir, keys.PublicKeyFile))
	}
	fmt.Fprintf(a.stdout, "  warehouse   %s/<dataset>/dt=YYYY-MM-DD/\n", wh.Root)
	fmt.Fprintf(a.stdout, "  query       duckdb -c \"SELECT type, count(*) FROM read_parquet('%s/events_clean/*/*.parquet', hive_partitioning=true) GROUP BY ALL\"\n", wh.Root)
	return nil
}

// counts formats a map as "a 1, b 2" in key order.
func counts(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			io.WriteString(&b, ", ")
		}
		fmt.Fprintf(&b, "%s %d", k, m[k])
	}
	return b.String()
}

// residualTally sums the residual scans ingest runs recorded.
type residualTally struct {
	runs, failed int
	cells        int64
}

func (t *residualTally) add(raw json.RawMessage) {
	var r residual.Result
	if len(raw) == 0 || json.Unmarshal(raw, &r) != nil {
		return
	}
	t.runs++
	t.cells += r.Cells
	if !r.Passed {
		t.failed++
	}
}

// optoutSummary prints, per day, the consent requests the optouts stage
// read and the registry it committed, from their manifests, and adds the
// stage's residual scans to scans (the reports do not cover it).
func (a *app) optoutSummary(wh *sinks.Warehouse, start time.Time, days int, scans *residualTally) error {
	for d := 0; d < days; d++ {
		p := sinks.Partition{DT: start.AddDate(0, 0, d).Format(time.DateOnly)}
		var in pipeline.Stats
		var reg ingest.RegistryStats
		for _, x := range []struct {
			ds schemas.Dataset
			v  any
		}{{schemas.OptOutsClean, &in}, {schemas.OptOutRegistry, &reg}} {
			m, err := wh.Manifest(x.ds, p)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(m.Stats, x.v); err != nil {
				return fmt.Errorf("%s/%s: stats: %w", x.ds.Name, p.Path(x.ds), err)
			}
		}
		scans.add(in.Residual)
		label := "opt-outs"
		if d > 0 {
			label = ""
		}
		c := reg.Consent
		fmt.Fprintf(a.stdout, "%-9s %s: %d requests read, %d accepted, %d quarantined, %d duplicates; %d opt-outs, %d withdrawals, %d unchanged; registry: %d of %d consumers opted out\n",
			label, p.DT, in.RecordsIn, in.RecordsOut, in.QuarantinedTotal(), in.Duplicates, c.NewOptOuts, c.Withdrawals, c.Unchanged, c.OptedOut, c.Consumers)
	}
	return nil
}

// labelSummary prints, per day, the labels the labels stage read and
// wrote, and adds its residual scans to scans (the reports do not cover
// it).
func (a *app) labelSummary(wh *sinks.Warehouse, start time.Time, days int, scans *residualTally) error {
	for d := 0; d < days; d++ {
		p := sinks.Partition{DT: start.AddDate(0, 0, d).Format(time.DateOnly)}
		m, err := wh.Manifest(schemas.LabelsClean, p)
		if err != nil {
			return err
		}
		st, err := decodeStats(m.Stats)
		if err != nil {
			return fmt.Errorf("%s/%s: stats: %w", schemas.LabelsClean.Name, p.Path(schemas.LabelsClean), err)
		}
		scans.add(st.Residual)
		label := "labels"
		if d > 0 {
			label = ""
		}
		fmt.Fprintf(a.stdout, "%-9s %s: %d read, %d written to %s, %d quarantined, %d duplicates\n",
			label, p.DT, st.RecordsIn, st.RecordsOut, schemas.LabelsClean.Name, st.QuarantinedTotal(), st.Duplicates)
	}
	return nil
}

// riskSummary prints each day's training set: scored events, labelled
// fraud by the cutoff, and what the leakage audit recomputed.
func (a *app) riskSummary(wh *sinks.Warehouse, start time.Time, days int) error {
	for d := 0; d < days; d++ {
		dt := start.AddDate(0, 0, d).Format(time.DateOnly)
		m, err := wh.Manifest(schemas.RiskTraining, sinks.Partition{DT: dt})
		if err != nil {
			return err
		}
		var st risk.TrainingStats
		if err := json.Unmarshal(m.Stats, &st); err != nil {
			return fmt.Errorf("%s/dt=%s: stats: %w", schemas.RiskTraining.Name, dt, err)
		}
		lead := "risk     "
		if d > 0 {
			lead = "         "
		}
		fmt.Fprintf(a.stdout, "%s %s: %d scored events with %d point-in-time features, %d labelled fraud by %s; leakage audit: %d rows recomputed from raw events, %d differences\n",
			lead, dt, st.RecordsOut, len(features.Defs), st.Positive, st.Cutoff.Format(time.DateOnly), st.Audit.Rows, st.Audit.Mismatches)
	}
	return nil
}
