package csvfeed

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/veil-data/veil/schemas"
)

// fuzzFormats cover every option: header names, indexes, layouts and
// zones, unix, excel serials, dates, decimals, IPs, value mappings, const,
// another delimiter, alternative layouts, other and optional columns.
var fuzzFormats = []string{`
match: "*.csv"
header: true
absent: [id]
columns:
  - {name: when, field: ts, time: "1/2/2006 15:04", tz: America/New_York}
  - {name: amount, field: amount, parse: decimal}
  - {name: ip, field: ip, parse: ipv4_int}
  - {name: kind, field: kind, values: {pv: view, buy: purchase, "-": ""}}
  - {name: skip}
`, `
match: "*.csv"
columns:
  - {index: 0, field: id}
  - {index: 1, field: ts, time: unix_ms}
  - {index: 2, field: day, time: excel_serial}
  - {index: 3, field: amount}
const: {kind: fixed}
`, `
match: "*.csv"
delimiter: ";"
fields_per_record: 4
columns:
  - {index: 0, field: id}
  - {index: 1, field: ts}
  - {index: 2, field: day}
  - {index: 3, field: ip}
`, `
match: "*.csv"
header: true
columns:
  - {index: 0, field: id}
  - {index: 1, field: ts, time: unix}
`, `
match: "*.csv"
header: true
absent: [id]
columns:
  - {name: when, field: ts, time: "1/2/2006 15:04", time_alt: ["1/2/06 15:04"]}
  - {name: kind, field: kind, values: {pv: view, buy: purchase}, other: other}
  - {name: ip, field: ip, parse: ipv4_int, optional: true}
`}

// messageWords are the words errors and rejections are made of, besides
// the configuration's names and numbers. A word outside them in a message
// would have come from the input.
var messageWords = func() map[string]bool {
	words := map[string]bool{}
	for _, s := range []string{
		detailNotUTF8, detailNotNumber, detailNotIPv4, detailIPRange, detailTimeRange, detailUnmapped,
		csvDetail(nil), "bare quote in an unquoted field", "extraneous or missing quote in a quoted field",
		"wrong number of fields", "fields, want", "fields, the column indexes need", "not a time in format",
		ReasonBadCSV, ReasonInvalidValue, "column field", TimeRFC3339, time.DateOnly,
		// Open and read errors, and encoding/csv's own error texts.
		"csvfeed: header on line", "is not in the header", "appears more than once in the header",
		"header has fields, fields_per_record is", "reading the header", "reading after line",
		`bare " in non-quoted-field`, `extraneous or missing " in quoted-field`,
	} {
		for _, w := range splitWords(s) {
			words[w] = true
		}
	}
	return words
}()

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' })
}

// checkMessage fails if a message holds a word that is neither message
// vocabulary nor configuration.
func checkMessage(t *testing.T, config, msg string) {
	t.Helper()
	for _, w := range splitWords(msg) {
		if !messageWords[w] && !strings.Contains(config, w) {
			t.Fatalf("message %q has the word %q, not from the configuration", msg, w)
		}
	}
}

