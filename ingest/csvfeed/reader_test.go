package csvfeed

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/veil-data/veil/schemas"
)

// decodeAll reads every row of data.
func decodeAll(t testing.TB, d *Decoder, data string) []Row {
	t.Helper()
	fr, err := d.Open(strings.NewReader(data))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	var rows []Row
	for {
		row, err := fr.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		rows = append(rows, row)
	}
}

// describe writes a row compactly: "line reason field" for a rejection,
// "line k=v ... [missing=..] [dropped=..]" otherwise.
func describe(in schemas.Input, r Row) string {
	if r.Reject != nil {
		return strings.TrimSpace(fmt.Sprintf("%d %s %s", r.Line, r.Reject.Reason, r.Reject.Field))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d", r.Line)
	for i, f := range in.Fields {
		if r.Present[i] {
			fmt.Fprintf(&b, " %s=%s", f.Name, r.Values[i])
		} else if r.Values[i] != "" {
			fmt.Fprintf(&b, " %s=!stale", f.Name)
		}
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(&b, " missing=%s", strings.Join(r.Missing, ","))
	}
	if len(r.Dropped) > 0 {
		fmt.Fprintf(&b, " dropped=%s", strings.Join(r.Dropped, ","))
	}
	return b.String()
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		format string // YAML
		data   string
		want   []string
	}{
		{
			name: "header, BOM, CRLF, dropped and trimmed",
			format: `
match: "*.csv"
header: true
columns:
  - {name: id, field: id}
  - {name: when, field: ts, time: "1/2/2006 15:04"}
  - {name: amount, field: amount}
`,
			data: "\ufeffid,when,amount,note\r\n a1 ,4/18/2015 2:47,34,x\r\nb2,4/18/2015 14:08,,\r\n",
			want: []string{
				"2 id=a1 ts=2015-04-18T02:47:00Z amount=34 dropped=note",
				"3 id=b2 ts=2015-04-18T14:08:00Z",
			},
		},
		{
			name: "no header, indexes, values mapping, const",
			format: `
match: "*.csv"
columns:
  - {index: 0, field: id}
  - {index: 3, field: kind, values: {pv: view, buy: purchase, "-": ""}}
  - {index: 4, field: ts, time: unix}
const: {amount: "1.50"}
`,
			data: "1,x,y,pv,1511658000\n2,x,y,buy,1511658001\n3,x,y,zap,1511658002\n4,x,y,-,1511658003\n",
			want: []string{
				"1 id=1 ts=2017-11-26T01:00:00Z amount=1.5 kind=view dropped=#1,#2",
				"2 id=2 ts=2017-11-26T01:00:01Z amount=1.5 kind=purchase dropped=#1,#2",
				"3 invalid_value kind",
				"4 id=4 ts=2017-11-26T01:00:03Z amount=1.5 dropped=#1,#2",
			},
		},
		{
			name: "quoted fields: commas, newlines, doubled quotes; lines count from the record start",
			format: `
match: "*.csv"
header: true
columns:
  - {name: id, field: id}
  - {name: ts, field: ts}
  - {name: kind, field: kind}
`,
			data: "id,ts,kind\n" +
				`"a,1",2017-11-26T01:00:00Z,"RECORD FRAME 7"" SINGLE"` + "\n" +
				`b,2017-11-26T01:00:00Z,"two` + "\r\n" + `lines"` + "\n" +
				"c,2017-11-26T01:00:00Z,plain\n",
			want: []string{
				`2 id=a,1 ts=2017-11-26T01:00:00Z kind=RECORD FRAME 7" SINGLE`,
				"3 id=b ts=2017-11-26T01:00:00Z kind=two\nlines",
				"5 id=c ts=2017-11-26T01:00:00Z kind=plain",
			},
		},
		{
			name: "malformed rows are rejected and reading goes on",
			format: `
match: "*.csv"
header: true
columns:
  - {name: id, field: id}
  - {name: ts, field: ts}
`,
			data: "id,ts\n" +
				`a"b,2017-11-26T01:00:00Z` + "\n" + // bare quote
				`"a"b,2017-11-26T01:00:00Z` + "\n" + // text after a closing quote
				"c\n" + // too few fields
				"d,2017-11-26T01:00:00Z,extra\n" + // too many
				"\n" + // blank lines are not records
				"e,2017-11-26T01:00:00Z\n" +
				`"f,2017-11-26T01:00:00Z` + "\n", // quote never closed
			want: []string{
				"2 bad_csv",
				"3 bad_csv",
				"4 bad_csv",
				"5 bad_csv",
				"7 id=e ts=2017-11-26T01:00:00Z",
				"8 bad_csv",
			},
		},
		{
			name: "empty cells are not present; required ones are reported missing",
			format: `
match: "*.csv"
header: true
columns:
  - {name: id, field: id}
  - {name: ts, field: ts}
  - {name: ip, field: ip}
`,
			data: "id,ts,ip\n,2017-11-26T01:00:00Z,\n  ,  ,  \n",
			want: []string{
				"2 ts=2017-11-26T01:00:00Z missing=id",
				"3 missing=id,ts",
			},
		},
		{
			name: "absent fields are always missing",
			format: `
match: "*.csv"
header: true
absent: [id]
columns:
  - {name: ts, field: ts}
`,
			data: "ts\n2017-11-26T01:00:00Z\n",
			want: []string{"2 ts=2017-11-26T01:00:00Z missing=id"},
		},
		{
			name: "invalid values name their field",
			format: `
match: "*.csv"
header: true
columns:
  - {name: id, field: id}
  - {name: ts, field: ts, time: "1/2/2006 15:04"}
  - {name: day, field: day}
  - {name: amount, field: amount, parse: decimal}
  - {name: ip, field: ip, parse: ipv4_int}
`,
			data: "id,ts,day,amount,ip\n" +
				`a,4/18/2015 2:47,1990-02-28,"1,234.5",732758368.8` + "\n" +
				"b,18/4/2015 2:47,,,\n" +
				"c,4/18/2015 2:47,1990-02-30,,\n" +
				"d,4/18/2015 2:47,,NaN,\n" +
				"e,4/18/2015 2:47,,,4294967296\n" +
				"f,4/18/2015 2:47,,,\n" +
				"\xff,4/18/2015 2:47,,,\n",
			want: []string{
				"2 id=a ts=2015-04-18T02:47:00Z day=1990-02-28 amount=1234.5 ip=43.173.1.96",
				"3 invalid_value ts",
				"4 invalid_value day",
				"5 invalid_value amount",
				"6 invalid_value ip",
				"7 id=f ts=2015-04-18T02:47:00Z",
				"8 invalid_value id",
			},
		},
		{
			name: "semicolons, an index overriding the header, a named dropped column",
			format: `
match: "*.csv"
header: true
delimiter: ";"
columns:
  - {name: id, field: id}
  - {index: 1, name: time, field: ts, time: unix_ms}
  - {name: secret}
`,
			data: "id;ts;ts;secret\nx;1511658000123;junk;s\n",
			want: []string{"2 id=x ts=2017-11-26T01:00:00.123Z dropped=ts,secret"},
		},
		{
			name: "tabs, dropped only when the cell has a value",
			format: `
match: "*.tsv"
header: true
delimiter: tab
columns:
  - {name: id, field: id}
  - {name: ts, field: ts, time: unix}
`,
			data: "id\tts\ta\tb\nx\t1\t\t2\ny\t1\t3\t\nz\t1\t\t\n",
			want: []string{
				"2 id=x ts=1970-01-01T00:00:01Z dropped=b",
				"3 id=y ts=1970-01-01T00:00:01Z dropped=a",
				"4 id=z ts=1970-01-01T00:00:01Z",
			},
		},
		{
			name: "a header that only indexes use does not name dropped columns",
			format: `
match: "*.csv"
header: true
columns:
  - {index: 0, field: id}
  - {index: 1, field: ts, time: unix}
`,
			data: "9031,1511658000,QVPSPJUOCKZAR\n1,1,x\n",
			want: []string{"2 id=1 ts=1970-01-01T00:00:01Z dropped=#2"},
		},
		{
			name: "fields_per_record without a header",
			format: `
match: "*.csv"
fields_per_record: 3
columns:
  - {index: 0, field: id}
  - {index: 1, field: ts, time: unix}
`,
			data: "a,1,x,y\nb,1,x\n",
			want: []string{"1 bad_csv", "2 id=b ts=1970-01-01T00:00:01Z dropped=#2"},
		},
		{
			name: "without a header the first record long enough fixes the count",
			format: `
match: "*.csv"
columns:
  - {index: 0, field: id}
  - {index: 2, field: ts, time: unix}
`,
			data: "a,1\nb,x,1\nc,x,1,extra\nd,,2\n",
			want: []string{
				"1 bad_csv",
				"2 id=b ts=1970-01-01T00:00:01Z dropped=#1",
				"3 bad_csv",
				"4 id=d ts=1970-01-01T00:00:02Z",
			},
		},
		{
			name: "a header and nothing else",
			format: `
match: "*.csv"
header: true
columns: [{name: id, field: id}, {name: ts, field: ts}]
`,
			data: "id,ts\r\n",
		},
		{
			name: "an empty file",
			format: `
match: "*.csv"
header: true
columns: [{name: id, field: id}, {name: ts, field: ts}]
`,
			data: "",
		},
		{
			name: "a BOM without a header",
			format: `
match: "*.csv"
columns: [{index: 0, field: id}, {index: 1, field: ts, time: unix}]
`,
			data: "\ufeffa,1\n",
			want: []string{"1 id=a ts=1970-01-01T00:00:01Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseFormat(t, tt.format).Compile(testInput)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range decodeAll(t, d, tt.data) {
				got = append(got, describe(testInput, r))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	format := `
match: "*.csv"
header: true
fields_per_record: 3
columns:
  - {name: id, field: id}
  - {name: ts, field: ts}
  - {index: 5, field: amount}
`
	d, err := parseFormat(t, format).Compile(testInput)
	if err == nil {
		t.Fatal("index beyond fields_per_record accepted")
	}
	d, err = parseFormat(t, strings.Replace(format, "fields_per_record: 3", "", 1)).Compile(testInput)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data string
		want       []string
	}{
		{"missing and duplicate names, short header", "SECRET-1,ts,ts\n", []string{
			`column "id" is not in the header`, `column "ts" appears more than once`, "header has 3 fields, the column indexes need 6",
		}},
		{"unreadable header", "id,\"SECRET-1\"x,ts\n", []string{"header on line 1", "extraneous or missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Open(strings.NewReader(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the file: %q", err)
			}
		})
	}

	d, err = parseFormat(t, `
match: "*.csv"
header: true
fields_per_record: 3
columns: [{name: id, field: id}, {name: ts, field: ts}]
`).Compile(testInput)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(strings.NewReader("id,ts\n")); err == nil || !strings.Contains(err.Error(), "header has 2 fields, fields_per_record is 3") {
		t.Errorf("header length: %v", err)
	}
}

