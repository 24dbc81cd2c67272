package riskbench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/sinks"
)

// markerName holds, in a world's directory, the Config it was built with
// and whether its setup finished, so a kept world is reused only whole.
const markerName = "_riskbench.json"

// version changes with the generator, so that a kept world made by an
// older one is rebuilt.
const version = 1

type marker struct {
	Version   int
	Config    Config
	Events    int64
	Generated bool // events_clean is complete
	Ready     bool // and so is the checkpoint before the timed day
}

const usage = `usage:
  riskbench setup -dir W [-events N] [-history-events M] [-days 30] [-users U] [-seed 7] [-fold-with engine|stage]
      generate events_clean for every day into W/warehouse and build the risk
      state of all days but the last: folded by one engine (engine, the
      default) or by running the risk stage on each day (stage). What W
      already holds of the same world is reused.
  riskbench run -dir W
      run the risk stage on the last day, timed; prints a line to stderr and
      a JSON Result to stdout
`

// Main runs the command with args (without the program name) and returns
// its exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("riskbench "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "work directory (required)")
	var c Config
	events := fs.String("events", "10_000_000", "events of the timed day (underscores allowed)")
	history := fs.String("history-events", "1_000_000", "events of each earlier day")
	fs.IntVar(&c.Days, "days", 30, "days of events, the last one timed")
	users := fs.Uint("users", 0, "population (0: max(events, history-events)/5)")
	fs.Uint64Var(&c.Seed, "seed", 7, "random seed")
	foldWith := fs.String("fold-with", "engine", "setup: build the state with one engine (engine) or the risk stage day by day (stage)")
	cpuProfile := fs.String("cpuprofile", "", "run: write a CPU profile of the timed stage to this file")
	memProfile := fs.String("memprofile", "", "run: write an allocation profile of the timed stage to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *dir == "" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "setup":
		if c.Events, err = count(*events); err == nil {
			c.HistoryEvents, err = count(*history)
		}
		if err != nil {
			fmt.Fprintf(stderr, "riskbench: %v\n", err)
			return 2
		}
		c.Users = uint32(*users)
		if *foldWith != "engine" && *foldWith != "stage" {
			fmt.Fprintf(stderr, "riskbench: -fold-with %q: want engine or stage\n", *foldWith)
			return 2
		}
		err = setup(ctx, *dir, c.Defaults(), *foldWith == "stage", stderr)
	case "run":
		err = run(ctx, *dir, *cpuProfile, *memProfile, stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "riskbench: %v\n", err)
		return 1
	}
	return 0
}

func count(s string) (int, error) {
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: not a count: %w", s, err)
	}
	return int(n), nil
}

func openWarehouse(dir string) (*sinks.Warehouse, error) {
	wh, err := sinks.Open(filepath.Join(dir, "warehouse"))
	if err != nil {
		return nil, err
	}
	// A fixed commit time: re-runs write the same manifests.
	wh.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	return wh, nil
}

func setup(ctx context.Context, dir string, c Config, stage bool, log io.Writer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	path := filepath.Join(dir, markerName)
	var m marker
	if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &m) != nil || m.Version != version || !m.Config.same(c) {
		m = marker{Version: version, Config: c}
	}
	if m.Ready {
		fmt.Fprintf(log, "riskbench: reusing the world in %s (%d events)\n", dir, m.Events)
		return nil
	}
	save := func() error {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		return os.WriteFile(path, b, 0o644)
	}
	// Outputs of the risk stage from an earlier, unfinished setup go; the
	// events stay only if they were generated whole for this world.
	remove := []string{"risk_features", "risk_entities", "risk_state"}
	if !m.Generated {
		remove = []string{""}
	}
	for _, d := range remove {
		if err := os.RemoveAll(filepath.Join(dir, "warehouse", d)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	wh, err := openWarehouse(dir)
	if err != nil {
		return err
	}
	mem := memory.DefaultAllocator
	if !m.Generated {
		t0 := time.Now()
		if m.Events, err = Generate(ctx, wh, mem, c); err != nil {
			return err
		}
		fmt.Fprintf(log, "riskbench: generated %d days, %d events (last day %d, others %d each), %d users in %.1f s\n",
			c.Days, m.Events, c.Events, c.HistoryEvents, c.Users, time.Since(t0).Seconds())
		m.Generated = true
		if err := save(); err != nil {
			return err
		}
	}
	t1 := time.Now()
	how, build := "one engine", Fold
	if stage {
		how, build = "the risk stage day by day", Setup
	}
	if err := build(ctx, wh, mem, c, func(d int, took time.Duration) {
		if d%10 == 9 || d == c.Days-2 {
			fmt.Fprintf(log, "riskbench: day %d/%d (%s) folded in %.1f s\n", d+1, c.Days-1, c.Day(d).Format(time.DateOnly), took.Seconds())
		}
	}); err != nil {
		return err
	}
	fmt.Fprintf(log, "riskbench: risk_state/dt=%s (days 1..%d) built by %s in %.1f s\n",
		c.Day(c.Days-2).Format(time.DateOnly), c.Days-1, how, time.Since(t1).Seconds())
	m.Ready = true
	return save()
}

// same reports whether a and b describe one world.
func (a Config) same(b Config) bool {
	if !a.Last.Equal(b.Last) {
		return false
	}
	a.Last = b.Last
	return a == b
}

func run(ctx context.Context, dir, cpuProfile, memProfile string, stdout, log io.Writer) error {
	var m marker
	b, err := os.ReadFile(filepath.Join(dir, markerName))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil || !m.Ready || m.Version != version {
		return fmt.Errorf("no finished world in %s: run riskbench setup first", dir)
	}
	wh, err := openWarehouse(dir)
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if memProfile != "" {
		runtime.MemProfileRate = 512 * 1024
	}
	r, err := Measure(ctx, wh, memory.DefaultAllocator, m.Config)
	if err != nil {
		return err
	}
	if memProfile != "" {
		if err := writeProfile("allocs", memProfile); err != nil {
			return err
		}
	}
	r.Cores = runtime.GOMAXPROCS(0)
	fmt.Fprintf(log, "risk: %d events (%d scored) in %.2f s (%.0f events/s), CPU %.2f s, peak RSS %.0f MiB, peak heap %.0f MiB, over %d days (%d events) of state\n",
		r.Events, r.Scored, r.Seconds, r.EventsPerS, r.CPUSeconds, r.PeakRSSMiB, r.PeakHeapMiB, m.Config.Days-1, r.History)
	out, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
