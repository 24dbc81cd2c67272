package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/veil-data/veil/pipeline"
)

// What a damaged landing file does (files.on_damaged_file).
const (
	// DamagedFail fails the run for the file's partition, naming the file.
	DamagedFail = "fail"
	// DamagedQuarantine keeps the records of the file's verified gzip
	// members and quarantines the rest as one damaged_file row, with the
	// bytes lost in the run's stats.
	DamagedQuarantine = "quarantine"
)

// FileRules is the policy's files: section, for every feed: which files
// of a landing partition are read, and what a damaged one does. A file
// refused by these rules is counted, logged and listed in the run's
// stats, never read.
type FileRules struct {
	// Accept lists accepted name endings; default .jsonl, .jsonl.gz, .csv
	// and .csv.gz. A name ending .csv or .csv.gz is CSV (read through a
	// format), any other accepted name JSON Lines; .gz is gzip.
	Accept []string `yaml:"accept" json:"accept"`
	// CaseSensitive makes .JSONL an unaccepted name; by default case does
	// not matter.
	CaseSensitive bool `yaml:"case_sensitive" json:"case_sensitive"`
	// Symlinks is none, inside_landing (the default) or any.
	Symlinks string `yaml:"symlinks" json:"symlinks"`
	// OnDamagedFile is fail (the default) or quarantine.
	OnDamagedFile string `yaml:"on_damaged_file" json:"on_damaged_file"`
}

// withDefaults fills in what the file leaves out.
func (r FileRules) withDefaults() FileRules {
	if r.Accept == nil {
		r.Accept = slices.Clone(pipeline.DefaultLandingRules.Accept)
	}
	if r.Symlinks == "" {
		r.Symlinks = pipeline.DefaultLandingRules.Symlinks
	}
	if r.OnDamagedFile == "" {
		r.OnDamagedFile = DamagedFail
	}
	return r
}

// isDefault reports whether r (with defaults) is the default rules, which
// then do not enter the policy's fingerprint: fingerprints of policies
// written before the section existed stay the same.
func (r FileRules) isDefault() bool {
	d := FileRules{}.withDefaults()
	return slices.Equal(r.Accept, d.Accept) && r.CaseSensitive == d.CaseSensitive && r.Symlinks == d.Symlinks && r.OnDamagedFile == d.OnDamagedFile
}

// validate reports every problem of the section.
func (r FileRules) validate(source string) Errors {
	var errs Errors
	fail := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("policy %s: files: "+format, append([]any{source}, a...)...))
	}
	if r.Accept != nil && len(r.Accept) == 0 {
		fail("accept is empty: no landing file would be read")
	}
	for _, s := range r.Accept {
		if len(s) < 2 || s[0] != '.' || strings.ContainsAny(s, `/\*?[`) || strings.EqualFold(s, ".gz") {
			fail("accept: %q is not a name ending such as .jsonl or .csv.gz", s)
		}
	}
	switch r.Symlinks {
	case "", pipeline.SymlinksNone, pipeline.SymlinksInside, pipeline.SymlinksAny:
	default:
		fail("symlinks: %q: want %s, %s or %s", r.Symlinks, pipeline.SymlinksNone, pipeline.SymlinksInside, pipeline.SymlinksAny)
	}
	switch r.OnDamagedFile {
	case "", DamagedFail, DamagedQuarantine:
	default:
		fail("on_damaged_file: %q: want %s or %s", r.OnDamagedFile, DamagedFail, DamagedQuarantine)
	}
	return errs
}

// Files returns the effective files: rules of the policy.
func (c *Compiled) Files() FileRules { return c.files }

// EffectiveFiles returns the file's files: rules with defaults filled in.
func (f *File) EffectiveFiles() FileRules { return f.Files.withDefaults() }

// String describes the rules in one line, for veil policy check.
func (r FileRules) String() string {
	c := "any case"
	if r.CaseSensitive {
		c = "case-sensitive"
	}
	return fmt.Sprintf("accept %s (%s), symlinks %s, on a damaged file %s", strings.Join(r.Accept, " "), c, r.Symlinks, r.OnDamagedFile)
}

// Landing returns the rules that list a landing partition.
func (r FileRules) Landing() pipeline.LandingRules {
	return pipeline.LandingRules{Accept: r.Accept, CaseSensitive: r.CaseSensitive, Symlinks: r.Symlinks}
}

// QuarantineDamaged reports whether a damaged file is quarantined rather
// than failing the run.
func (r FileRules) QuarantineDamaged() bool { return r.OnDamagedFile == DamagedQuarantine }

// IsCSV reports whether an accepted landing file is CSV (optionally
// gzip). Case never matters here: whether a name is read at all is for
// Accept to say.
func IsCSV(name string) bool {
	return hasSuffixFold(name, ".csv") || hasSuffixFold(name, ".csv.gz")
}

// IsGzip reports whether an accepted landing file is gzip-compressed.
func IsGzip(name string) bool { return hasSuffixFold(name, ".gz") }

func hasSuffixFold(name, suffix string) bool {
	return len(name) >= len(suffix) && strings.EqualFold(name[len(name)-len(suffix):], suffix)
}