// TestReadErrorIsSticky: an I/O error ends the file; it is not a row.
func TestReadErrorIsSticky(t *testing.T) {
	d, err := Format{Match: "*", Columns: []Column{{Index: ptr(0), Field: "id"}, {Index: ptr(1), Field: "ts", Time: "unix"}}}.Compile(testInput)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk gone")
	r := io.MultiReader(strings.NewReader("a,1\n"), iotest.ErrReader(boom))
	fr, err := d.Open(r)
	if err != nil {
		t.Fatal(err)
	}
	row, err := fr.Next()
	if err != nil || row.Reject != nil {
		t.Fatalf("first row: %+v, %v", row, err)
	}
	for range 2 {
		if _, err := fr.Next(); !errors.Is(err, boom) {
			t.Fatalf("got %v, want %v", err, boom)
		}
	}

	// Failing before any field of the first record is read.
	fr, err = d.Open(iotest.ErrReader(boom))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fr.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}
	// And in the middle of a quoted field.
	fr, err = d.Open(io.MultiReader(strings.NewReader("a,1\n\"b"), iotest.ErrReader(boom)))
	if err != nil {
		t.Fatal(err)
	}
	fr.Next()
	if _, err := fr.Next(); !errors.Is(err, boom) || !strings.Contains(err.Error(), "after line 1") {
		t.Fatalf("got %v, want %v after line 1", err, boom)
	}
}

