package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// messyPartition lands one of each kind of entry in events/dt=day and
// returns the landing root.
func messyPartition(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	landing := filepath.Join(root, "landing")
	dir := LandingDir(landing, "events", day.Format(time.DateOnly))
	shared := filepath.Join(landing, "_shared")
	outside := filepath.Join(root, "elsewhere")
	for _, d := range []string{dir, shared, outside, filepath.Join(dir, "sub.jsonl")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string) {
		if err := os.WriteFile(path, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"a.jsonl", "b.jsonl.gz", "c.csv", "d.CSV.GZ", "e.JSONL", "f.json", "g.txt", ".hidden.jsonl", schemas.SuccessMarker} {
		write(filepath.Join(dir, n))
	}
	write(filepath.Join(shared, "in.jsonl"))
	write(filepath.Join(outside, "out.jsonl"))
	links := map[string]string{
		"l-in.jsonl":       filepath.Join("..", "..", "_shared", "in.jsonl"),
		"l-out.jsonl":      filepath.Join(outside, "out.jsonl"),
		"l-gone.jsonl":     filepath.Join(outside, "missing.jsonl"),
		"l-dir.jsonl":      filepath.Join("..", "..", "_shared"),
		"l-sibling.jsonl":  "a.jsonl",
		"l-badname.json":   "a.jsonl",
		"l-loop.jsonl":     "l-loop.jsonl",
		"l-escape.jsonl":   filepath.Join("..", "..", "..", "elsewhere", "out.jsonl"),
		"l-in-abs.jsonl":   filepath.Join(shared, "in.jsonl"),
		"l-sub-file.jsonl": filepath.Join("sub.jsonl"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return landing
}

func TestListLanding(t *testing.T) {
	landing := messyPartition(t)
	regular := []string{"a.jsonl", "b.jsonl.gz", "c.csv", "d.CSV.GZ", "e.JSONL"}
	common := map[string]string{"f.json": RefusedName, "g.txt": RefusedName, "l-badname.json": RefusedName, "sub.jsonl": RefusedNotRegular}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range common {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	inside := with(map[string]string{"l-out.jsonl": RefusedOutside, "l-escape.jsonl": RefusedOutside, "l-gone.jsonl": RefusedDangling,
		"l-loop.jsonl": RefusedDangling, "l-dir.jsonl": RefusedNotRegular, "l-sub-file.jsonl": RefusedNotRegular})
	for _, tc := range []struct {
		name    string
		rules   LandingRules
		read    []string
		refused map[string]string
	}{
		{"default", DefaultLandingRules, append(slices.Clone(regular), "l-in-abs.jsonl", "l-in.jsonl", "l-sibling.jsonl"), inside},
		{"no symlinks", LandingRules{Accept: DefaultLandingRules.Accept, Symlinks: SymlinksNone}, regular,
			with(map[string]string{"l-in.jsonl": RefusedSymlink, "l-out.jsonl": RefusedSymlink, "l-gone.jsonl": RefusedSymlink, "l-dir.jsonl": RefusedSymlink,
				"l-sibling.jsonl": RefusedSymlink, "l-loop.jsonl": RefusedSymlink, "l-escape.jsonl": RefusedSymlink, "l-in-abs.jsonl": RefusedSymlink, "l-sub-file.jsonl": RefusedSymlink})},
		{"any symlink", LandingRules{Accept: DefaultLandingRules.Accept, Symlinks: SymlinksAny},
			append(slices.Clone(regular), "l-escape.jsonl", "l-in-abs.jsonl", "l-in.jsonl", "l-out.jsonl", "l-sibling.jsonl"),
			with(map[string]string{"l-gone.jsonl": RefusedDangling, "l-loop.jsonl": RefusedDangling, "l-dir.jsonl": RefusedNotRegular, "l-sub-file.jsonl": RefusedNotRegular})},
		{"case sensitive", LandingRules{Accept: DefaultLandingRules.Accept, CaseSensitive: true, Symlinks: SymlinksInside},
			append([]string{"a.jsonl", "b.jsonl.gz", "c.csv"}, "l-in-abs.jsonl", "l-in.jsonl", "l-sibling.jsonl"),
			func() map[string]string {
				m := with(inside)
				m["d.CSV.GZ"], m["e.JSONL"] = RefusedName, RefusedName
				return m
			}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ListLanding(landing, "events", day.Format(time.DateOnly), tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			var read []string
			for _, f := range l.Files {
				read = append(read, filepath.Base(f.Rel))
				if f.Rel != "events/dt=2026-11-19/"+filepath.Base(f.Rel) {
					t.Errorf("rel %q", f.Rel)
				}
				if st, err := os.Lstat(f.Path); err != nil || !st.Mode().IsRegular() {
					t.Errorf("%s: path %s is not the regular file to open", f.Rel, f.Path)
				}
			}
			slices.Sort(read)
			want := slices.Sorted(slices.Values(tc.read))
			if !slices.Equal(read, want) {
				t.Errorf("read %v, want %v", read, want)
			}
			refused := map[string]string{}
			for _, r := range l.Refused {
				refused[filepath.Base(r.Path)] = r.Reason
			}
			if fmt.Sprint(refused) != fmt.Sprint(tc.refused) {
				t.Errorf("refused %v\nwant    %v", refused, tc.refused)
			}
		})
	}
}

func TestListLandingNotReady(t *testing.T) {
	landing := t.TempDir()
	if err := os.MkdirAll(LandingDir(landing, "events", "2026-11-19"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ListLanding(landing, "events", "2026-11-19", DefaultLandingRules); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err %v, want fs.ErrNotExist without _SUCCESS", err)
	}
}

// TestLandingFingerprint: a file that would be refused changes the
// fingerprint (the stage runs again and refuses it aloud), a dot-file
// does not, and a partition of accepted files keeps the fingerprint it
// had before refusals existed, so committed partitions stay up to date.
func TestLandingFingerprint(t *testing.T) {
	root := t.TempDir()
	land(t, root, "{}\n", true)
	dir := LandingDir(root, "events", day.Format(time.DateOnly))
	fp := func() string {
		s, err := landingFingerprint(root, "events", day.Format(time.DateOnly))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	st, err := os.Stat(filepath.Join(dir, "part-00000.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	legacy := sinks.NewFingerprinter()
	legacy.Add("part-00000.jsonl", fmt.Sprint(st.Size()), st.ModTime().UTC().Format(time.RFC3339Nano))
	first := fp()
	if first != legacy.Sum() {
		t.Error("fingerprint of accepted files changed from the previous definition")
	}
	if err := os.WriteFile(filepath.Join(dir, ".part-00000.jsonl.crc"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fp() != first {
		t.Error("a dot-file changed the fingerprint")
	}
	if err := os.WriteFile(filepath.Join(dir, "late.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fp() == first {
		t.Error("a refused file did not change the fingerprint")
	}
	if err := os.Symlink("nowhere", filepath.Join(dir, "l.jsonl")); err != nil {
		t.Fatal(err)
	}
	fp() // a dangling symlink is fingerprinted, not an error
}

func TestAccepts(t *testing.T) {
	r := DefaultLandingRules
	for name, want := range map[string]bool{
		"a.jsonl": true, "a.JSONL": true, "a.Jsonl.Gz": true, "a.csv.gz": true, ".jsonl": false, "a.json": false,
		"a.jsonl.gz.tmp": false, "a.gz": false, "jsonl": false,
	} {
		if got := r.Accepts(name); got != want {
			t.Errorf("Accepts(%q) = %v", name, got)
		}
	}
	r.CaseSensitive = true
	if r.Accepts("a.JSONL") {
		t.Error("case-sensitive rules accept .JSONL")
	}
}
