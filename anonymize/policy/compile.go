package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/schemas"
)

// Class says what kind of value a column holds, for the residual leak
// scan: each class is checked differently.
type Class string

const (
	ClassToken       Class = "token"       // opaque tokens
	ClassGeneralised Class = "generalised" // coarse values: bands, prefixes, codes
	ClassKept        Class = "kept"        // copied through by a keep rule
	ClassText        Class = "text"        // free text after PII redaction
	ClassUnwritten   Class = "unwritten"   // no rule writes it: always null
	ClassDerived     Class = "derived"     // counts the stage computes, not from a field
)

// Compiled is a feed's policy checked against the feed's schema and its
// dataset, ready to apply.
type Compiled struct {
	Feed    schemas.Input
	Dataset schemas.Dataset
	// fields is indexed like Feed.Fields.
	fields  []fieldRules
	columns []column // indexed like Dataset.Schema.Fields()
	formats []*Format
	files   FileRules      // with defaults
	index   map[string]int // field name → index in Feed.Fields
	keys    *KeyTable
	tsField int // index of the field that places a record on its day (Input.TimeField), or -1
	// External is the text field whose redaction the stage performs
	// itself (generalize redact_pii), or -1.
	External int

	// fp memoises Fingerprint: the runner asks for it for every stage
	// and date it checks.
	fpOnce sync.Once
	fp     string
}

type fieldRules struct {
	name  string
	named bool // the policy names the field (drop included)
	ops   []op
}

type op struct {
	action string
	col    int
	domain string // token domain
	m      *method
	rule   Rule
}

type column struct {
	name   string
	typ    arrow.Type
	class  Class
	writer string // "field: action[/method]"
}

// Compile checks f (the policy of feed in) against in and the dataset it
// names and returns it ready to apply. Every problem is reported, each
// naming its field.
//
// The result is remembered per feed name (in must be that feed's schema)
// and is safe for concurrent use: it is only read once made.
func (f *File) Compile(in schemas.Input) (*Compiled, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.compiled[in.Name]; ok && c.Feed.Version == in.Version {
		return c, nil
	}
	c, err := f.compile(in)
	if err != nil {
		return nil, err
	}
	if f.compiled == nil {
		f.compiled = map[string]*Compiled{}
	}
	f.compiled[in.Name] = c
	return c, nil
}