// TestRowsOwnTheirValues: rows share allocation blocks but not values,
// across more rows than one block holds, and a rejected row does not leak
// its partial values into the next.
func TestRowsOwnTheirValues(t *testing.T) {
	d, err := Format{Match: "*", Columns: []Column{
		{Index: ptr(0), Field: "id"}, {Index: ptr(1), Field: "amount"}, {Index: ptr(2), Field: "ts", Time: "unix"},
	}}.Compile(testInput)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	const n = 3*slabRows + 7
	for i := range n {
		if i%5 == 0 {
			fmt.Fprintf(&b, "r%d,%d,bad\n", i, i) // amount filled, then ts rejected
		} else {
			fmt.Fprintf(&b, "r%d,,%d\n", i, i)
		}
	}
	rows := decodeAll(t, d, b.String())
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for i, r := range rows {
		if i%5 == 0 {
			if r.Reject == nil || r.Reject.Field != "ts" {
				t.Fatalf("row %d: %+v", i, r)
			}
			continue
		}
		if r.Values[0] != fmt.Sprintf("r%d", i) || r.Present[3] || r.Values[3] != "" {
			t.Fatalf("row %d: %q %v", i, r.Values, r.Present)
		}
		if cap(r.Values) != len(testInput.Fields) {
			t.Fatalf("row %d: values can grow into the next row", i)
		}
	}
}

func TestRejectionString(t *testing.T) {
	r := &Rejection{Reason: ReasonInvalidValue, Field: "ts", Column: `"purchase_time"`, Detail: `not a time in format "1/2/2006 15:04"`}
	want := `invalid_value: column "purchase_time": field ts: not a time in format "1/2/2006 15:04"`
	if r.String() != want {
		t.Errorf("got %s\nwant %s", r, want)
	}
}

// TestRowPrintsNoValues: a row printed or logged by mistake shows its
// shape, never its values.
func TestRowPrintsNoValues(t *testing.T) {
	d, err := Format{Match: "*", Columns: []Column{{Index: ptr(0), Field: "id"}, {Index: ptr(1), Field: "ts", Time: "unix"}}}.Compile(testInput)
	if err != nil {
		t.Fatal(err)
	}
	rows := decodeAll(t, d, "Zq9CANARY,1,extra\n")
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("row", "row", rows[0])
	for _, s := range []string{fmt.Sprint(rows[0]), fmt.Sprintf("%+v", rows[0]), fmt.Sprintf("%#v", rows[0]), log.String()} {
		if strings.Contains(s, "Zq9CANARY") || !strings.Contains(s, "line 1: 2 values") {
			t.Errorf("printed row: %s", s)
		}
	}
}
