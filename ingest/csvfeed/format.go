// Package csvfeed turns CSV landing files into canonical field values of
// a landing input (schemas.Input), driven by a declarative Format instead
// of code, so a new feed shape needs configuration only.
//
// A Format is written in YAML, for example (Alibaba Tianchi UserBehavior,
// no header):
//
//	match: "UserBehavior*.csv"
//	header: false
//	absent: [event_id]          # the ingest stage derives the id
//	columns:
//	  - {index: 0, field: user_id}
//	  - {index: 1, field: item_id}
//	  - {index: 2, field: category}
//	  - {index: 3, field: type, values: {pv: view, buy: purchase, cart: cart, fav: fav}}
//	  - {index: 4, field: ts, time: unix}
//
// Keys of a format:
//
//	match              glob (path.Match) on the landing file's base name
//	header             the first record names the columns (a UTF-8 BOM is stripped either way)
//	delimiter          one character; "tab" or "\t" for tabs; default ","
//	fields_per_record  every record must have this many fields; default: the header's
//	                   length, or without a header the first record's
//	columns            how columns become fields (below)
//	const              field: value given to every row, e.g. {type: purchase, currency: USD}
//	absent             required fields the feed does not carry, left to the ingest stage
//	                   (e.g. an event_id it derives); every other required field must
//	                   come from a column or const
//
// Keys of a column:
//
//	name    header name to find (header: true); a label otherwise
//	index   0-based position; wins over name, and is needed without a header
//	field   the input field it fills; empty: the column is dropped and counted
//	time    timestamp and date fields: rfc3339 | unix (seconds, optional fraction) |
//	        unix_ms | excel_serial (days since 1899-12-30, the fraction is the time
//	        of day; serials before 61 are rejected for Excel's phantom 29 Feb 1900)
//	        | a Go layout such as "1/2/2006 15:04" or "1/2/06 15:04"; default
//	        rfc3339 for timestamps, "2006-01-02" for dates. A date is the day as
//	        written (in the text's zone); unix times give the UTC day
//	tz      IANA zone of wall-clock times (Go layouts without an offset,
//	        excel_serial); default UTC; refused where the text fixes the instant
//	time_alt more Go layouts tried in order when time's does not parse, e.g.
//	        ["1/2/06 15:04"] beside "1/2/2006 15:04" for a file saved with 2- or
//	        4-digit years. Century rule of a 2-digit year ("06"): 69-99 are
//	        1969-1999 and 00-68 are 2000-2068 (Go's time.Parse). "2006" needs
//	        four digits and "06" exactly two, so no text matches both
//	values  text → value mapping applied before parsing; a value it does not list
//	        is rejected, one mapped to "" counts as not present
//	other   with values: what a value values does not list becomes, instead of
//	        a rejection: a declared low-cardinality label (browser, source) keeps
//	        a small known set and folds the long tail into e.g. "other"
//	offset  timestamps: a Go duration ("720h", "-90m") added to every time read,
//	        for a time the file implies but does not hold: a chargeback label
//	        known a declared delay after the purchase it names
//	optional the header may lack this column (needs a name and header: true):
//	        then its field has no value in any row of the file, as for an
//	        empty cell. Copies of one extract that differ by a column
//	        (Fraud_Data with and without ip_address) share one format
//	parse   ipv4_int (string fields): an integer, possibly written as a float
//	        ("732758368.8"; the fraction is cut off), becomes a dotted IPv4;
//	        negative or >= 2^32 is rejected; IP literals pass through.
//	        decimal (number fields): thousands separators in groups of three
//	        ("1,234.5"); a decimal comma ("12,34") is rejected, not misread
//
// Every record read becomes exactly one Row, accepted or rejected:
// bad_csv when it cannot be split into the expected fields (quoting, too
// few or too many fields), invalid_value when a mapped cell does not parse
// or is not listed in values. Empty cells are not present, and required
// fields without a value are listed in Row.Missing for the ingest stage to
// reject. Blank lines are not records (encoding/csv skips them).
//
// Rows come out as canonical text per kind: timestamps as RFC 3339 in UTC
// with nanoseconds, dates as YYYY-MM-DD, numbers as the shortest decimal,
// strings trimmed. No error or rejection ever quotes a field value: they
// name the line, column and field only.
package csvfeed

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	// Zones must resolve on minimal hosts without a zoneinfo database:
	// a missing zone would fail a run that works elsewhere.
	_ "time/tzdata"
	"unicode/utf8"

	"github.com/veil-data/veil/schemas"
)

// Format says how to read one shape of CSV landing file. See the package
// documentation for every key.
type Format struct {
	Match           string            `yaml:"match"`
	Header          bool              `yaml:"header"`
	Delimiter       string            `yaml:"delimiter"`
	FieldsPerRecord int               `yaml:"fields_per_record"`
	Columns         []Column          `yaml:"columns"`
	Const           map[string]string `yaml:"const"`
	Absent          []string          `yaml:"absent"`
}

