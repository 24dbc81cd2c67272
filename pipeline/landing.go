package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// LandingDir is the directory of one landing feed partition.
func LandingDir(landing, feed, dt string) string {
	return filepath.Join(landing, feed, "dt="+dt)
}

// Symlink rules: what a landing partition's symbolic links may point at.
const (
	SymlinksNone   = "none"           // no symlink is read
	SymlinksInside = "inside_landing" // read if the target resolves inside the landing root
	SymlinksAny    = "any"            // read wherever the target is
)

// Why a landing entry is not read. The set is closed: reports and tests
// rely on it.
const (
	RefusedName       = "unaccepted_name"         // the name ends with no accepted suffix
	RefusedNotRegular = "not_a_regular_file"      // a directory, FIFO, socket or device
	RefusedSymlink    = "symlink"                 // a symlink where the rules read none
	RefusedOutside    = "symlink_outside_landing" // a symlink resolving outside the landing root
	RefusedDangling   = "dangling_symlink"        // a symlink whose target is missing or loops
)

// LandingRules say which entries of a landing partition a stage reads.
// Every other entry is refused with a reason, except the _SUCCESS marker
// and dot-files, which are never data.
type LandingRules struct {
	// Accept lists the accepted name endings (".jsonl", ".csv.gz").
	Accept []string
	// CaseSensitive makes Accept match case for case; by default
	// ".JSONL" is as good as ".jsonl".
	CaseSensitive bool
	// Symlinks is SymlinksNone, SymlinksInside or SymlinksAny.
	Symlinks string
}

// DefaultLandingRules read JSON Lines and CSV, either gzip-compressed,
// whatever the case of the suffix, and symlinks that stay in landing.
var DefaultLandingRules = LandingRules{
	Accept:   []string{".jsonl", ".jsonl.gz", ".csv", ".csv.gz"},
	Symlinks: SymlinksInside,
}

// Accepts reports whether a file name ends with an accepted suffix.
func (r LandingRules) Accepts(name string) bool {
	for _, s := range r.Accept {
		if len(name) > len(s) && (strings.HasSuffix(name, s) || !r.CaseSensitive && strings.EqualFold(name[len(name)-len(s):], s)) {
			return true
		}
	}
	return false
}

// LandingFile is a landing file a stage reads.
type LandingFile struct {
	// Path is what to open: the file, or the resolved target of a
	// symlink (so that the link cannot be swapped after it was checked).
	Path string
	// Rel is the entry's path relative to the landing root,
	// slash-separated: the name stats and quarantine rows give.
	Rel string
}

// RefusedFile is an entry of a landing partition that was not read.
type RefusedFile struct {
	Path   string `json:"path"` // relative to the landing root
	Reason string `json:"reason"`
}

// Listing is a landing partition sorted into what is read and what is not.
type Listing struct {
	Files   []LandingFile // in name order
	Refused []RefusedFile // in name order
}

// ignored reports whether a directory entry is not data and is passed
// over without a word: the commit marker and dot-files (editor and
// checksum side files).
func ignored(name string) bool {
	return name == schemas.SuccessMarker || strings.HasPrefix(name, ".")
}

// ListLanding sorts the entries of a committed landing partition into the
// files to read and the ones refused, or returns fs.ErrNotExist if the
// producer has not written its _SUCCESS marker.
func ListLanding(landing, feed, dt string, rules LandingRules) (Listing, error) {
	dir := LandingDir(landing, feed, dt)
	if _, err := os.Stat(filepath.Join(dir, schemas.SuccessMarker)); err != nil {
		return Listing{}, fmt.Errorf("landing %s/dt=%s not ready: %w", feed, dt, fs.ErrNotExist)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return Listing{}, fmt.Errorf("landing %s/dt=%s: %w", feed, dt, err)
	}
	var root string // resolved landing root, for SymlinksInside
	if rules.Symlinks == SymlinksInside {
		if root, err = resolve(landing); err != nil {
			return Listing{}, fmt.Errorf("landing root: %w", err)
		}
	}
	var l Listing
	for _, e := range ents { // ReadDir sorts by name
		name := e.Name()
		if ignored(name) {
			continue
		}
		rel := feed + "/dt=" + dt + "/" + name
		path := filepath.Join(dir, name)
		reason := ""
		switch typ := e.Type(); {
		case typ&fs.ModeSymlink == 0 && !typ.IsRegular():
			reason = RefusedNotRegular
		case !rules.Accepts(name):
			reason = RefusedName
		case typ&fs.ModeSymlink != 0:
			path, reason = followLink(path, root, rules.Symlinks)
		}
		if reason != "" {
			l.Refused = append(l.Refused, RefusedFile{Path: rel, Reason: reason})
			continue
		}
		l.Files = append(l.Files, LandingFile{Path: path, Rel: rel})
	}
	return l, nil
}

