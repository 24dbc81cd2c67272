package synth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
)

// The fixture is one small gzip run shared by the read-only tests.
var (
	fixtureCfg = Config{Days: 2, Events: 40_000, Seed: 7, Gzip: true, PartLines: 6_000}
	fixtureDir string
	fixtureSum Summary
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "synth-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	cfg := fixtureCfg
	cfg.Out = dir
	fixtureSum, err = Generate(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// readLines returns the lines of a .jsonl or .jsonl.gz file.
func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out [][]byte
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// feedLines reads every data file of every partition of a landing feed.
func feedLines(t *testing.T, feed string) map[string][][]byte {
	t.Helper()
	out := map[string][][]byte{}
	dirs, _ := filepath.Glob(filepath.Join(fixtureDir, "landing", feed, "dt=*"))
	for _, d := range dirs {
		dt := strings.TrimPrefix(filepath.Base(d), "dt=")
		files, err := filepath.Glob(filepath.Join(d, "*.jsonl*"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		out[dt] = nil
		for _, f := range files {
			out[dt] = append(out[dt], readLines(t, f)...)
		}
	}
	return out
}

func fixtureDates() []string {
	var ds []string
	for d := 0; d < fixtureCfg.Days; d++ {
		ds = append(ds, DefaultStart.AddDate(0, 0, d).Format(time.DateOnly))
	}
	return ds
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Days: 2, Events: 8_000, Seed: 42, Gzip: true, PartLines: 3_000}
	a, b := t.TempDir(), t.TempDir()
	cfg.Out = a
	if _, err := Generate(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Out = b
	if _, err := Generate(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	fa, fb := treeFiles(t, a), treeFiles(t, b)
	for _, rel := range []string{"truth/ground_truth.jsonl", "truth/lookalikes.jsonl"} {
		if len(fa[rel]) == 0 {
			t.Errorf("%s is missing or empty", rel)
		}
	}
	if len(fa) != len(fb) {
		t.Fatalf("runs wrote %d and %d files", len(fa), len(fb))
	}
	for rel, da := range fa {
		if db, ok := fb[rel]; !ok || !bytes.Equal(da, db) {
			t.Errorf("%s differs between identical runs", rel)
		}
	}
	// A different seed gives different data.
	cfg.Out, cfg.Seed = t.TempDir(), 43
	if _, err := Generate(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	fc := treeFiles(t, cfg.Out)
	rel := "landing/events/dt=2026-11-19/part-00000.jsonl.gz"
	if bytes.Equal(fa[rel], fc[rel]) {
		t.Errorf("seeds 42 and 43 wrote the same %s", rel)
	}
}

func treeFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLayout(t *testing.T) {
	for _, feed := range []string{"events", "chats", "labels", "optouts", "appeals"} {
		for _, dt := range fixtureDates() {
			dir := filepath.Join(fixtureDir, "landing", feed, "dt="+dt)
			if _, err := os.Stat(filepath.Join(dir, schemas.SuccessMarker)); err != nil {
				t.Errorf("%s dt=%s: no %s: %v", feed, dt, schemas.SuccessMarker, err)
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("%s dt=%s: temporary file %s left behind", feed, dt, e.Name())
				}
			}
		}
	}
	for _, f := range []string{"ground_truth.jsonl", "chat_pii.jsonl", "appeals.jsonl", "lookalikes.jsonl", "summary.json"} {
		if _, err := os.Stat(filepath.Join(fixtureDir, "truth", f)); err != nil {
			t.Errorf("truth: %v", err)
		}
	}
}

func TestPartsSplitAtPartLines(t *testing.T) {
	perDay := fixtureCfg.Events / fixtureCfg.Days
	for _, dt := range fixtureDates() {
		files, _ := filepath.Glob(filepath.Join(fixtureDir, "landing/events/dt="+dt, "part-*.jsonl.gz"))
		sort.Strings(files)
		want := (perDay + fixtureCfg.PartLines - 1) / fixtureCfg.PartLines
		if len(files) != want {
			t.Fatalf("dt=%s: %d parts, want %d", dt, len(files), want)
		}
		total := 0
		for i, f := range files {
			n := len(readLines(t, f))
			if i < len(files)-1 && n != fixtureCfg.PartLines {
				t.Errorf("%s: %d lines, want %d", filepath.Base(f), n, fixtureCfg.PartLines)
			}
			total += n
		}
		if total != perDay {
			t.Errorf("dt=%s: %d lines, want %d", dt, total, perDay)
		}
	}
	if fixtureSum.Events != fixtureCfg.Events {
		t.Errorf("summary: %d events, want %d", fixtureSum.Events, fixtureCfg.Events)
	}
}

func TestRerunReplacesPartitions(t *testing.T) {
	cfg := Config{Out: t.TempDir(), Days: 1, Events: 5_000, Seed: 1, PartLines: 1_000}
	if _, err := Generate(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.PartLines = 0 // one part now: the four others must go
	if _, err := Generate(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(cfg.Out, "landing/events/dt=2026-11-19/part-*"))
	if len(files) != 1 {
		t.Errorf("after re-run: %v", files)
	}
}

func TestCancelLeavesNoPartition(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	_, err := Generate(ctx, Config{Out: out, Days: 1, Events: 50_000, Seed: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	dir := filepath.Join(out, "landing/events/dt=2026-11-19")
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		t.Errorf("cancelled run left %s", e.Name())
	}
}

func TestValidate(t *testing.T) {
	err := Config{Days: 0, Events: -1, Start: time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC), PartLines: -1}.Validate()
	if err == nil {
		t.Fatal("no error for a bad config")
	}
	for _, want := range []string{"out", "days", "events", "start", "part lines"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if err := (Config{Out: "x", Days: 1}).WithDefaults().Validate(); err != nil {
		t.Errorf("minimal config: %v", err)
	}
}

func TestSummaryFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtureDir, "truth", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Events != fixtureSum.Events || s.Chats != fixtureSum.Chats || len(s.PerDay) != fixtureCfg.Days {
		t.Errorf("summary.json disagrees with the returned summary")
	}
}

func TestTinyRuns(t *testing.T) {
	for _, n := range []int{0, 150, 1_000} {
		s, err := Generate(context.Background(), Config{Out: t.TempDir(), Days: 3, Events: n, Seed: 3})
		if err != nil {
			t.Fatalf("%d events: %v", n, err)
		}
		if s.Events != n {
			t.Errorf("asked for %d events, wrote %d", n, s.Events)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("gzip=%v", gz), func(b *testing.B) {
			const events = 200_000
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Generate(context.Background(), Config{Out: b.TempDir(), Days: 1, Events: events, Seed: 1, Gzip: gz}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