// Column maps one CSV column to an input field.
type Column struct {
	Name   string            `yaml:"name"`
	Index  *int              `yaml:"index"`
	Field  string            `yaml:"field"`
	Time   string            `yaml:"time"`
	TZ     string            `yaml:"tz"`
	Values map[string]string `yaml:"values"`
	Parse  string            `yaml:"parse"`
	// TimeAlt, Other and Optional are omitted from JSON when unset, so
	// the fingerprints of formats that do not use them stay the same.
	TimeAlt  []string `yaml:"time_alt" json:",omitempty"`
	Other    string   `yaml:"other" json:",omitempty"`
	Optional bool     `yaml:"optional" json:",omitempty"`
	// Offset (timestamps) is a Go duration added to every time read.
	Offset string `yaml:"offset" json:",omitempty"`
}

// Time formats with a name; any other Time is a Go layout.
const (
	TimeRFC3339     = "rfc3339"
	TimeUnix        = "unix"
	TimeUnixMilli   = "unix_ms"
	TimeExcelSerial = "excel_serial"
)

// Parse options.
const (
	ParseIPv4Int = "ipv4_int"
	ParseDecimal = "decimal"
)

// Matches reports whether the format applies to a landing file, by its
// base name. A bad pattern matches nothing (Compile reports it).
func (f Format) Matches(file string) bool {
	ok, err := path.Match(f.Match, filepath.Base(file))
	return err == nil && ok
}

// Decoder is a compiled Format for one input. It is immutable and safe
// for concurrent use; each file gets its own FileReader.
type Decoder struct {
	in       schemas.Input
	header   bool
	delim    rune
	fields   int // 0: from the header or the first record
	cols     []column
	consts   []constant
	required []int    // required fields not given by const, in schema order
	absent   []string // declared absent, in schema order; shared by rows
}

// column is a compiled Column.
type column struct {
	label   string // how messages name it: the configured name, or #index
	name    string // header name to look up; "" when index is set
	cfgName string // the configured name, if any: names a dropped column
	index   int    // -1: resolved from the header
	field   int    // index into in.Fields; -1: dropped
	values  map[string]string
	other   string // the value of text values does not list; "" rejects
	opt     bool   // the header may lack the column
	conv    converter
	memo    bool // remember the last conversion
}

type constant struct {
	field int
	value string
}

// Input returns the input the decoder fills.
func (d *Decoder) Input() schemas.Input { return d.in }

// Mapped reports whether a column fills the field (not a const, not
// absent): a field a row's own text decides.
func (d *Decoder) Mapped(field string) bool {
	fi := fieldIndex(d.in, field)
	for _, c := range d.cols {
		if fi >= 0 && c.field == fi {
			return true
		}
	}
	return false
}

// Absent returns the required fields the format declares the feed does
// not carry; every Row lists them in Missing.
func (d *Decoder) Absent() []string { return append([]string(nil), d.absent...) }

