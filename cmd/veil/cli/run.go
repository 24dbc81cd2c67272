package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/internal/cputime"
	"github.com/veil-data/veil/metrics"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/reporting"
	"github.com/veil-data/veil/schemas"
)

// defaultLockWait is how long once and backfill wait for a stage and date
// that another process is writing: long enough for any stage on a day's
// data, short enough that a hung holder is noticed.
const defaultLockWait = 10 * time.Minute

func (a *app) onceCmd() *cobra.Command {
	var p paths
	var stage, date, gateway string
	var lockWait time.Duration
	cmd := &cobra.Command{
		Use:   "once --stage S --date YYYY-MM-DD",
		Short: "Run one stage for one partition now, whether or not it is due",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "stage", "date"); err != nil {
				return err
			}
			c, err := p.load()
			if err != nil {
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
				return usage(err)
			}
			r.LockWait = lockWait
			o := a.oneShot(r, "once", pushgateway(cmd, gateway, c), nil)
			defer o.push(cmd.Context())
			start := time.Now()
			out, err := r.RunOne(cmd.Context(), s, dt, true)
			if err != nil {
				return err
			}
			if out == pipeline.NotReady {
				return fmt.Errorf("%s %s: inputs not committed: no landing data to run on", stage, date)
			}
			a.printThroughput(r, s.Name(), dt, time.Since(start))
			a.printOnce(o.tally.lastRun)
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
	pushgatewayFlag(cmd, &gateway)
	return cmd
}

// leakErrors are the errors of a stage whose leak scan failed.
var leakErrors = []error{ingest.ErrLeak, reporting.ErrLeak}

func pushgatewayFlag(cmd *cobra.Command, url *string) {
	cmd.Flags().StringVar(url, "pushgateway", "", "Prometheus Pushgateway URL to push this run's metrics to (job veil, grouping command=<command>); default: the config's pushgateway key")
}

// pushgateway is the flag's URL if given, else the config file's.
func pushgateway(cmd *cobra.Command, flag string, c *pipeline.Config) string {
	if cmd.Flags().Changed("pushgateway") || c == nil {
		return flag
	}
	return c.Pushgateway
}

// oneShotRun is what a one-shot command observes of its runner: progress
// and summary, and metrics when a Pushgateway is configured.
type oneShotRun struct {
	a                *app
	command, gateway string
	reg              *prometheus.Registry
	tally            *tally
}

// oneShot wires the observers of a one-shot command into r; progress
// lines, if any, go to progress.
func (a *app) oneShot(r *pipeline.Runner, command, gateway string, progress io.Writer) *oneShotRun {
	o := &oneShotRun{a: a, command: command, gateway: gateway, tally: newTally(progress, r.Stages)}
	obs := pipeline.Observers{o.tally}
	if gateway != "" {
		o.reg = prometheus.NewRegistry()
		m := metrics.New(o.reg, leakErrors...)
		m.Init(stageNames())
		obs = append(obs, m)
	}
	r.Observer = obs
	return o
}

// push pushes the run's metrics, if a Pushgateway is configured, whether
// the run failed or not (a failure is what an alert wants to see). A push
// that fails is a warning: the data work is done either way.
func (o *oneShotRun) push(ctx context.Context) {
	if o.reg == nil {
		return
	}
	if err := metrics.Push(context.WithoutCancel(ctx), o.gateway, o.command, o.reg); err != nil {
		fmt.Fprintln(o.a.stderr, "veil: warning:", err)
	}
}

// printOnce prints what a once run committed, from its primary output's
// manifest.
func (a *app) printOnce(r pipeline.RunResult) {
	line := fmt.Sprintf("%s %s: %s in %.2f s", r.Stage, r.DT, word(r.Outcome), r.Duration.Seconds())
	for _, m := range r.Outputs {
		if st, err := decodeStats(m.Stats); err == nil && len(m.Stats) > 0 {
			line += fmt.Sprintf(": %d records in, %d out, %d quarantined, %d duplicates", st.RecordsIn, st.RecordsOut, st.QuarantinedTotal(), st.Duplicates)
			break
		}
	}
	fmt.Fprintln(a.stdout, line)
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
	var from, to, gateway string
	var force bool
	var lockWait time.Duration
	cmd := &cobra.Command{
		Use:   "backfill --from D1 --to D2",
		Short: "Run every stage for each date in a range, in order",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "from", "to"); err != nil {
				return err
			}
			c, err := p.load()
			if err != nil {
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
			if t.Before(f) {
				return usage(fmt.Errorf("--to %s is before --from %s", to, from))
			}
			r.LockWait = lockWait
			o := a.oneShot(r, "backfill", pushgateway(cmd, gateway, c), a.stderr)
			defer o.push(cmd.Context())
			err = r.Backfill(cmd.Context(), f, t, force)
			o.tally.print(a.stdout, f, t, p.landing)
			return a.reportFailures(r, err)
		},
	}
	p.flags(cmd)
	cmd.Flags().StringVar(&from, "from", "", "first date, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last date, YYYY-MM-DD")
	cmd.Flags().BoolVar(&force, "force", false, "recompute partitions that are up to date")
	lockWaitFlag(cmd, &lockWait)
	pushgatewayFlag(cmd, &gateway)
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
	var metricsAddr string
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
			if !cmd.Flags().Changed("metrics-addr") {
				metricsAddr = c.MetricsAddr
			}
			return a.daemon(cmd.Context(), r, c.Schedules, metricsAddr)
		},
	}
	p.flags(cmd)
	cmd.Flags().BoolVar(&check, "check", false, "validate the config and exit")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "serve Prometheus metrics on host:port/metrics (default: the config's metrics_addr key; empty: none)")
	return cmd
}

// daemonMetrics registers veil's metrics for r's stages in a registry of
// their own and makes r report to them.
func daemonMetrics(r *pipeline.Runner) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, leakErrors...)
	var names []string
	for _, s := range r.Stages {
		names = append(names, s.Name())
	}
	m.Init(names)
	r.Observer = m
	return reg
}

// daemon runs the scheduler until ctx is cancelled, serving /metrics on
// addr if it is set. The metrics server failing stops the daemon: better
// than running unwatched.
func (a *app) daemon(ctx context.Context, r *pipeline.Runner, schedules map[string]string, addr string) error {
	s := &pipeline.Scheduler{Runner: r, Schedules: schedules}
	if addr == "" {
		return s.Run(ctx)
	}
	reg := daemonMetrics(r)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() {
		err := metrics.Serve(ctx, ln, reg)
		cancel()
		served <- err
	}()
	a.log.Info("serving metrics", "addr", "http://"+ln.Addr().String()+"/metrics")
	runErr := s.Run(ctx)
	return errors.Join(runErr, <-served)
}
