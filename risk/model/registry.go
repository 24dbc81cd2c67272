package model

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/veil-data/veil/internal/atomicfile"
)

// The registry keeps versioned artefacts in one directory, by convention
// <warehouse>/_models (RegistryDir): Hive-style readers skip names that
// start with an underscore, so it sits beside the datasets unseen.
//
//	<dir>/<id>.json   one sealed artefact per version, named by its ID
//	<dir>/current     the ID of the model in force, one line
//
// Every file is written to a temporary name in the same directory, synced
// and renamed, so a reader sees a whole file or none, and a crash leaves
// at most a stray temporary (".tmp-*", ignored by List). A version's file
// is content-addressed: saving the same artefact again rewrites identical
// bytes, and Open refuses a file whose content does not match its name.

// CurrentFile is the pointer file's name inside the registry directory.
const CurrentFile = "current"

// RegistryDir is the registry directory of the warehouse rooted at root.
func RegistryDir(root string) string { return filepath.Join(root, "_models") }

// Version is one saved model as List reports it.
type Version struct {
	ID       string
	SavedAt  time.Time // the file's modification time
	Current  bool
	Artefact *Artefact
}

// validID reports whether id can be a sealed artefact's ID (hex SHA-256),
// which also keeps a caller's id from naming a path outside dir.
func validID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Save seals art and writes it as <dir>/<id>.json, creating dir if needed.
// It does not make the model current (Activate does).
func Save(dir string, art *Artefact) (string, error) {
	if err := art.validate(); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	var b strings.Builder
	if err := art.Save(&b); err != nil { // seals
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, art.ID+".json"), []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("save model %s: %w", short(art.ID), err)
	}
	return art.ID, nil
}

// Activate makes the saved version id (or a unique prefix) the current
// model; the pointer always holds the full ID.
func Activate(dir, id string) error {
	a, err := Open(dir, id)
	if err != nil {
		return fmt.Errorf("activate: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, CurrentFile), []byte(a.ID+"\n"), 0o644); err != nil {
		return fmt.Errorf("activate %s: %w", short(a.ID), err)
	}
	return nil
}

// Open reads and verifies version id (its full ID, or a unique prefix of
// at least 8 characters, as show prints).
func Open(dir, id string) (*Artefact, error) {
	full, err := resolve(dir, id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, full+".json"))
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", short(full), err)
	}
	defer f.Close()
	a, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", short(full), err)
	}
	if a.ID != full {
		return nil, fmt.Errorf("open model %s: file holds model %s", short(full), short(a.ID))
	}
	return a, nil
}

// resolve turns a full ID or unique prefix into a full ID.
func resolve(dir, id string) (string, error) {
	if validID(id) {
		return id, nil
	}
	if len(id) < 8 || len(id) > 64 || !validID(id+strings.Repeat("0", 64-len(id))) {
		return "", fmt.Errorf("model id %q: want 8 to 64 lowercase hex digits", id)
	}
	ids, err := ids(dir)
	if err != nil {
		return "", err
	}
	var match []string
	for _, v := range ids {
		if strings.HasPrefix(v, id) {
			match = append(match, v)
		}
	}
	switch len(match) {
	case 0:
		return "", fmt.Errorf("model %s: %w", id, fs.ErrNotExist)
	case 1:
		return match[0], nil
	}
	return "", fmt.Errorf("model id prefix %s names %d models", id, len(match))
}

// Current returns the current model; false (and no error) when none has
// been activated.
func Current(dir string) (*Artefact, bool, error) {
	id, err := currentID(dir)
	if err != nil || id == "" {
		return nil, false, err
	}
	a, err := Open(dir, id)
	if err != nil {
		return nil, false, fmt.Errorf("current model: %w", err)
	}
	return a, true, nil
}

// currentID reads the pointer; "" when there is none.
func currentID(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, CurrentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("current model: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if !validID(id) {
		return "", errors.New("current model: pointer file does not hold a model id")
	}
	return id, nil
}

// ids lists the IDs of the saved versions; none when dir does not exist.
func ids(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list models: %w", err)
	}
	var out []string
	for _, e := range ents {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok && e.Type().IsRegular() && validID(id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// List returns every saved version, verified, oldest first (ties by ID).
// A file that fails verification is an error naming it: a registry with a
// corrupt version should be looked at, not skipped over.
func List(dir string) ([]Version, error) {
	all, err := ids(dir)
	if err != nil {
		return nil, err
	}
	cur, err := currentID(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(all))
	for _, id := range all {
		st, err := os.Stat(filepath.Join(dir, id+".json"))
		if err != nil {
			return nil, fmt.Errorf("list models: %w", err)
		}
		a, err := Open(dir, id)
		if err != nil {
			return nil, fmt.Errorf("list models: %w", err)
		}
		out = append(out, Version{ID: id, SavedAt: st.ModTime().UTC(), Current: id == cur, Artefact: a})
	}
	slices.SortFunc(out, func(a, b Version) int {
		return cmp.Or(a.SavedAt.Compare(b.SavedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// short is the 12-character prefix by which messages name a model.
func short(id string) string { return id[:min(12, len(id))] }
