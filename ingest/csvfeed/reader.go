package csvfeed

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode"
)

// Rejection reasons. A row's missing required fields are not rejected
// here: the ingest stage checks them (Row.Missing) with its own reason.
const (
	// ReasonBadCSV: the record cannot be split into the expected fields
	// (quoting error, wrong number of fields, truncated row).
	ReasonBadCSV = "bad_csv"
	// ReasonInvalidValue: a mapped cell does not parse as its field's kind,
	// or a values mapping does not list it.
	ReasonInvalidValue = "invalid_value"
)

// Rejection says why a row cannot be used. It never holds a cell's value.
type Rejection struct {
	Reason string // ReasonBadCSV or ReasonInvalidValue
	Field  string // the input field, when one is at fault
	Column string // the configured column, when one is at fault
	Detail string // fixed text: what was expected
}

func (r *Rejection) String() string {
	var b strings.Builder
	b.WriteString(r.Reason)
	if r.Column != "" {
		b.WriteString(": column ")
		b.WriteString(r.Column)
	}
	if r.Field != "" {
		b.WriteString(": field ")
		b.WriteString(r.Field)
	}
	if r.Detail != "" {
		b.WriteString(": ")
		b.WriteString(r.Detail)
	}
	return b.String()
}

// Row is what one CSV record became: either values (Reject nil) or a
// rejection. The slices belong to the caller but Missing and Dropped may
// be shared between rows: do not modify them.
type Row struct {
	// Line is the file line where the record starts (1-based, header
	// included), for quarantine and messages.
	Line int
	// Values and Present are indexed like the input's Fields. Values hold
	// canonical text; a field without a value (empty cell, unmapped) has
	// Present false. Both are nil when the row is rejected.
	Values  []string
	Present []bool
	// Missing lists the input's required fields without a value, in schema
	// order, including those the format declares absent. Nil when rejected.
	Missing []string
	// Dropped names the unmapped columns that held a value in this record,
	// for the dropped-field counts. Nil for bad_csv rows.
	Dropped []string
	Reject  *Rejection
}

// String describes the row without its values, so that printing a row by
// mistake cannot leak one.
func (r Row) String() string {
	if r.Reject != nil {
		return fmt.Sprintf("line %d: rejected: %s", r.Line, r.Reject)
	}
	n := 0
	for _, p := range r.Present {
		if p {
			n++
		}
	}
	return fmt.Sprintf("line %d: %d values, missing %v, dropped %v", r.Line, n, r.Missing, r.Dropped)
}

// GoString is String, for %#v.
func (r Row) GoString() string { return r.String() }

// LogValue keeps values out of structured logs as well.
func (r Row) LogValue() slog.Value { return slog.StringValue(r.String()) }

// utf8BOM is what spreadsheets put in front of "CSV UTF-8" files.
const utf8BOM = "\ufeff"

// FileReader reads the rows of one file. It is not safe for concurrent use.
type FileReader struct {
	d       *Decoder
	r       *csv.Reader
	want    int   // fields per record; 0 until the first record fixes it
	minLen  int   // fields the configured indexes need
	pos     []int // position of each of d.cols
	dropPos []int // unmapped positions and their names
	dropLbl []string
	err     error // sticky: io.EOF or a read error
	line    int   // where the last record started

	// Values and Present of rows are cut from these, to allocate once
	// per block of rows rather than per row.
	vals []string
	pres []bool
	slab int // rows in the current block

	memo []memo // by column: the last successful conversion
}

type memo struct{ in, out string }

const slabRows = 256

