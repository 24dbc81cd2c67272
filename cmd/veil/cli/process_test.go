package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/veil-data/veil/sinks"
)

// childEnv carries a veil command line to a re-executed test binary: the
// crash and concurrency tests need veil in processes of their own, to
// kill -9 them and to lock against them, and the test binary is a veil.
const childEnv = "VEIL_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childEnv); ok {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// veilProcess is veil with args in a child process, its output captured.
type veilProcess struct {
	*exec.Cmd
	stdout, stderr bytes.Buffer
}

func newVeilProcess(t *testing.T, args ...string) *veilProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := &veilProcess{Cmd: exec.Command(exe, "-test.run=^$")}
	p.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"))
	p.Cmd.Stdout, p.Cmd.Stderr = &p.stdout, &p.stderr
	return p
}

// runVeil runs veil with args in a child process and fails the test
// unless it exits 0.
func runVeil(t *testing.T, args ...string) *veilProcess {
	t.Helper()
	p := newVeilProcess(t, args...)
	if err := p.Run(); err != nil {
		t.Fatalf("veil %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, &p.stdout, &p.stderr)
	}
	return p
}

// checkNoPartialPartition walks the warehouse outside its _-prefixed
// directories: every directory holding a file must be a committed
// partition, holding its manifest and exactly the files the manifest
// lists, each of the recorded size and checksum.
func checkNoPartialPartition(t *testing.T, root string) {
	t.Helper()
	top, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range top {
		if strings.HasPrefix(e.Name(), "_") {
			continue
		}
		if !e.IsDir() {
			t.Errorf("stray file %s in the warehouse", e.Name())
			continue
		}
		err := filepath.WalkDir(filepath.Join(root, e.Name()), func(dir string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			if problem := partitionProblem(dir); problem != "" {
				rel, _ := filepath.Rel(root, dir)
				t.Errorf("%s: %s", rel, problem)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func partitionProblem(dir string) string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err.Error()
	}
	var files, dirs []string
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		} else {
			files = append(files, e.Name())
		}
	}
	if len(files) == 0 {
		return ""
	}
	if len(dirs) > 0 {
		return fmt.Sprintf("files beside directories %v", dirs)
	}
	b, err := os.ReadFile(filepath.Join(dir, sinks.ManifestName))
	if err != nil {
		return fmt.Sprintf("files without a manifest: %v", files)
	}
	var m sinks.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return "manifest: " + err.Error()
	}
	want := []string{sinks.ManifestName}
	for _, f := range m.Files {
		want = append(want, f.Name)
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			return "listed file missing: " + f.Name
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			return "file differs from its manifest entry: " + f.Name
		}
	}
	slices.Sort(want)
	slices.Sort(files)
	if !slices.Equal(files, want) {
		return fmt.Sprintf("holds %v, manifest lists %v", files, want)
	}
	return ""
}

// committed maps each committed partition under root (dataset/partition)
// to its files as its manifest lists them: names, rows, bytes, checksums.
func committed(t *testing.T, root string) map[string][]sinks.File {
	t.Helper()
	out := map[string][]sinks.File{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && strings.HasPrefix(d.Name(), "_") && rel != "." {
			return filepath.SkipDir
		}
		if d.Name() != sinks.ManifestName {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var m sinks.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		out[filepath.Dir(rel)] = m.Files
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