// Compile checks the format against the input and returns its decoder.
// It reports every problem at once, each naming the column and field.
func (f Format) Compile(in schemas.Input) (*Decoder, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	d := &Decoder{in: in, header: f.Header, fields: f.FieldsPerRecord}

	if f.Match == "" {
		bad("match: required")
	} else if _, err := path.Match(f.Match, ""); err != nil {
		bad("match: %w", err)
	}
	var err error
	if d.delim, err = delimiter(f.Delimiter); err != nil {
		bad("delimiter: %w", err)
	}
	if f.FieldsPerRecord < 0 {
		bad("fields_per_record: must not be negative")
	}
	if len(f.Columns) == 0 {
		bad("columns: none configured")
	}

	by := make(map[string]string) // field → what fills it, for "mapped twice"
	byName := make(map[string]bool)
	byIndex := make(map[int]bool)
	for i, c := range f.Columns {
		col, problems := compileColumn(in, f, i, c)
		errs = append(errs, problems...)
		switch {
		case col.name != "" && byName[col.name]:
			bad("column %s: listed twice", col.label)
		case col.index >= 0 && byIndex[col.index]:
			bad("column %s: index %d listed twice", col.label, col.index)
		}
		if col.name != "" {
			byName[col.name] = true
		} else if col.index >= 0 {
			byIndex[col.index] = true
		}
		if c.Field != "" {
			if prev, ok := by[c.Field]; ok {
				bad("column %s: field %q already filled by %s", col.label, c.Field, prev)
			}
			by[c.Field] = "column " + col.label
		}
		d.cols = append(d.cols, col)
	}

	// Sorted: the same config gives the same messages.
	for _, name := range slices.Sorted(maps.Keys(f.Const)) {
		fi := fieldIndex(in, name)
		if fi < 0 {
			bad("const: field %q is not in input %s", name, in.Name)
			continue
		}
		if prev, ok := by[name]; ok {
			bad("const: field %q already filled by %s", name, prev)
			continue
		}
		by[name] = "const"
		v, detail := defaultConverter(in.Fields[fi].Kind)(strings.TrimSpace(f.Const[name]))
		switch {
		case strings.TrimSpace(f.Const[name]) == "":
			bad("const: field %q: empty value", name)
		case detail != "":
			bad("const: field %q: %s", name, detail)
		default:
			d.consts = append(d.consts, constant{field: fi, value: v})
		}
	}

	absent := make(map[string]bool)
	for _, name := range f.Absent {
		fi := fieldIndex(in, name)
		switch {
		case fi < 0:
			bad("absent: field %q is not in input %s", name, in.Name)
		case !in.Fields[fi].Required:
			bad("absent: field %q is not required; leave it unmapped instead", name)
		case by[name] != "":
			bad("absent: field %q is filled by %s", name, by[name])
		case absent[name]:
			bad("absent: field %q listed twice", name)
		}
		absent[name] = true
	}

	for i, fd := range in.Fields {
		if !fd.Required || by[fd.Name] == "const" {
			continue
		}
		d.required = append(d.required, i)
		switch {
		case absent[fd.Name]:
			d.absent = append(d.absent, fd.Name)
		case by[fd.Name] == "":
			bad("field %q is required by input %s but no column or const fills it (list it under absent if the ingest stage supplies it)", fd.Name, in.Name)
		}
	}

	if f.FieldsPerRecord > 0 {
		for _, c := range d.cols {
			if c.index >= f.FieldsPerRecord {
				bad("column %s: index %d beyond fields_per_record %d", c.label, c.index, f.FieldsPerRecord)
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("csvfeed: format %q for input %s: %w", f.Match, in.Name, errors.Join(errs...))
	}
	return d, nil
}

// compileColumn checks one column; it returns the column even when it has
// problems so that later checks (duplicates) still run.
func compileColumn(in schemas.Input, f Format, i int, c Column) (column, []error) {
	col := column{name: strings.TrimSpace(c.Name), index: -1, field: -1}
	col.cfgName = col.name
	var errs []error
	switch {
	case c.Index != nil:
		col.index = *c.Index
		col.label = fmt.Sprintf("#%d", col.index)
		if col.name != "" {
			col.label = fmt.Sprintf("%q (#%d)", col.name, col.index)
		}
		col.name = "" // an index overrides the header
	case col.name != "":
		col.label = fmt.Sprintf("%q", col.name)
	default:
		col.label = fmt.Sprintf("[%d]", i)
	}
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("column %s: "+format, append([]any{col.label}, args...)...))
	}
	switch {
	case c.Index != nil && *c.Index < 0:
		bad("index must not be negative")
	case c.Index == nil && col.name == "":
		bad("needs a name or an index")
	case c.Index == nil && !f.Header:
		bad("needs an index: the format has no header")
	case c.Optional && (c.Index != nil || !f.Header):
		bad("optional needs a name, no index, and header: true")
	}
	col.opt = c.Optional

	if c.Field == "" {
		if c.Time != "" || c.TZ != "" || c.Values != nil || c.Parse != "" || c.TimeAlt != nil || c.Other != "" || c.Offset != "" {
			bad("time, time_alt, tz, offset, values, other and parse need a field")
		}
		return col, errs
	}
	col.field = fieldIndex(in, c.Field)
	if col.field < 0 {
		bad("field %q is not in input %s", c.Field, in.Name)
		return col, errs
	}
	kind := in.Fields[col.field].Kind
	conv, err := newConverter(kind, c)
	if err != nil {
		bad("field %q: %w", c.Field, err)
	}
	col.conv = conv
	// Parsed kinds repeat (time-ordered logs, small amounts): worth
	// remembering the last conversion. Strings are returned as they are.
	col.memo = kind != schemas.String || c.Parse != ""
	if c.Other != "" {
		col.other = strings.TrimSpace(c.Other)
		if c.Values == nil {
			bad("field %q: other needs values", c.Field)
		} else if conv != nil {
			if _, detail := conv(col.other); detail != "" {
				bad("field %q: other is %s", c.Field, detail)
			}
		}
	}
	if c.Values != nil {
		if len(c.Values) == 0 {
			bad("field %q: values is empty", c.Field)
		}
		col.values = make(map[string]string, len(c.Values))
		for k, v := range c.Values {
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			col.values[k] = v
			// A mapped value must itself be valid, or every row carrying
			// it would be rejected.
			if conv != nil && v != "" {
				if _, detail := conv(v); detail != "" {
					bad("field %q: values: a target is %s", c.Field, detail)
				}
			}
		}
	}
	return col, errs
}

// delimiter reads the configured delimiter, checked as encoding/csv would.
func delimiter(s string) (rune, error) {
	switch s {
	case "":
		return ',', nil
	case "tab", `\t`:
		return '\t', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) {
		return 0, errors.New("must be one character")
	}
	if r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return 0, errors.New("must not be a quote, a line break or invalid UTF-8")
	}
	return r, nil
}

func fieldIndex(in schemas.Input, name string) int {
	for i, f := range in.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}