// Open starts reading a file: it strips a UTF-8 BOM and, with a header,
// reads the header and finds the configured columns in it. An error here
// concerns the whole file (a configured name missing from the header, an
// unreadable header); it names columns, never values.
func (d *Decoder) Open(r io.Reader) (*FileReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && string(b) == utf8BOM {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.Comma = d.delim
	cr.FieldsPerRecord = -1 // checked here, to reject rather than fail
	cr.ReuseRecord = true
	fr := &FileReader{d: d, r: cr, want: d.fields, pos: make([]int, len(d.cols)), memo: make([]memo, len(d.cols))}
	for i, c := range d.cols {
		fr.pos[i] = c.index
		fr.minLen = max(fr.minLen, c.index+1)
	}
	if !d.header {
		if fr.want > 0 {
			fr.setDropped(nil, false)
		}
		return fr, nil
	}

	head, err := cr.Read()
	switch {
	case err == io.EOF:
		fr.err = io.EOF // an empty file has no rows to lose
		return fr, nil
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("csvfeed: header on line %d: %w", pe.StartLine, pe.Err)
		}
		return nil, fmt.Errorf("csvfeed: reading the header: %w", err)
	}
	fr.line, _ = cr.FieldPos(0)
	names := make(map[string]int, len(head))
	for i, h := range head {
		h = strings.TrimSpace(h)
		if _, dup := names[h]; dup {
			names[h] = -1
		} else {
			names[h] = i
		}
	}
	var errs []error
	byName := false
	for i, c := range d.cols {
		if c.name == "" {
			continue
		}
		p, ok := names[c.name]
		switch {
		case !ok && c.opt:
			fr.pos[i] = -1 // every row leaves the field without a value
		case !ok:
			errs = append(errs, fmt.Errorf("column %s is not in the header", c.label))
		case p < 0:
			errs = append(errs, fmt.Errorf("column %s appears more than once in the header", c.label))
		default:
			fr.pos[i] = p
			byName = true
		}
	}
	switch {
	case fr.want > 0 && len(head) != fr.want:
		errs = append(errs, fmt.Errorf("header has %d fields, fields_per_record is %d", len(head), fr.want))
	case fr.minLen > len(head):
		errs = append(errs, fmt.Errorf("header has %d fields, the column indexes need %d", len(head), fr.minLen))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("csvfeed: header on line 1: %w", errors.Join(errs...))
	}
	fr.want = len(head)
	fr.setDropped(head, byName)
	return fr, nil
}

// setDropped names the positions no column maps. Header names are used
// only when the header proved itself by holding a configured name: a data
// row taken for a header would otherwise put values into dropped-field
// counts.
func (fr *FileReader) setDropped(head []string, trusted bool) {
	mapped := make([]bool, fr.want)
	for i, c := range fr.d.cols {
		if p := fr.pos[i]; c.field >= 0 && p >= 0 && p < fr.want {
			mapped[p] = true
		}
	}
	for p := range fr.want {
		if mapped[p] {
			continue
		}
		label := ""
		for i, c := range fr.d.cols {
			if fr.pos[i] == p && c.cfgName != "" {
				label = c.cfgName
			}
		}
		if label == "" && trusted && headerName(head[p]) {
			label = strings.TrimSpace(head[p])
		}
		if label == "" {
			label = fmt.Sprintf("#%d", p)
		}
		fr.dropPos = append(fr.dropPos, p)
		fr.dropLbl = append(fr.dropLbl, label)
	}
}

// headerName reports whether a header cell looks like a column name.
func headerName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Dropped returns the names of the file's unmapped columns. Before the
// first row of a file without a header it is empty.
func (fr *FileReader) Dropped() []string { return append([]string(nil), fr.dropLbl...) }

