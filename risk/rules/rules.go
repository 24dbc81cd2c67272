// Package rules holds veil's risk rules: named CEL expressions over an
// event's point-in-time features, its user's outlier outputs and the
// model's score, each with a reason code, a severity, an action and the
// entity it targets. Rules are type-checked when loaded and compiled once.
//
// A feature is a double; a null feature is NaN, and every ordering
// comparison (<, <=, >, >=) with a null is false, so a threshold over a
// feature the event does not have never fires; is_null(x) tests for it.
package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/checker"
	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/configs"
	"github.com/veil-data/veil/risk/features"
)

// Action is what a hit asks for; a larger value is stronger.
type Action int

const (
	Allow Action = iota
	Review
	Block
)

func (a Action) String() string { return [...]string{"allow", "review", "block"}[a] }

// Severity grades a reason: low, medium, high, critical.
type Severity int

const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

func (s Severity) String() string {
	if s < Low || s > Critical {
		return "unknown"
	}
	return [...]string{"low", "medium", "high", "critical"}[s-1]
}

// Rule is one configured rule.
type Rule struct {
	Name     string
	Version  int // from the file; a change of expression must bump it
	Expr     string
	Reason   string // reason code, e.g. "CARD_TESTING"
	Severity Severity
	Action   Action
	Entity   features.Entity // User, Device, IP or Card
	Doc      string
	Vars     []string // the variables the expression reads, sorted
}

// Cluster is the user's outlier outputs (risk_clusters) as of the day
// before the event; Known is false when the user has none.
type Cluster struct {
	Known   bool
	Label   int // DBSCAN label, -1 noise
	Size    int // members of the user's cluster
	LOF     float64
	Outlier bool
}

// Input is what a rule reads for one scored event.
type Input struct {
	Type    string       // event type
	Row     features.Row // features in features.Defs order; NaN is null
	Cluster Cluster
	Score   float64 // model score; NaN when no model
}

// Hit is a rule that fired on an event.
type Hit struct {
	Rule     int // index in Set.Rules()
	Name     string
	Version  int
	Reason   string
	Severity Severity
	Action   Action
	Entity   features.Entity
}

// Set is a loaded, compiled rule file. Eval is safe for concurrent use.
type Set struct {
	rules    []Rule
	compiled []*compiled
	fp       string
}

// File is a rule file as written (configs/rules.yaml).
type File struct {
	Rules []RuleDef `yaml:"rules"`
}

// RuleDef is one rule as written.
type RuleDef struct {
	Name     string `yaml:"name"`
	Version  int    `yaml:"version"`
	Expr     string `yaml:"expr"`
	Reason   string `yaml:"reason"`
	Severity string `yaml:"severity"`
	Action   string `yaml:"action"`
	Entity   string `yaml:"entity"`
	Doc      string `yaml:"doc"`
}

// Limits on a rule file.
const (
	maxRules = 256
	maxExpr  = 4096 // bytes: a rule is a line or two; this bounds parse time
	// maxCost bounds an expression's estimated evaluation cost: rules
	// over scalars cost tens; the limit refuses a list comprehension
	// that could run away. Every variable is a scalar, so the estimate
	// bounds the actual cost and no runtime limit (a third of Eval's
	// time in BenchmarkEval/miss) is needed.
	maxCost = 10_000
)

var (
	ruleName   = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
	reasonCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
	severities = map[string]Severity{"low": Low, "medium": Medium, "high": High, "critical": Critical}
	actions    = map[string]Action{"review": Review, "block": Block}
	entities   = map[string]features.Entity{"user": features.User, "device": features.Device, "ip": features.IP, "card": features.Card}
)

// Default is the embedded configs/rules.yaml, parsed once.
func Default() (*Set, error) { return defaultSet() }

var defaultSet = sync.OnceValues(func() (*Set, error) {
	return parse(configs.DefaultRules, "configs/rules.yaml (embedded)")
})

// Load reads and compiles a rule file.
func Load(path string) (*Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return parse(b, path)
}

// Parse loads and type-checks a rule file (YAML); every problem is
// reported at once.
func Parse(b []byte) (*Set, error) { return parse(b, "") }

