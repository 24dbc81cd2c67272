package tagging

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/configs"
	"github.com/veil-data/veil/schemas"
)

// File is a tag file as written (configs/tags.yaml): the window, the
// affinity weights behind top_categories, and the tags, each a named CEL
// expression over the aggregates (see `veil tags check` for the list).
type File struct {
	Version         int            `yaml:"version" json:"version"`
	WindowDays      int            `yaml:"window_days" json:"window_days"`
	TopInterests    int            `yaml:"top_interests" json:"top_interests"`
	AffinityWeights map[string]int `yaml:"affinity_weights" json:"affinity_weights"`
	Tags            []TagDef       `yaml:"tags" json:"tags"`
}

// TagDef is one tag as written.
type TagDef struct {
	Name  string `yaml:"name" json:"name"`
	Scope Scope  `yaml:"scope" json:"scope,omitempty"` // consumer (default) or merchant
	Expr  string `yaml:"expr" json:"expr"`
	Doc   string `yaml:"doc" json:"doc,omitempty"`
}

// Tag is a compiled, type-checked tag.
type Tag struct {
	Name, Expr, Doc string
	Scope           Scope
	kind            kind
	uses            []*aggregate // the aggregates it reads, in catalogue order
	prg             cel.Program
	// direct is set when the expression is one aggregate of the tag's
	// type: the value is copied, not evaluated.
	direct *aggregate
}

// Type is the tag's CEL type: string, int, double, bool or list(string).
func (t *Tag) Type() string { return t.kind.String() }

// Uses names the aggregates the tag reads.
func (t *Tag) Uses() []string {
	n := make([]string, len(t.uses))
	for i, a := range t.uses {
		n[i] = a.name
	}
	return n
}

// Spec is a compiled tag file.
type Spec struct {
	File
	Source   string
	Consumer []*Tag // consumer_tags columns, in file order
	Merchant []*Tag // consumer_merchant_tags columns, in file order
	weights  [nTypes]uint32
	fp       string
}

// Limits on a tag file.
const (
	maxWindowDays = 64 // day activity is a 64-bit mask per consumer and merchant
	maxWeight     = 10_000
	maxTags       = 64
)

var tagName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// reserved are the column names the datasets use besides tags, and CEL's
// reserved words, which cannot be audience variables.
var reserved = map[string]bool{
	"user_token": true, "as_of": true, "merchant_id": true, "merchant": true,
	"in": true, "as": true, "break": true, "const": true, "continue": true, "else": true,
	"for": true, "function": true, "if": true, "import": true, "let": true, "loop": true,
	"package": true, "namespace": true, "return": true, "var": true, "void": true, "while": true,
	"true": true, "false": true, "null": true,
}

// DefaultSpec compiles the embedded configs/tags.yaml.
func DefaultSpec() *Spec {
	s, err := ParseSpec(configs.DefaultTags, "configs/tags.yaml (embedded)")
	if err != nil {
		panic(err) // a test keeps the embedded file valid
	}
	return s
}

// LoadSpec reads and compiles a tag file.
func LoadSpec(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	return ParseSpec(b, path)
}

// ParseSpec decodes (unknown keys are errors) and compiles a tag file,
// reporting every problem at once, each naming its tag.
func ParseSpec(b []byte, source string) (*Spec, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("tags %s: %w", source, err)
	}
	s, errs := compileSpec(f)
	if len(errs) > 0 {
		for i, e := range errs {
			errs[i] = fmt.Errorf("tags %s: %w", source, e)
		}
		return nil, errors.Join(errs...)
	}
	s.Source = source
	return s, nil
}