// Next returns the next row, or io.EOF after the last. A malformed record
// comes back as a rejected Row and reading goes on; an error is returned
// only when the file cannot be read further, and it stays.
func (fr *FileReader) Next() (Row, error) {
	if fr.err != nil {
		return Row{}, fr.err
	}
	rec, err := fr.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			fr.line = pe.StartLine
			return Row{Line: pe.StartLine, Reject: &Rejection{Reason: ReasonBadCSV, Detail: csvDetail(pe.Err)}}, nil
		}
		if err == io.EOF {
			fr.err = io.EOF
		} else {
			// Not FieldPos: it panics when the failed read has no field.
			fr.err = fmt.Errorf("csvfeed: reading after line %d: %w", fr.line, err)
		}
		return Row{}, fr.err
	}
	fr.line, _ = fr.r.FieldPos(0)
	row := Row{Line: fr.line}
	if fr.want == 0 {
		// No header and no fields_per_record: the first record long
		// enough for the configured indexes fixes the count.
		if len(rec) < fr.minLen {
			row.Reject = &Rejection{Reason: ReasonBadCSV, Detail: fmt.Sprintf("%d fields, the column indexes need %d", len(rec), fr.minLen)}
			return row, nil
		}
		fr.want = len(rec)
		fr.setDropped(nil, false)
	}
	if len(rec) != fr.want {
		row.Reject = &Rejection{Reason: ReasonBadCSV, Detail: fmt.Sprintf("%d fields, want %d", len(rec), fr.want)}
		return row, nil
	}
	row.Dropped = fr.dropped(rec)

	d := fr.d
	n := len(d.in.Fields)
	if len(fr.vals) < n {
		// Blocks grow so that a small file does not pay for a big one.
		fr.slab = min(max(2*fr.slab, 16), slabRows)
		fr.vals = make([]string, n*fr.slab)
		fr.pres = make([]bool, n*fr.slab)
	}
	vals, pres := fr.vals[:n:n], fr.pres[:n:n]
	for i, c := range d.cols {
		if c.field < 0 || fr.pos[i] < 0 {
			continue
		}
		s := strings.TrimSpace(rec[fr.pos[i]])
		if s == "" {
			continue
		}
		if c.values != nil {
			mapped, ok := c.values[s]
			switch {
			case !ok && c.other != "":
				mapped = c.other
			case !ok:
				return fr.reject(row, vals, pres, c, detailUnmapped), nil
			}
			if mapped == "" {
				continue
			}
			s = mapped
		}
		var v string
		if m := &fr.memo[i]; c.memo && m.in == s {
			v = m.out
		} else {
			var detail string
			if v, detail = c.conv(s); detail != "" {
				return fr.reject(row, vals, pres, c, detail), nil
			}
			if c.memo {
				m.in, m.out = s, v
			}
		}
		vals[c.field], pres[c.field] = v, true
	}
	for _, k := range d.consts {
		vals[k.field], pres[k.field] = k.value, true
	}
	fr.vals, fr.pres = fr.vals[n:], fr.pres[n:]
	row.Values, row.Present = vals, pres
	row.Missing = fr.missing(pres)
	return row, nil
}

// reject rejects a row for column c. The row's slab space is cleared and
// left for the next row, which must not see these partial values.
func (fr *FileReader) reject(row Row, vals []string, pres []bool, c column, detail string) Row {
	clear(vals)
	clear(pres)
	row.Reject = &Rejection{Reason: ReasonInvalidValue, Field: fr.d.in.Fields[c.field].Name, Column: c.label, Detail: detail}
	return row
}

// dropped lists the unmapped columns with a value, sharing the full list
// in the common case of all of them.
func (fr *FileReader) dropped(rec []string) []string {
	all := true
	for _, p := range fr.dropPos {
		if strings.TrimSpace(rec[p]) == "" {
			all = false
			break
		}
	}
	if all {
		return fr.dropLbl
	}
	var out []string
	for i, p := range fr.dropPos {
		if strings.TrimSpace(rec[p]) != "" {
			out = append(out, fr.dropLbl[i])
		}
	}
	return out
}

// missing lists required fields without a value, sharing the declared
// absent list when nothing else is missing.
func (fr *FileReader) missing(pres []bool) []string {
	d := fr.d
	n := 0
	for _, i := range d.required {
		if !pres[i] {
			n++
		}
	}
	if n == len(d.absent) {
		if n == 0 {
			return nil
		}
		return d.absent
	}
	out := make([]string, 0, n)
	for _, i := range d.required {
		if !pres[i] {
			out = append(out, d.in.Fields[i].Name)
		}
	}
	return out
}

// csvDetail describes an encoding/csv parse error in fixed words.
func csvDetail(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "bare quote in an unquoted field"
	case errors.Is(err, csv.ErrQuote):
		return "extraneous or missing quote in a quoted field"
	case errors.Is(err, csv.ErrFieldCount):
		return "wrong number of fields"
	}
	return "unreadable record"
}
