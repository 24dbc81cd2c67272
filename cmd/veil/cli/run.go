package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/internal/cputime"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// defaultLockWait is how long once and backfill wait for a stage and date
// that another process is writing: long enough for any stage on a day's
// data, short enough that a hung holder is noticed.
const defaultLockWait = 10 * time.Minute

func (a *app) onceCmd() *cobra.Command {
	var p paths
	var stage, date string
	var lockWait time.Duration
	cmd := &cobra.Command{
		Use:   "once --stage S --date YYYY-MM-DD",
		Short: "Run one stage for one partition now, whether or not it is due",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "stage", "date"); err != nil {
				return err
			}
			if _, err := p.load(); err != nil {
				return err
			}
			dt, err := parseDate("date", date)
			if err != nil {
				return err
			}
			r, err := a.runner(&p)
			if err != nil {
				return err
			}
			s, err := r.Stage(stage)
			if err != nil {
				return err
			}
			r.LockWait = lockWait
			start := time.Now()
			out, err := r.RunOne(cmd.Context(), s, dt, true)
			if err != nil {
				return err
			}
			if out == pipeline.NotReady {
				return fmt.Errorf("%s %s: inputs not committed", stage, date)
			}
			a.printThroughput(r, s.Name(), dt, time.Since(start))
			if st, err := r.Check(s, dt); err == nil && len(st.Incomplete) > 0 {
				fmt.Fprintf(a.stderr, "%s %s: committed incomplete: %s\n", stage, date, st.Reason)
			}
			return nil
		},
	}
	p.flags(cmd)
	cmd.Flags().StringVar(&stage, "stage", "", "stage: "+fmt.Sprint(stageNames()))
	cmd.Flags().StringVar(&date, "date", "", "partition date, YYYY-MM-DD")
	lockWaitFlag(cmd, &lockWait)
	return cmd
}

func lockWaitFlag(cmd *cobra.Command, d *time.Duration) {
	cmd.Flags().DurationVar(d, "lock-wait", defaultLockWait,
		"how long to wait for a stage and date another veil process is writing (0: fail at once)")
}

// printThroughput reports records per second and the process's peak RSS.
func (a *app) printThroughput(r *pipeline.Runner, stage string, dt time.Time, d time.Duration) {
	var in int64
	for _, o := range mustStage(r, stage).Plan(dt).Outputs {
		if m, err := r.Env.Warehouse.Manifest(o.Dataset, o.Partition); err == nil {
			if o.Dataset.Name == schemas.Quarantine.Name {
				continue
			}
			if st, err := decodeStats(m.Stats); err == nil && st.RecordsIn > 0 {
				in = st.RecordsIn
			} else {
				in = m.Rows
			}
		}
	}
	fmt.Fprintf(a.stderr, "%s: %d records in %.2f s (%.0f records/s), peak RSS %d MiB\n",
		stage, in, d.Seconds(), float64(in)/d.Seconds(), cputime.PeakRSS()>>20)
}

func mustStage(r *pipeline.Runner, name string) pipeline.Stage {
	s, _ := r.Stage(name)
	return s
}

func (a *app) backfillCmd() *cobra.Command {
	var p paths
	var from, to string
	var force bool
	var lockWait time.Duration
	cmd := &cobra.Command{
		Use:   "backfill --from D1 --to D2",
		Short: "Run every stage for each date in a range, in order",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "from", "to"); err != nil {
				return err
			}
			if _, err := p.load(); err != nil {
				return err
			}
			f, err := parseDate("from", from)
			if err != nil {
				return err
			}
			t, err := parseDate("to", to)
			if err != nil {
				return err
			}
			r, err := a.runner(&p)
			if err != nil {
				return err
			}
			r.LockWait = lockWait
			return a.reportFailures(r, r.Backfill(cmd.Context(), f, t, force))
		},
	}
	p.flags(cmd)
	cmd.Flags().StringVar(&from, "from", "", "first date, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last date, YYYY-MM-DD")
	cmd.Flags().BoolVar(&force, "force", false, "recompute partitions that are up to date")
	lockWaitFlag(cmd, &lockWait)
	return cmd
}

// reportFailures prints one line per stage and date a backfill left
// failed or not run, to stderr, and returns a one-line error for the exit
// status; other errors pass through.
func (a *app) reportFailures(r *pipeline.Runner, err error) error {
	var fails pipeline.Failures
	if !errors.As(err, &fails) {
		return err
	}
	labels := []struct {
		o           pipeline.Outcome
		line, count string
	}{
		{pipeline.Failed, "FAILED", "failed"},
		{pipeline.Panicked, "PANICKED", "panicked"},
		{pipeline.SkippedUpstream, "SKIPPED", "skipped because an upstream stage failed"},
		{pipeline.Busy, "BUSY", "not run: another process was writing them"},
	}
	n := map[pipeline.Outcome]int{}
	tw := tabwriter.NewWriter(a.stderr, 0, 0, 2, ' ', 0)
	for _, f := range fails {
		n[f.Outcome]++
		label := strings.ToUpper(string(f.Outcome))
		for _, l := range labels {
			if l.o == f.Outcome {
				label = l.line
			}
		}
		msg := strings.TrimPrefix(f.Err.Error(), f.Stage+" "+f.DT+": ")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", label, f.DT, f.Stage, oneLine(msg))
	}
	tw.Flush()
	var parts []string
	for _, l := range labels {
		if n[l.o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[l.o], l.count))
		}
	}
	summary := fmt.Errorf("backfill: stage runs not up to date: %s (journal: %s)", strings.Join(parts, ", "), r.Journal.Path())
	if errors.Is(err, context.Canceled) {
		return errors.Join(summary, context.Canceled)
	}
	return summary
}

// oneLine keeps an error message on its line of the failure table.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (a *app) runCmd() *cobra.Command {
	var p paths
	var check bool
	cmd := &cobra.Command{
		Use:   "run --config F",
		Short: "Run the scheduler daemon: each stage on its cron schedule until SIGTERM",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "config"); err != nil {
				return err
			}
			c, err := p.load()
			if err != nil {
				return err
			}
			if check {
				if _, err := p.loadClusters(); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "config %s is valid\n", p.config)
				return nil
			}
			// a.runner has removed the staging of dead runs; that of live
			// ones (a veil once running now) is theirs.
			r, err := a.runner(&p)
			if err != nil {
				return err
			}
			s := &pipeline.Scheduler{Runner: r, Schedules: c.Schedules}
			return s.Run(cmd.Context())
		},
	}
	p.flags(cmd)
	cmd.Flags().BoolVar(&check, "check", false, "validate the config and exit")
	return cmd
}
