// Package cli is veil's command line: each command parses its flags and
// calls into the packages that do the work.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/audit"
	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/internal/version"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/reporting"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/clusters"
	"github.com/veil-data/veil/risk/risklist"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/tagging"
)

// Run executes veil with args and returns the process exit code (ExitOK,
// ExitFailed, ExitUsage or ExitInterrupted). Each failure is printed once,
// on one line of stderr, by Run alone: the packages below return errors
// they do not also log.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "veil:", err)
	code := exitCode(ctx, err)
	if code == ExitUsage {
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

type app struct {
	stdout, stderr io.Writer
	logLevel       string
	logFormat      string
	cpuProfile     string
	memoryLimit    string
	log            *slog.Logger
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "veil",
		Short:         "Privacy-preserving data management and tagging pipeline for e-commerce",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(stderr, a.logLevel, a.logFormat, cmd.Name())
			if err != nil {
				return err
			}
			a.log = log
			if err := applyMemoryLimit(a.memoryLimit); err != nil {
				return err
			}
			return a.startProfile()
		},
		PersistentPostRun: func(*cobra.Command, []string) { pprof.StopCPUProfile() },
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "", "log level: debug, info, warn, error (default: info for run, warn for the others)")
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "auto", "log format: text, json, or auto (text on a terminal, JSON otherwise)")
	root.PersistentFlags().StringVar(&a.cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	root.PersistentFlags().StringVar(&a.memoryLimit, "memory-limit", DefaultMemoryLimit, "the Go runtime's soft memory limit (off, or a size such as 4GiB); GOMEMLIMIT wins when set")
	root.AddCommand(a.versionCmd())
	root.AddCommand(a.policyCmd(), a.genCmd(), a.keysCmd(), a.onceCmd(), a.backfillCmd(), a.runCmd(), a.statusCmd(), a.demoCmd(), a.reidentifyCmd(), a.auditCmd(), a.tagsCmd(), a.audienceCmd(), a.piiCmd(), a.featuresCmd(), a.anomalyCmd(), a.rulesCmd(), a.blacklistCmd(), a.modelCmd(), a.appealsCmd(), a.serveCmd(), a.loadgenCmd(), a.reportCmd())
	return root
}

// paths are the locations every pipeline command needs.
type paths struct {
	config    string
	landing   string
	warehouse string
	keys      string
	kek       string
	policy    string
	tags      string
	audience  string
	clusters  string
	rules     string
	blacklist string
}

func (p *paths) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&p.config, "config", "", "config file (configs/veil.yaml); its paths override the defaults below")
	f.StringVar(&p.landing, "landing", "demo/landing", "landing zone root")
	f.StringVar(&p.warehouse, "warehouse", "demo/warehouse", "warehouse root")
	f.StringVar(&p.keys, "keys", "demo/keys", "keyset directory")
	f.StringVar(&p.kek, "kek", "", "key-encryption key file (default $VEIL_KEK or <keys>/kek.json)")
	f.StringVar(&p.policy, "policy", "", "field policy file (default: the embedded configs/policy.yaml)")
	f.StringVar(&p.tags, "tags", "", "tag file (default: the embedded configs/tags.yaml)")
	f.StringVar(&p.clusters, "clusters", "", "risk_clusters features and parameters (default: the embedded configs/clusters.yaml)")
	f.StringVar(&p.rules, "rules", "", "risk rule file (default: the embedded configs/rules.yaml)")
	f.StringVar(&p.blacklist, "blacklist-policy", "", "blacklist admission and expiry policy (default: the embedded configs/blacklist.yaml)")
}

// load applies the config file, if any, and returns it. A bad config
// file is a usage error: nothing was run.
func (p *paths) load() (*pipeline.Config, error) {
	if p.config == "" {
		return nil, nil
	}
	c, err := pipeline.LoadConfig(p.config, stageNames())
	if err != nil {
		return nil, usage(err)
	}
	p.landing, p.warehouse, p.keys = c.Landing, c.Warehouse, c.Keys
	if c.KEK != "" {
		p.kek = c.KEK
	}
	if c.Policy != "" && p.policy == "" {
		p.policy = c.Policy
	}
	if c.Tags != "" && p.tags == "" {
		p.tags = c.Tags
	}
	if c.Audience != "" && p.audience == "" {
		p.audience = c.Audience
	}
	if c.Clusters != "" && p.clusters == "" {
		p.clusters = c.Clusters
	}
	if c.Rules != "" && p.rules == "" {
		p.rules = c.Rules
	}
	if c.Blacklist != "" && p.blacklist == "" {
		p.blacklist = c.Blacklist
	}
	return c, nil
}