func FuzzDecode(f *testing.F) {
	seeds := []string{
		"when,amount,ip,kind,skip\r\n4/18/2015 2:47,\"1,234.5\",732758368.8,pv,x\r\n",
		"\ufeffwhen,amount,ip,kind,skip\n3/8/2015 2:30,12,2621473820,buy,\n,,,-,\n",
		"a,1511658000123,42112.5,3.5\nb,x,1e9,NaN\n\"c\n\",1,61,1\n",
		"a;2017-11-26T01:00:00Z;1990-02-28;::1\nb;2017-11-26;x;1.2.3.4\n",
		"id,ts\n\"unterminated,1\n",
		"x\"y,1\n,\n,,,,,,,\n",
		"",
		"\ufeff",
		"when,when\n",
		"when,kind\n1/2/15 10:00,zz\n12/31/1999 23:59,pv\n2/30/15 1:00,buy\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	decoders := make([]*Decoder, len(fuzzFormats))
	for i, text := range fuzzFormats {
		d, err := parseFormat(f, text).Compile(testInput)
		if err != nil {
			f.Fatal(err)
		}
		decoders[i] = d
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		i := int(which) % len(decoders)
		d, config := decoders[i], fuzzFormats[i]
		fr, err := d.Open(bytes.NewReader(data))
		if err != nil {
			checkMessage(t, config, err.Error())
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		last, rows := 0, 0
		for {
			r, err := fr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("a bytes.Reader does not fail: %v", err)
			}
			rows++
			if rows > lines || r.Line <= last {
				t.Fatalf("row %d on line %d after line %d, %d lines", rows, r.Line, last, lines)
			}
			last = r.Line
			if r.Reject != nil {
				if r.Values != nil || r.Present != nil || (r.Reject.Reason != ReasonBadCSV && r.Reject.Reason != ReasonInvalidValue) {
					t.Fatalf("bad rejection %+v", r)
				}
				checkMessage(t, config, r.Reject.String())
				continue
			}
			checkCanonical(t, r)
		}
	})
}

// checkCanonical checks that present values are in their kind's canonical
// form: re-parsing and re-formatting gives the same text.
func checkCanonical(t *testing.T, r Row) {
	t.Helper()
	for i, f := range testInput.Fields {
		if !r.Present[i] {
			if r.Values[i] != "" {
				t.Fatalf("field %s: value without presence", f.Name)
			}
			continue
		}
		v := r.Values[i]
		var again string
		switch f.Kind {
		case schemas.Timestamp:
			ts, err := time.Parse(time.RFC3339Nano, v)
			if err == nil && ts.Location() == time.UTC {
				again = ts.Format(time.RFC3339Nano)
			}
		case schemas.Date:
			if day, err := time.Parse(time.DateOnly, v); err == nil {
				again = day.Format(time.DateOnly)
			}
		case schemas.Number:
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				again = strconv.FormatFloat(n, 'f', -1, 64)
			}
		default:
			again = strings.TrimSpace(v)
		}
		if again != v || v == "" {
			t.Fatalf("field %s: value not canonical", f.Name)
		}
	}
}

// TestMessagesNeverQuoteValues feeds a value that would be obvious in any
// message into every kind of failure.
func TestMessagesNeverQuoteValues(t *testing.T) {
	const canary = "Zq9CANARY"
	inputs := []struct{ format, data string }{
		{fuzzFormats[0], "when,amount,ip,kind,skip\n" +
			canary + ",1,1,pv,\n" + // bad time
			"4/18/2015 2:47," + canary + ",1,pv,\n" + // bad number
			"4/18/2015 2:47,1," + canary + ",pv,\n" + // bad ip
			"4/18/2015 2:47,1,1," + canary + ",\n" + // unmapped value
			canary + "\"x,1,1,pv,\n" + // bare quote
			canary + ",1\n" + // short
			"\"" + canary + "\"x,1,1,pv,\n"}, // text after a quote
		{fuzzFormats[1], "a," + canary + "," + canary + "," + canary + "\n"},
		{fuzzFormats[0], canary + ",amount,ip,kind,skip\n"},   // header without a configured name
		{fuzzFormats[0], "\"" + canary + "\"x,amount\n"},      // unreadable header
		{fuzzFormats[3], canary + "," + canary + ",x\n1,1\n"}, // header short for the indexes
	}
	for _, in := range inputs {
		d, err := parseFormat(t, in.format).Compile(testInput)
		if err != nil {
			t.Fatal(err)
		}
		fr, err := d.Open(strings.NewReader(in.data))
		if err != nil {
			if strings.Contains(err.Error(), canary) {
				t.Errorf("open error quotes the input: %q", err)
			}
			continue
		}
		for {
			r, err := fr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Reject == nil {
				t.Errorf("line %d accepted", r.Line)
				continue
			}
			if s := r.Reject.String(); strings.Contains(s, canary) {
				t.Errorf("rejection quotes the input: %q", s)
			}
		}
	}
}
