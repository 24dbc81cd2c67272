package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTablesUpToDate regenerates the tables into a temporary folder and
// compares them with the committed ones. It skips when gse's dictionary is
// not in the module cache.
func TestTablesUpToDate(t *testing.T) {
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	dict := filepath.Join(strings.TrimSpace(string(cache)), "github.com/go-ego/gse@"+gseVersion, "data/dict/zh/s_1.txt")
	if _, err := os.Stat(dict); err != nil {
		t.Skipf("gse %s not in the module cache (go mod download github.com/go-ego/gse@%s): %v", gseVersion, gseVersion, err)
	}
	pkg := filepath.Join("..", "..")
	tmp := t.TempDir()
	sur, err := os.ReadFile(filepath.Join(pkg, "surnames.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "surnames.txt"), sur, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dict, tmp, 5); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"words.txt", "given.txt"} {
		got, err := os.ReadFile(filepath.Join(tmp, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(pkg, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what internal/gen makes: run go run ./anonymize/pii/zhnames/internal/gen", name)
		}
	}
}