// loadPolicy reads the policy file (or the embedded default) and compiles
// it against every feed it covers, so a bad policy fails before any run.
func (p *paths) loadPolicy() (*policy.File, error) {
	f := policy.Default()
	if p.policy != "" {
		var err error
		if f, err = policy.Load(p.policy); err != nil {
			return nil, usage(err)
		}
	}
	for _, feed := range ingest.Feeds {
		if _, err := f.Compile(feed); err != nil {
			return nil, usage(err)
		}
	}
	return f, nil
}

// loadTags reads the tag file (or the embedded default).
func (p *paths) loadTags() (*tagging.Spec, error) {
	if p.tags == "" {
		return tagging.DefaultSpec(), nil
	}
	s, err := tagging.LoadSpec(p.tags)
	if err != nil {
		return nil, usage(err)
	}
	return s, nil
}

// loadClusters reads the clusters file (or the embedded default).
func (p *paths) loadClusters() (*clusters.Config, error) {
	if p.clusters == "" {
		return clusters.DefaultConfig(), nil
	}
	c, err := clusters.LoadConfig(p.clusters)
	if err != nil {
		return nil, usage(err)
	}
	return c, nil
}

// stages is the pipeline in dependency order. auditAnchor is the audit
// log's anchor, which each day's report records.
func stages(pol *policy.File, spec *tagging.Spec, cl *clusters.Config, rk riskParts, auditAnchor string) []pipeline.Stage {
	return []pipeline.Stage{ingest.Events{Policy: pol}, ingest.Chats{Policy: pol}, ingest.OptOuts{Policy: pol}, ingest.Labels{Policy: pol}, ingest.Appeals{Policy: pol}, tagging.Stage{Spec: spec}, risk.Stage{}, clusters.Stage{Config: cl},
		risklist.Stage{Rules: rk.rules, Policy: rk.policy, Models: rk.models, Lifts: rk.lifts}, risklist.Review{Appeals: rk.cases}, risk.Training{},
		reporting.Stage{Policy: pol, Tags: spec, AuditAnchor: auditAnchor, Appeals: rk.cases}}
}

func stageNames() []string {
	var n []string
	for _, s := range stages(nil, nil, nil, riskParts{}, "") {
		n = append(n, s.Name())
	}
	return n
}

// runner builds the pipeline over p. The keysets are opened at most once.
func (a *app) runner(p *paths) (*pipeline.Runner, error) {
	pol, err := p.loadPolicy()
	if err != nil {
		return nil, err
	}
	spec, err := p.loadTags()
	if err != nil {
		return nil, err
	}
	cl, err := p.loadClusters()
	if err != nil {
		return nil, err
	}
	wh, err := a.openWarehouse(p)
	if err != nil {
		return nil, err
	}
	j, err := pipeline.OpenJournal(p.warehouse + "/_journal/runs.jsonl")
	if err != nil {
		return nil, err
	}
	env := &pipeline.Env{Landing: p.landing, Warehouse: wh, Mem: memory.DefaultAllocator, Log: a.log, Keys: p.keyOpener()}
	rk, err := a.riskParts(p, wh)
	if err != nil {
		return nil, err
	}
	return &pipeline.Runner{Env: env, Stages: stages(pol, spec, cl, rk, audit.AnchorPath(p.keys)), Journal: j}, nil
}

// openWarehouse checks where p puts the warehouse against landing and keys,
// opens it and removes what dead writers left in its staging (every
// command that opens the warehouse does, so killed runs do not pile up).
func (a *app) openWarehouse(p *paths) (*sinks.Warehouse, error) {
	if err := pipeline.CheckPaths(p.landing, p.warehouse, p.keys); err != nil {
		return nil, err
	}
	wh, err := sinks.Open(p.warehouse)
	if err != nil {
		return nil, err
	}
	if err := pipeline.CleanStaging(wh, a.log); err != nil {
		return nil, err
	}
	return wh, nil
}

// keyOpener opens the keysets at most once. The scheduler runs stages
// concurrently, so the first opening is serialised.
func (p *paths) keyOpener() pipeline.KeyOpener {
	var mu sync.Mutex
	var set *keys.Set
	return func(ctx context.Context) (*keys.Set, error) {
		mu.Lock()
		defer mu.Unlock()
		if set != nil {
			return set, nil
		}
		kek, err := keys.LoadKEK(keys.ResolveKEKPath(p.kek, p.keys))
		if err != nil {
			return nil, err
		}
		s, err := keys.Open(ctx, p.keys, kek)
		if err != nil {
			return nil, err
		}
		set = s
		return s, nil
	}
}

func (a *app) startProfile() error {
	if a.cpuProfile == "" {
		return nil
	}
	f, err := os.Create(a.cpuProfile)
	if err != nil {
		return err
	}
	return pprof.StartCPUProfile(f)
}

func parseDate(flag, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, usage(fmt.Errorf("--%s: want YYYY-MM-DD, got %q", flag, s))
	}
	return t, nil
}

func required(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return usage(errors.New("missing " + strings.Join(missing, ", ")))
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