func (f *File) compile(in schemas.Input) (*Compiled, error) {
	fp, ok := f.Feeds[in.Name]
	if !ok {
		return nil, fmt.Errorf("policy %s: no policy for feed %s", f.Source, in.Name)
	}
	ds, ok := schemas.Lookup(fp.Dataset)
	if !ok || ds.Schema == nil {
		return nil, fmt.Errorf("policy %s: feed %s: unknown dataset %q", f.Source, in.Name, fp.Dataset)
	}
	c := &Compiled{Feed: in, Dataset: ds, External: -1, tsField: -1, index: map[string]int{}, files: f.Files.withDefaults()}
	for i, fd := range in.Fields {
		c.index[fd.Name] = i
		if fd.Name == in.TimeField() {
			c.tsField = i
		}
	}
	c.keys = newKeyTable(c)
	for _, fd := range ds.Schema.Fields() {
		col := column{name: fd.Name, typ: fd.Type.ID(), class: ClassUnwritten}
		switch col.typ {
		case arrow.STRING, arrow.TIMESTAMP, arrow.FLOAT64:
		default:
			col.class, col.writer = ClassDerived, "(computed by the stage)"
		}
		c.columns = append(c.columns, col)
	}
	var errs Errors
	fail := func(field string, err error) {
		errs = append(errs, &FieldError{Source: f.Source, Feed: in.Name, Field: field, Err: err})
	}
	for name := range fp.Fields {
		if _, ok := in.Field(name); !ok {
			fail(name, fmt.Errorf("feed %s (schema v%d) has no such field", in.Name, in.Version))
		}
	}
	c.fields = make([]fieldRules, len(in.Fields))
	for i, fd := range in.Fields {
		c.fields[i].name = fd.Name
		rules, named := fp.Fields[fd.Name]
		if !named {
			continue // default-deny: dropped and counted
		}
		c.fields[i].named = true
		if len(rules) == 0 {
			fail(fd.Name, errNoRules)
		}
		for _, r := range rules {
			o, err := c.compileRule(fd, r)
			if err != nil {
				fail(fd.Name, err)
				continue
			}
			if o == nil {
				continue // drop
			}
			if o.m != nil && o.m.external {
				c.External = i
			}
			c.fields[i].ops = append(c.fields[i].ops, *o)
		}
	}
	// A column no rule writes is null; a non-nullable one cannot be.
	for i, fd := range ds.Schema.Fields() {
		if !fd.Nullable && c.columns[i].class == ClassUnwritten {
			errs = append(errs, &FieldError{Source: f.Source, Feed: in.Name, Field: fd.Name,
				Err: fmt.Errorf("dataset %s needs column %s, and no rule writes it", ds.Name, fd.Name)})
		}
	}
	for i := range fp.Formats {
		ff, err := fp.Formats[i].compile(in)
		if err != nil {
			errs = append(errs, fmt.Errorf("policy %s: feed %s: formats[%d]: %w", f.Source, in.Name, i, err))
			continue
		}
		c.formats = append(c.formats, ff)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

func (c *Compiled) compileRule(fd schemas.Field, r Rule) (*op, error) {
	if !slices.Contains(actions, r.Action) {
		return nil, fmt.Errorf("unknown action %q (want one of %s)", r.Action, strings.Join(actions, ", "))
	}
	if r.Action != Generalize && r.Method != "" {
		return nil, fmt.Errorf("method %q given for action %s; only generalize takes a method", r.Method, r.Action)
	}
	o := &op{action: r.Action}
	var want arrow.Type
	var class Class
	switch r.Action {
	case Drop:
		if r.To != "" || len(r.Params) > 0 {
			return nil, errors.New("drop takes no column and no parameters")
		}
		return nil, nil
	case Keep:
		if fd.PII {
			return nil, errors.New("keep is refused: the schema marks this field PII; tokenize, generalize or drop it")
		}
		if len(r.Params) > 0 {
			return nil, errors.New("keep takes no parameters")
		}
		if r.To == "" {
			r.To = fd.Name
		}
		want, class = kindType(fd.Kind), ClassKept
	case TokenizeReversible, TokenizeOneWay:
		o.domain = fd.Name
		for k, v := range r.Params {
			s, ok := v.(string)
			if k != "domain" || !ok {
				return nil, fmt.Errorf("%s: unknown parameter %q (only domain, a string)", r.Action, k)
			}
			o.domain = s
		}
		if err := anonymize.ValidField(o.domain); err != nil {
			return nil, err
		}
		if fd.Kind != schemas.String {
			return nil, fmt.Errorf("%s needs a string field, this one is a %s", r.Action, fd.Kind)
		}
		want, class = arrow.STRING, ClassToken
	case Generalize:
		m, err := newMethod(r.Method, c.Feed, fd, r.Params)
		if err != nil {
			return nil, err
		}
		o.m = m
		want, class = m.out, ClassGeneralised
		if m.external {
			class = ClassText
		}
	}
	if r.To == "" {
		return nil, fmt.Errorf("%s needs a column: to: <column of %s>", r.Action, c.Dataset.Name)
	}
	col := c.Dataset.Schema.FieldIndices(r.To)
	if len(col) != 1 {
		return nil, fmt.Errorf("dataset %s has no column %q", c.Dataset.Name, r.To)
	}
	o.col, o.rule = col[0], r
	cc := &c.columns[o.col]
	if cc.typ != want {
		return nil, fmt.Errorf("column %s is %s, %s writes %s", r.To, cc.typ, r.Action, want)
	}
	writer := fd.Name + ": " + r.Action
	if r.Method != "" {
		writer += "/" + r.Method
	}
	if cc.class != ClassUnwritten {
		// Two fields may fill one column only by the same method (age_band
		// from birth_date or from age): the first present wins.
		if !(class == ClassGeneralised && cc.class == ClassGeneralised && strings.HasSuffix(cc.writer, "/"+r.Method)) {
			return nil, fmt.Errorf("column %s is already written by %s", r.To, cc.writer)
		}
		cc.writer += "; " + writer
		return o, nil
	}
	cc.class, cc.writer = class, writer
	return o, nil
}

// kindType is the column type a kept field of kind k fills.
func kindType(k schemas.Kind) arrow.Type {
	switch k {
	case schemas.Number:
		return arrow.FLOAT64
	case schemas.Timestamp:
		return arrow.TIMESTAMP
	}
	return arrow.STRING
}

// KeyTable maps a field name to its position without hashing the whole
// name; decoders use it per key of every record.
func (c *Compiled) KeyTable() *KeyTable { return c.keys }

// KeyTable is a direct-mapped table of the feed's field names, slotted by
// length and first and last bytes; names that share a slot go to the map.
type KeyTable struct {
	slot [256]int16 // field index, -1 empty, -2 shared
	c    *Compiled
}

func keySlot(k string) int {
	if k == "" {
		return 0
	}
	return (len(k)*37 + int(k[0])*7 + int(k[len(k)-1])) & 255
}

func newKeyTable(c *Compiled) *KeyTable {
	t := &KeyTable{c: c}
	for i := range t.slot {
		t.slot[i] = -1
	}
	for i, f := range c.Feed.Fields {
		switch s := keySlot(f.Name); t.slot[s] {
		case -1:
			t.slot[s] = int16(i)
		default:
			t.slot[s] = -2
		}
	}
	return t
}

// Lookup returns the position of field k in Feed.Fields, or -1.
func (t *KeyTable) Lookup(k string) int {
	switch i := t.slot[keySlot(k)]; {
	case i == -1:
		return -1
	case i >= 0:
		if t.c.Feed.Fields[i].Name == k {
			return int(i)
		}
		return -1
	}
	if i, ok := t.c.index[k]; ok {
		return i
	}
	return -1
}

// Index returns the position of the named field in Feed.Fields.
func (c *Compiled) Index(field string) (int, bool) {
	i, ok := c.index[field]
	return i, ok
}

// Classes returns each written column's class by column name.
func (c *Compiled) Classes() map[string]Class {
	m := make(map[string]Class, len(c.columns))
	for _, col := range c.columns {
		m[col.name] = col.class
	}
	return m
}

// KeptIDs returns the kept columns filled from identifier fields (an
// id-checked field): values such as item and order numbers, which share number ranges with user ids, so a leak scan checks
// them per row rather than against every raw value of the day.
func (c *Compiled) KeptIDs() map[string]bool {
	m := map[string]bool{}
	for i, f := range c.fields {
		for _, o := range f.ops {
			fd := c.Feed.Fields[i]
			if o.action == Keep && fd.Check == schemas.CheckID {
				m[c.columns[o.col].name] = true
			}
		}
	}
	return m
}

// Tokenized reports whether a rule of field i tokenises it.
func (c *Compiled) Tokenized(i int) bool {
	for _, o := range c.fields[i].ops {
		if o.action == TokenizeReversible || o.action == TokenizeOneWay {
			return true
		}
	}
	return false
}

// Protected reports whether field i's raw value must never appear in the
// output: every field not kept as is.
func (c *Compiled) Protected(i int) bool {
	for _, o := range c.fields[i].ops {
		if o.action == Keep {
			return false
		}
	}
	return true
}

// Named reports whether the policy names field i (drop included). A
// field it does not name is dropped and counted as undeclared.
func (c *Compiled) Named(i int) bool { return c.fields[i].named }

// Describe returns, per input field, what the policy does with it, for
// reports; "*" covers fields the feed's schema does not declare.
func (c *Compiled) Describe() map[string]string {
	m := make(map[string]string, len(c.fields)+1)
	for _, f := range c.fields {
		switch {
		case !f.named:
			m[f.name] = "drop (not named by the policy)"
		default:
			m[f.name] = describeOps(f.ops)
		}
	}
	m["*"] = "drop (not declared by the feed schema)"
	return m
}

func describeOps(ops []op) string {
	if len(ops) == 0 {
		return "drop"
	}
	parts := make([]string, len(ops))
	for i, o := range ops {
		s := o.action
		switch {
		case o.m != nil:
			s += " " + o.m.describe
		case o.action != Keep && o.domain != "":
			s += " (domain " + o.domain + ")"
		}
		parts[i] = s + " -> " + o.rule.To
	}
	return strings.Join(parts, "; ")
}

// Columns describes every dataset column: its class and the rules that
// write it, in schema order.
func (c *Compiled) Columns() [][3]string {
	out := make([][3]string, len(c.columns))
	for i, col := range c.columns {
		w := col.writer
		if w == "" {
			w = "(no rule: always null)"
		}
		out[i] = [3]string{col.name, string(col.class), w}
	}
	return out
}

// Fingerprint identifies the effective policy of the feed: two policies
// with the same fingerprint transform every record the same way. Stages
// record it so a policy change makes their outputs due.
func (c *Compiled) Fingerprint() string {
	c.fpOnce.Do(func() { c.fp = c.fingerprint() })
	return c.fp
}

func (c *Compiled) fingerprint() string {
	h := sha256.New()
	var files *FileRules // the default rules leave older fingerprints as they were
	if !c.files.isDefault() {
		files = &c.files
	}
	b, _ := json.Marshal(struct {
		Fields  map[string]string
		Columns [][3]string
		Formats []string
		Files   *FileRules `json:",omitempty"`
	}{c.Describe(), c.Columns(), c.formatKeys(), files})
	h.Write(b)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