func compileSpec(f File) (*Spec, []error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if f.Version != 1 {
		bad("version: %d is not supported (want 1)", f.Version)
	}
	if f.WindowDays < 1 || f.WindowDays > maxWindowDays {
		bad("window_days: %d is outside [1, %d]", f.WindowDays, maxWindowDays)
	}
	if f.TopInterests < 1 || f.TopInterests > 20 {
		bad("top_interests: %d is outside [1, 20]", f.TopInterests)
	}
	s := &Spec{File: f}
	for _, t := range slices.Sorted(maps.Keys(f.AffinityWeights)) {
		w := f.AffinityWeights[t]
		ti, ok := typeIndex[t]
		if !ok {
			bad("affinity_weights.%s: not an event type (%s)", t, strings.Join(schemas.EventTypes, ", "))
			continue
		}
		if w < 0 || w > maxWeight {
			bad("affinity_weights.%s: %d is outside [0, %d]", t, w, maxWeight)
			continue
		}
		s.weights[ti] = uint32(w)
	}
	if len(f.Tags) == 0 {
		bad("tags: none defined")
	}
	if len(f.Tags) > maxTags {
		bad("tags: %d defined, at most %d", len(f.Tags), maxTags)
	}
	envs := map[Scope]*cel.Env{ScopeConsumer: consumerEnv, ScopeMerchant: merchantEnv}
	seen := map[string]bool{}
	for i, d := range f.Tags {
		name := d.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		switch {
		case !tagName.MatchString(d.Name):
			bad("tag %s: name must match %s", name, tagName)
		case reserved[d.Name]:
			bad("tag %s: name is reserved", name)
		case seen[d.Name]:
			bad("tag %s: defined twice", name)
		}
		seen[d.Name] = true
		scope := d.Scope
		if scope == "" {
			scope = ScopeConsumer
		}
		env, ok := envs[scope]
		if !ok {
			bad("tag %s: scope %q is not consumer or merchant", name, d.Scope)
			continue
		}
		if strings.TrimSpace(d.Expr) == "" {
			bad("tag %s: expr is empty", name)
			continue
		}
		t, err := compileTag(env, d, scope)
		if err != nil {
			bad("tag %s: %w", name, err)
			continue
		}
		if scope == ScopeConsumer {
			s.Consumer = append(s.Consumer, t)
		} else {
			s.Merchant = append(s.Merchant, t)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	b, _ := json.Marshal(f) // maps marshal in key order
	sum := sha256.Sum256(b)
	s.fp = "sha256:" + hex.EncodeToString(sum[:])
	return s, nil
}

// Fingerprint identifies the effective tag file: a change makes the tag
// partitions due.
func (s *Spec) Fingerprint() string { return s.fp }

// Tags lists every tag, consumer scope first.
func (s *Spec) Tags() []*Tag { return append(slices.Clip(s.Consumer), s.Merchant...) }

// celEnv declares the aggregates of the given scopes as CEL variables.
func celEnv(scopes ...Scope) *cel.Env {
	opts := []cel.EnvOption{ext.Strings(), ext.Lists()}
	for _, a := range aggregates {
		if slices.Contains(scopes, a.scope) {
			opts = append(opts, cel.Variable(a.name, a.kind.celType()))
		}
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		panic(err)
	}
	return env
}

var (
	consumerEnv = celEnv(ScopeConsumer)
	merchantEnv = celEnv(ScopeConsumer, ScopeMerchant)
)

func (k kind) celType() *cel.Type {
	switch k {
	case kindString:
		return cel.StringType
	case kindInt:
		return cel.IntType
	case kindDouble:
		return cel.DoubleType
	case kindBool:
		return cel.BoolType
	default:
		return cel.ListType(cel.StringType)
	}
}

// kindOf maps a checked output type to a tag kind.
func kindOf(t *cel.Type) (kind, bool) {
	for _, k := range []kind{kindString, kindInt, kindDouble, kindBool, kindStrings} {
		if t.IsExactType(k.celType()) {
			return k, true
		}
	}
	return 0, false
}

func compileTag(env *cel.Env, d TagDef, scope Scope) (*Tag, error) {
	ast, iss := env.Compile(d.Expr)
	if iss.Err() != nil {
		return nil, errors.New(strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
	k, ok := kindOf(ast.OutputType())
	if !ok {
		return nil, fmt.Errorf("type %s is not string, int, double, bool or list(string)", ast.OutputType())
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, err
	}
	t := &Tag{Name: d.Name, Expr: d.Expr, Doc: d.Doc, Scope: scope, kind: k, prg: prg}
	used := map[string]bool{}
	for _, r := range ast.NativeRep().ReferenceMap() {
		if r.Name != "" && len(r.OverloadIDs) == 0 && aggregateByName[r.Name] != nil {
			used[r.Name] = true
		}
	}
	for i := range aggregates {
		if used[aggregates[i].name] {
			t.uses = append(t.uses, &aggregates[i])
		}
	}
	if a := aggregateByName[strings.TrimSpace(d.Expr)]; a != nil && a.kind == k {
		t.direct = a
	}
	return t, nil
}

// arrowType is the column type of a tag.
func (k kind) arrowType() arrow.DataType {
	switch k {
	case kindString:
		return arrow.BinaryTypes.String
	case kindInt:
		return arrow.PrimitiveTypes.Int64
	case kindDouble:
		return arrow.PrimitiveTypes.Float64
	case kindBool:
		return arrow.FixedWidthTypes.Boolean
	default:
		return arrow.ListOf(arrow.BinaryTypes.String)
	}
}

func tagFields(tags []*Tag) []arrow.Field {
	f := make([]arrow.Field, len(tags))
	for i, t := range tags {
		f[i] = schemas.TagField(t.Name, t.kind.arrowType())
	}
	return f
}

// ConsumerTags is the consumer_tags dataset with this spec's columns.
func (s *Spec) ConsumerTags() schemas.Dataset { return schemas.ConsumerTagsWith(tagFields(s.Consumer)) }

// ConsumerMerchantTags is the consumer_merchant_tags dataset with this
// spec's columns.
func (s *Spec) ConsumerMerchantTags() schemas.Dataset {
	return schemas.ConsumerMerchantTagsWith(tagFields(s.Merchant))
}

// CELType is the tag's type as a CEL variable of audience expressions.
func (t *Tag) CELType() *cel.Type { return t.kind.celType() }

// ArrowType is the tag's column type.
func (t *Tag) ArrowType() arrow.DataType { return t.kind.arrowType() }
