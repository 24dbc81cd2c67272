// Package policy reads veil's declarative field policy and compiles it
// against a landing feed's schema and the warehouse dataset it fills.
//
// A policy file names, for every field of a feed, what happens to it:
//
//	tokenize_reversible  AES-SIV deterministic AEAD token (r_…), re-identifiable
//	                     only through the audited re-identification path
//	tokenize_oneway      HMAC-SHA256 PRF token (o_…), never reversible
//	generalize           a coarser value by a named method with parameters
//	keep                 copied through (refused for fields the schema marks PII)
//	drop                 nothing reaches the warehouse
//
// A field may have several rules (ip → a one-way token, a /24 prefix and a
// country), each writing its own column. Default-deny: a field the policy
// does not name is dropped and counted, and a column no rule writes stays
// null. Validation fails, naming the field, on a field the schema lacks, an
// unknown action or method, bad parameters, a column the dataset lacks or
// of the wrong type, a column written twice, or a required column nobody
// writes.
package policy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/configs"
)

// Actions.
const (
	TokenizeReversible = "tokenize_reversible"
	TokenizeOneWay     = "tokenize_oneway"
	Generalize         = "generalize"
	Keep               = "keep"
	Drop               = "drop"
)

var actions = []string{TokenizeReversible, TokenizeOneWay, Generalize, Keep, Drop}

// File is a policy file as written.
type File struct {
	Version int              `yaml:"version"`
	Feeds   map[string]*Feed `yaml:"feeds"`
	// Files says which landing files are read, for every feed.
	Files FileRules `yaml:"files"`
	// Source is where the file was read from, for messages.
	Source string `yaml:"-"`

	// compiled memoises Compile by feed: a File does not change once
	// parsed, and the runner, the stages and the report all compile it.
	mu       sync.Mutex
	compiled map[string]*Compiled
}

// Feed is the policy of one landing feed.
type Feed struct {
	// Dataset is the warehouse dataset the feed fills.
	Dataset string           `yaml:"dataset"`
	Fields  map[string]Rules `yaml:"fields"`
	// Formats say how to read landing files that are not JSON Lines
	// (CSV with a column mapping), chosen by file name.
	Formats []FileFormat `yaml:"formats"`
}

// Rules are a field's rules. In YAML a field takes a bare action
// ("keep"), one rule (a mapping) or a list of rules.
type Rules []Rule

// Rule is one thing done with a field.
type Rule struct {
	Action string `yaml:"action"`
	// Method names the generalisation (Action generalize).
	Method string `yaml:"method"`
	// Params are the method's (or tokenizer's) parameters.
	Params map[string]any `yaml:"params"`
	// To is the output column; keep defaults to the field's own name.
	To string `yaml:"to"`
}

// UnmarshalYAML accepts a scalar action, a mapping or a sequence.
func (r *Rules) UnmarshalYAML(n *yaml.Node) error {
	nodes := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		nodes = n.Content
	}
	*r = (*r)[:0]
	for _, c := range nodes {
		one, err := decodeRule(c)
		if err != nil {
			return err
		}
		*r = append(*r, one)
	}
	return nil
}

var ruleKeys = []string{"action", "method", "params", "to"}

// decodeRule decodes one rule, refusing unknown keys: a misspelt key
// must not silently turn a rule into something else. (Node.Decode does
// not inherit the decoder's KnownFields.)
func decodeRule(n *yaml.Node) (Rule, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return Rule{Action: n.Value}, nil
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !slices.Contains(ruleKeys, k) {
				return Rule{}, fmt.Errorf("line %d: unknown key %q in a rule (want %s)", n.Content[i].Line, k, strings.Join(ruleKeys, ", "))
			}
		}
		var one Rule
		err := n.Decode(&one)
		return one, err
	}
	return Rule{}, fmt.Errorf("line %d: a field's rules are an action, a mapping or a list of them", n.Line)
}

var defaultPolicy = configs.Policy

// Default returns the embedded default policy, parsed once (the same text as
// configs/policy.yaml, embedded).
func Default() *File { return defaultFile() }

var defaultFile = sync.OnceValue(func() *File {
	f, err := Parse(defaultPolicy, "embedded default policy")
	if err != nil {
		panic("policy: embedded default: " + err.Error())
	}
	return f
})

// Load reads a policy file.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return Parse(b, path)
}

// Parse decodes policy YAML; unknown keys are errors, so a misspelt key
// cannot silently turn a rule off.
func Parse(b []byte, source string) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("policy %s: %w", source, err)
	}
	f.Source = source
	if f.Version != 1 {
		return nil, fmt.Errorf("policy %s: version %d, want 1", source, f.Version)
	}
	if len(f.Feeds) == 0 {
		return nil, fmt.Errorf("policy %s: no feeds", source)
	}
	if errs := f.Files.validate(source); len(errs) > 0 {
		return nil, errs
	}
	return &f, nil
}

// FieldError is a validation error about one field of a feed.
type FieldError struct {
	Source, Feed, Field string
	Err                 error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("policy %s: feed %s: field %q: %v", e.Source, e.Feed, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Errors collects every validation error of a file, so one check reports
// them all.
type Errors []error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (es Errors) Unwrap() []error { return es }

var errNoRules = errors.New("no rules (write drop to drop it)")
