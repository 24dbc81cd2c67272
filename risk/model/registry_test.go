package model

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// registryArtefact trains a small sealed artefact; seed varies the model.
func registryArtefact(t *testing.T, seed uint64) *Artefact {
	t.Helper()
	X, y := synthLogistic(seed, 600, -1, []float64{1, -0.5, 0})
	ds := Dataset{Names: []string{"a", "b", "c"}, X: X, Label: y, Time: make([]int64, len(y))}
	for i := range ds.Time {
		ds.Time[i] = int64(i)
	}
	a, err := TrainValidate(ds, Config{TrainFrac: 0.7})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRegistrySaveOpenCurrentList(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "_models")
	if a, ok, err := Current(dir); a != nil || ok || err != nil {
		t.Fatalf("empty registry: current %v %v %v", a, ok, err)
	}
	if vs, err := List(dir); len(vs) != 0 || err != nil {
		t.Fatalf("empty registry: list %v %v", vs, err)
	}
	a1, a2 := registryArtefact(t, 1), registryArtefact(t, 2)
	id1, err := Save(dir, a1)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := Save(dir, a2)
	if err != nil {
		t.Fatal(err)
	}
	if id1 == id2 || id1 != a1.ID {
		t.Fatalf("ids %s %s, artefact %s", id1, id2, a1.ID)
	}
	// Saving again is idempotent: same name, same bytes.
	before, _ := os.ReadFile(filepath.Join(dir, id1+".json"))
	if again, err := Save(dir, a1); err != nil || again != id1 {
		t.Fatalf("save again: %s %v", again, err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, id1+".json")); string(after) != string(before) {
		t.Fatal("saving the same artefact changed its file")
	}
	if _, ok, _ := Current(dir); ok {
		t.Fatal("Save made a model current")
	}
	if err := Activate(dir, id2[:10]); err != nil {
		t.Fatal(err)
	}
	if ptr, _ := os.ReadFile(filepath.Join(dir, CurrentFile)); string(ptr) != id2+"\n" {
		t.Fatalf("pointer holds %q, want the full id", ptr)
	}
	cur, ok, err := Current(dir)
	if err != nil || !ok || cur.ID != id2 {
		t.Fatalf("current %v %v %v, want %s", cur, ok, err, id2)
	}
	// Open by a unique prefix; the loaded model scores like the saved one.
	b, err := Open(dir, id1[:8])
	if err != nil || b.ID != id1 {
		t.Fatalf("open by prefix: %v", err)
	}
	row := []float64{0.3, -1, 2}
	s1, _ := a1.ScoreRow(row)
	s2, _ := b.ScoreRow(row)
	if s1 != s2 {
		t.Fatalf("score %v after open, %v before", s2, s1)
	}
	vs, err := List(dir)
	if err != nil || len(vs) != 2 {
		t.Fatalf("list: %d versions, %v", len(vs), err)
	}
	for _, v := range vs {
		if v.Current != (v.ID == id2) || v.Artefact.ID != v.ID {
			t.Errorf("version %s: current %v", v.ID, v.Current)
		}
	}
	// No temporary is left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary %s left", e.Name())
		}
	}
}

func TestRegistryRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	a := registryArtefact(t, 3)
	id, err := Save(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../etc/passwd", "ABCDEF0123", "1234", id + "0", "zzzzzzzzzz"} {
		if _, err := Open(dir, bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if _, err := Open(dir, strings.Repeat("0", 64)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unknown id: %v, want not exist", err)
	}
	if err := Activate(dir, strings.Repeat("0", 64)); err == nil {
		t.Error("activated a model that was never saved")
	}
	// An edited file no longer matches its id: Open, List and Current say so.
	path := filepath.Join(dir, id+".json")
	body, _ := os.ReadFile(path)
	if err := Activate(dir, id); err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(body), `"threshold": `, `"threshold": 1`, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, id); err == nil || !strings.Contains(err.Error(), "does not match its id") {
		t.Errorf("open edited: %v", err)
	}
	if _, err := List(dir); err == nil {
		t.Error("list passed over an edited version")
	}
	if _, _, err := Current(dir); err == nil {
		t.Error("current passed over an edited version")
	}
	// A file renamed to another id is refused though its content is sound.
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	other := strings.Repeat("a", 64)
	if err := os.Rename(path, filepath.Join(dir, other+".json")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, other); err == nil {
		t.Error("opened a version stored under another id")
	}
	// A pointer holding garbage is an error, not "no current model".
	if err := os.WriteFile(filepath.Join(dir, CurrentFile), []byte("../x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := Current(dir); err == nil || ok {
		t.Errorf("garbage pointer: ok %v, err %v", ok, err)
	}
}

func TestRegistrySaveRefusesInvalidArtefact(t *testing.T) {
	a := registryArtefact(t, 4)
	a.Features = a.Features[1:]
	if _, err := Save(t.TempDir(), a); err == nil {
		t.Fatal("saved an artefact whose features do not match its prep")
	}
}