func parse(b []byte, source string) (*Set, error) {
	prefix := "rules"
	if source != "" {
		prefix += " " + source
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		// One line per unknown key or bad value, like the rule errors.
		var te *yaml.TypeError
		if errors.As(err, &te) {
			errs := make([]error, len(te.Errors))
			for i, e := range te.Errors {
				errs[i] = fmt.Errorf("%s: %s", prefix, e)
			}
			return nil, errors.Join(errs...)
		}
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	s, errs := compile(f)
	if len(errs) > 0 {
		for i, e := range errs {
			errs[i] = fmt.Errorf("%s: %w", prefix, e)
		}
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func compile(f File) (*Set, []error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(f.Rules) == 0 {
		bad("rules: none defined")
	}
	if len(f.Rules) > maxRules {
		bad("rules: %d defined, at most %d", len(f.Rules), maxRules)
	}
	s := &Set{}
	seen := map[string]bool{}
	for i, d := range f.Rules {
		name := d.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		r := Rule{Name: d.Name, Version: d.Version, Expr: d.Expr, Reason: d.Reason, Doc: d.Doc}
		ok := true
		fail := func(format string, a ...any) {
			ok = false
			bad("rule %s: "+format, append([]any{name}, a...)...)
		}
		switch {
		case !ruleName.MatchString(d.Name):
			fail("name must match %s", ruleName)
		case seen[d.Name]:
			fail("defined twice")
		}
		seen[d.Name] = true
		if d.Version < 1 {
			fail("version must be an integer >= 1, got %d", d.Version)
		}
		if !reasonCode.MatchString(d.Reason) {
			fail("reason %q must be a code matching %s", d.Reason, reasonCode)
		}
		var found bool
		if r.Severity, found = severities[d.Severity]; !found {
			fail("severity %q is not low, medium, high or critical", d.Severity)
		}
		if r.Action, found = actions[d.Action]; !found {
			fail("action %q is not review or block", d.Action)
		}
		if r.Entity, found = entities[d.Entity]; !found {
			fail("entity %q is not user, device, ip or card", d.Entity)
		}
		var c *compiled
		switch {
		case strings.TrimSpace(d.Expr) == "":
			fail("expr is empty")
		case len(d.Expr) > maxExpr:
			fail("expr is %d bytes, at most %d", len(d.Expr), maxExpr)
		default:
			var err error
			if c, err = compileExpr(d.Expr); err != nil {
				fail("%w", err)
			}
		}
		if !ok {
			continue
		}
		c.name = d.Name
		for _, v := range c.vars {
			r.Vars = append(r.Vars, vars[v].name)
		}
		s.rules = append(s.rules, r)
		s.compiled = append(s.compiled, c)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	s.fp = fingerprint(s.rules)
	return s, nil
}

// compileExpr type-checks an expression, requires a bool, bounds its cost
// and finds the variables it reads.
func compileExpr(expr string) (*compiled, error) {
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		// CEL's message carries the position; one line per rule.
		return nil, errors.New(oneLine(iss.Err().Error()))
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, fmt.Errorf("expr has type %s, want bool", ast.OutputType())
	}
	est, err := env.EstimateCost(ast, noSizes{})
	if err != nil {
		return nil, fmt.Errorf("expr cost: %w", err)
	}
	if est.Max > maxCost {
		return nil, fmt.Errorf("expr's estimated cost %d exceeds %d", est.Max, maxCost)
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CustomDecorator(nullSafe))
	if err != nil {
		return nil, err
	}
	used := map[int]bool{}
	for _, ref := range ast.NativeRep().ReferenceMap() {
		if i, ok := byName[ref.Name]; ok && ref.Name != "" && len(ref.OverloadIDs) == 0 {
			used[i] = true
		}
	}
	c := &compiled{prg: prg, memo: map[string]bool{}}
	for i := range vars { // Defs order, then extras: sorted by name below
		if used[i] {
			c.vars = append(c.vars, i)
		}
	}
	sortByName(c.vars)
	return c, nil
}

func sortByName(ix []int) {
	for i := 1; i < len(ix); i++ {
		for j := i; j > 0 && vars[ix[j]].name < vars[ix[j-1]].name; j-- {
			ix[j], ix[j-1] = ix[j-1], ix[j]
		}
	}
}

// noSizes leaves every size and call cost to cel-go's defaults: the
// variables are scalars.
type noSizes struct{}

func (noSizes) EstimateSize(checker.AstNode) *checker.SizeEstimate { return nil }
func (noSizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// fingerprint hashes what decides hits, in file order; docs are left out
// so that rewording one does not make the risk list due.
func fingerprint(rs []Rule) string {
	type canon struct {
		Name     string `json:"name"`
		Version  int    `json:"version"`
		Expr     string `json:"expr"`
		Reason   string `json:"reason"`
		Severity string `json:"severity"`
		Action   string `json:"action"`
		Entity   string `json:"entity"`
	}
	cs := make([]canon, len(rs))
	for i, r := range rs {
		cs[i] = canon{r.Name, r.Version, r.Expr, r.Reason, r.Severity.String(), r.Action.String(), r.Entity.String()}
	}
	b, err := json.Marshal(cs)
	if err != nil {
		panic(err) // plain fields always marshal
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Rules lists the rules in file order.
func (s *Set) Rules() []Rule { return s.rules }

// Fingerprint changes whenever any rule's name, version, expression,
// reason, severity, action or entity changes: a change makes the risk
// list due.
func (s *Set) Fingerprint() string { return s.fp }

// oneLine joins CEL's multi-line message (error, expression, caret) so
// that each problem is one line naming its rule.
func oneLine(msg string) string {
	var parts []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "|")); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}