// followLink returns the file a landing symlink stands for, or why it is
// refused. root is the resolved landing root (SymlinksInside only).
func followLink(link, root, mode string) (string, string) {
	if mode != SymlinksInside && mode != SymlinksAny {
		return "", RefusedSymlink
	}
	target, err := resolve(link)
	if err != nil {
		return "", RefusedDangling
	}
	if mode == SymlinksInside && !underRoot(root, target) {
		return "", RefusedOutside
	}
	st, err := os.Stat(target)
	if err != nil {
		return "", RefusedDangling
	}
	if !st.Mode().IsRegular() {
		return "", RefusedNotRegular
	}
	return target, ""
}

// resolve returns the absolute path of p with every symlink resolved.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// underRoot reports whether path is root or below it (both resolved).
func underRoot(root, path string) bool {
	return path == root || strings.HasPrefix(path, root+string(filepath.Separator))
}

// LandingFiles lists the files of a landing partition the default rules
// read, in name order, or fs.ErrNotExist if the producer has not written
// its _SUCCESS marker.
func LandingFiles(landing, feed, dt string) ([]string, error) {
	l, err := ListLanding(landing, feed, dt, DefaultLandingRules)
	if err != nil {
		return nil, err
	}
	files := make([]string, len(l.Files))
	for i, f := range l.Files {
		files[i] = f.Path
	}
	return files, nil
}

// landingFingerprint changes when an entry of the partition is added,
// removed or rewritten, whether or not a stage reads it, so that a file
// that would be refused is noticed too. It uses sizes and modification
// times (of a symlink's target), not content, so that the scheduler can
// poll cheaply; stages record content checksums.
func landingFingerprint(landing, feed, dt string) (string, error) {
	dir := LandingDir(landing, feed, dt)
	if _, err := os.Stat(filepath.Join(dir, schemas.SuccessMarker)); err != nil {
		return "", fmt.Errorf("landing %s/dt=%s not ready: %w", feed, dt, fs.ErrNotExist)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("landing %s/dt=%s: %w", feed, dt, err)
	}
	h := sinks.NewFingerprinter()
	for _, e := range ents {
		if ignored(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		st, err := os.Stat(p)
		if err != nil && e.Type()&fs.ModeSymlink != 0 {
			st, err = os.Lstat(p) // dangling: the link itself
		}
		if err != nil {
			return "", err
		}
		h.Add(e.Name(), fmt.Sprint(st.Size()), st.ModTime().UTC().Format(time.RFC3339Nano))
	}
	return h.Sum(), nil
}

// LandingDates lists the dates that have a partition in any of the feeds.
func LandingDates(landing string, feeds ...string) ([]time.Time, error) {
	seen := map[string]bool{}
	for _, feed := range feeds {
		ents, err := os.ReadDir(filepath.Join(landing, feed))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list landing %s: %w", feed, err)
		}
		for _, e := range ents {
			if d, ok := strings.CutPrefix(e.Name(), "dt="); ok && e.IsDir() {
				if _, err := time.Parse(time.DateOnly, d); err == nil {
					seen[d] = true
				}
			}
		}
	}
	var out []time.Time
	for d := range seen {
		t, _ := time.Parse(time.DateOnly, d)
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, nil
}
