package policy

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Tokens makes tokens; *anonymize.Worker is one.
type Tokens interface {
	Reversible(field, value string) string
	OneWay(field, value string) string
}

// Record is one validated landing record: its fields' values in their
// canonical text form, indexed like the feed's fields, and its event time.
type Record struct {
	Vals    []string
	Present []bool
	TS      time.Time
	feed    *Compiled
}

// NewRecord returns an empty record for c's feed.
func (c *Compiled) NewRecord() *Record {
	n := len(c.Feed.Fields)
	return &Record{Vals: make([]string, n), Present: make([]bool, n), feed: c}
}

// Reset empties r for the next record.
func (r *Record) Reset() {
	clear(r.Vals)
	clear(r.Present)
	r.TS = time.Time{}
}

// Value returns the named field's value, "" when absent or unknown.
func (r *Record) Value(field string) string {
	if i, ok := r.feed.index[field]; ok {
		return r.Vals[i]
	}
	return ""
}

// Row is one output row: for each dataset column, a string, an int64
// (timestamps, in the column's unit: milliseconds) or a float64, and
// whether it is set. Rows are slices of a larger block; see NewRows.
type Row struct {
	S     []string
	I     []int64
	F     []float64
	Valid []bool
}

// Clear empties r for reuse.
func (r Row) Clear() { clear(r.Valid) }

// Rows is a block of output rows sharing storage.
type Rows struct {
	n     int
	s     []string
	i     []int64
	f     []float64
	valid []bool
}

// NewRows returns storage for n rows of c's dataset.
func (c *Compiled) NewRows(n int) *Rows {
	k := len(c.columns)
	return &Rows{n: k, s: make([]string, n*k), i: make([]int64, n*k), f: make([]float64, n*k), valid: make([]bool, n*k)}
}

// String returns column col of row j and whether it is set.
func (rs *Rows) String(j, col int) (string, bool) {
	k := j*rs.n + col
	return rs.s[k], rs.valid[k]
}

// Int returns column col of row j (a timestamp or count) and whether it
// is set.
func (rs *Rows) Int(j, col int) (int64, bool) {
	k := j*rs.n + col
	return rs.i[k], rs.valid[k]
}

// Float returns column col of row j and whether it is set.
func (rs *Rows) Float(j, col int) (float64, bool) {
	k := j*rs.n + col
	return rs.f[k], rs.valid[k]
}

// Row returns row j.
func (rs *Rows) Row(j int) Row {
	a, b := j*rs.n, (j+1)*rs.n
	return Row{S: rs.s[a:b:b], I: rs.i[a:b:b], F: rs.f[a:b:b], Valid: rs.valid[a:b:b]}
}

// ApplyError says which field's value a rule could not transform; it never
// carries the value.
type ApplyError struct {
	Field string
	Err   error
}

func (e *ApplyError) Error() string { return fmt.Sprintf("field %s: %v", e.Field, e.Err) }
func (e *ApplyError) Unwrap() error { return e.Err }

// Apply writes rec's transformed fields into out, which must be empty. It
// fails only when a generalisation rejects a value (an impossible birth
// date): the caller quarantines the record.
func (c *Compiled) Apply(tok Tokens, rec *Record, out Row) error {
	for i := range c.fields {
		if !rec.Present[i] {
			continue
		}
		v := rec.Vals[i]
		for _, o := range c.fields[i].ops {
			if out.Valid[o.col] {
				continue // an earlier field filled it (same method)
			}
			switch o.action {
			case Keep:
				if err := c.keep(i, o.col, v, rec, out); err != nil {
					return &ApplyError{Field: c.fields[i].name, Err: err}
				}
				continue
			case TokenizeReversible:
				out.S[o.col] = tok.Reversible(o.domain, v)
			case TokenizeOneWay:
				out.S[o.col] = tok.OneWay(o.domain, v)
			case Generalize:
				if o.m.external {
					continue
				}
				var err error
				if o.m.ts != nil {
					out.I[o.col], err = o.m.ts(v, rec)
				} else {
					out.S[o.col], err = o.m.str(v, rec)
					if err == nil && out.S[o.col] == "" {
						continue // nothing known (an unrouted IP): null
					}
				}
				if err != nil {
					return &ApplyError{Field: c.fields[i].name, Err: err}
				}
			}
			out.Valid[o.col] = true
		}
	}
	return nil
}

func (c *Compiled) keep(i, col int, v string, rec *Record, out Row) error {
	switch c.columns[col].typ {
	case arrow.TIMESTAMP:
		if i == c.tsField && !rec.TS.IsZero() {
			out.I[col] = rec.TS.UnixMilli() // parsed once, by the stage
			break
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fmt.Errorf("not an RFC 3339 time")
		}
		out.I[col] = t.UnixMilli()
	case arrow.FLOAT64:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		out.F[col] = f
	default:
		out.S[col] = v
	}
	out.Valid[col] = true
	return nil
}
