package csvfeed

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/schemas"
)

func ptr(i int) *int { return &i }

// loadFormat reads a testdata format strictly, as the policy loader does:
// an unknown key is an error, not a silently ignored option.
func loadFormat(t testing.TB, name string) Format {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseFormat(t, string(b))
}

func parseFormat(t testing.TB, text string) Format {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(text)))
	dec.KnownFields(true)
	var f Format
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return f
}

func TestTestdataFormatsCompile(t *testing.T) {
	for _, name := range []string{"tianchi.yaml", "fraud_data.yaml", "online_retail.yaml", "flink_login.yaml"} {
		t.Run(name, func(t *testing.T) {
			d, err := fitAge(loadFormat(t, name), schemas.Events).Compile(schemas.Events)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Absent(); len(got) != 1 || got[0] != "event_id" {
				t.Errorf("absent %v, want [event_id]", got)
			}
		})
	}
}

// events is a small input with every kind, for option tests.
var testInput = schemas.Input{Name: "t", Fields: []schemas.Field{
	{Name: "id", Kind: schemas.String, Required: true},
	{Name: "ts", Kind: schemas.Timestamp, Required: true},
	{Name: "day", Kind: schemas.Date},
	{Name: "amount", Kind: schemas.Number},
	{Name: "ip", Kind: schemas.String},
	{Name: "kind", Kind: schemas.String},
}}

func TestCompileErrors(t *testing.T) {
	ok := func() Format {
		return Format{Match: "*.csv", Header: true, Columns: []Column{
			{Name: "id", Field: "id"}, {Name: "ts", Field: "ts"},
		}}
	}
	tests := []struct {
		name string
		edit func(*Format)
		want []string // substrings of the error
	}{
		{"valid", func(*Format) {}, nil},
		{"no match", func(f *Format) { f.Match = "" }, []string{"match: required"}},
		{"bad match", func(f *Format) { f.Match = "[" }, []string{"match:", "syntax error"}},
		{"long delimiter", func(f *Format) { f.Delimiter = ";;" }, []string{"delimiter: must be one character"}},
		{"quote delimiter", func(f *Format) { f.Delimiter = `"` }, []string{"delimiter: must not be a quote"}},
		{"negative fields", func(f *Format) { f.FieldsPerRecord = -1 }, []string{"fields_per_record"}},
		{"no columns", func(f *Format) { f.Columns = nil }, []string{"columns: none", `field "id" is required`, `field "ts" is required`}},
		{"unknown field", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "x", Field: "nope"}) },
			[]string{`column "x": field "nope" is not in input t`}},
		{"mapped twice", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "id2", Field: "id"}) },
			[]string{`column "id2": field "id" already filled by column "id"`}},
		{"column twice", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "id"}) },
			[]string{`column "id": listed twice`}},
		{"index twice", func(f *Format) {
			f.Columns = append(f.Columns, Column{Index: ptr(3), Field: "day"}, Column{Index: ptr(3), Field: "amount"})
		}, []string{"column #3: index 3 listed twice"}},
		{"no name or index", func(f *Format) { f.Columns = append(f.Columns, Column{Field: "day"}) },
			[]string{"column [2]: needs a name or an index"}},
		{"negative index", func(f *Format) { f.Columns = append(f.Columns, Column{Index: ptr(-1), Field: "day"}) },
			[]string{"index must not be negative"}},
		{"name without header", func(f *Format) { f.Header = false }, []string{`column "id": needs an index`}},
		{"index beyond fields", func(f *Format) {
			f.FieldsPerRecord = 2
			f.Columns = append(f.Columns, Column{Index: ptr(2), Field: "day"})
		}, []string{"column #2: index 2 beyond fields_per_record 2"}},
		{"time on string", func(f *Format) { f.Columns[0].Time = "unix" },
			[]string{`column "id": field "id": time is set but the field is a string`}},
		{"tz on number", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "a", Field: "amount", TZ: "UTC"}) },
			[]string{`column "a": field "amount": tz is set`}},
		{"bad layout", func(f *Format) { f.Columns[1].Time = "15:04" },
			[]string{`column "ts": field "ts": time: layout "15:04" needs a year`}},
		{"tz on rfc3339", func(f *Format) { f.Columns[1].TZ = "Asia/Shanghai" },
			[]string{`column "ts": field "ts": tz has no effect with time rfc3339`}},
		{"tz on unix", func(f *Format) { f.Columns[1].Time, f.Columns[1].TZ = "unix", "Asia/Shanghai" },
			[]string{"tz has no effect with time unix"}},
		{"unknown tz", func(f *Format) { f.Columns[1].Time, f.Columns[1].TZ = "2006-01-02 15:04", "Mars/Olympus" },
			[]string{`column "ts": field "ts": tz:`}},
		{"local tz", func(f *Format) { f.Columns[1].Time, f.Columns[1].TZ = "2006-01-02 15:04", "Local" },
			[]string{"tz Local depends on the host"}},
		{"unknown parse", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "ip", Field: "ip", Parse: "hex"}) },
			[]string{`column "ip": field "ip": unknown parse "hex"`}},
		{"ipv4 on number", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "a", Field: "amount", Parse: "ipv4_int"}) },
			[]string{"parse ipv4_int needs a string field, not a number"}},
		{"decimal on string", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "ip", Field: "ip", Parse: "decimal"}) },
			[]string{"parse decimal needs a number field, not a string"}},
		{"parse on time", func(f *Format) { f.Columns[1].Parse = "decimal" },
			[]string{"parse is set but the field is a timestamp"}},
		{"options on unmapped", func(f *Format) { f.Columns = append(f.Columns, Column{Name: "x", Time: "unix"}) },
			[]string{`column "x": time, time_alt, tz, offset, values, other and parse need a field`}},
		{"empty values", func(f *Format) {
			f.Columns = append(f.Columns, Column{Name: "k", Field: "kind", Values: map[string]string{}})
		}, []string{`field "kind": values is empty`}},
		{"bad value target", func(f *Format) {
			f.Columns = append(f.Columns, Column{Name: "a", Field: "amount", Values: map[string]string{"x": "lots"}})
		}, []string{`column "a": field "amount": values: a target is not a finite decimal number`}},
		{"const unknown", func(f *Format) { f.Const = map[string]string{"nope": "1"} },
			[]string{`const: field "nope" is not in input t`}},
		{"const twice", func(f *Format) { f.Const = map[string]string{"id": "1"} },
			[]string{`const: field "id" already filled by column "id"`}},
		{"const bad number", func(f *Format) { f.Const = map[string]string{"amount": "many"} },
			[]string{`const: field "amount": not a finite decimal number`}},
		{"const empty", func(f *Format) { f.Const = map[string]string{"kind": " "} },
			[]string{`const: field "kind": empty value`}},
		{"const fills required", func(f *Format) { f.Columns = f.Columns[1:]; f.Const = map[string]string{"id": "x"} }, nil},
		{"required unmapped", func(f *Format) { f.Columns = f.Columns[1:] },
			[]string{`field "id" is required by input t but no column or const fills it`}},
		{"absent required", func(f *Format) { f.Columns = f.Columns[1:]; f.Absent = []string{"id"} }, nil},
		{"absent unknown", func(f *Format) { f.Absent = []string{"nope"} }, []string{`absent: field "nope" is not in input t`}},
		{"absent optional", func(f *Format) { f.Absent = []string{"kind"} }, []string{`absent: field "kind" is not required`}},
		{"absent but mapped", func(f *Format) { f.Absent = []string{"id"} }, []string{`absent: field "id" is filled by column "id"`}},
		{"every problem at once", func(f *Format) {
			f.Match = ""
			f.Columns = append(f.Columns, Column{Name: "x", Field: "nope"}, Column{Name: "y", Field: "ts"})
		}, []string{"match: required", `field "nope"`, `column "y": field "ts" already filled`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok()
			tt.edit(&f)
			d, err := f.Compile(testInput)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if d == nil {
					t.Fatal("nil decoder")
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestMatches(t *testing.T) {
	f := Format{Match: "fraud_*.csv"}
	for name, want := range map[string]bool{
		"landing/events/dt=2015-04-18/fraud_01.csv": true,
		"fraud_.csv":    true,
		"fraud.csv":     false,
		"x/fraud_1.tsv": false,
	} {
		if got := f.Matches(name); got != want {
			t.Errorf("Matches(%q) = %v, want %v", name, got, want)
		}
	}
	if (Format{Match: "["}).Matches("[") {
		t.Error("a bad pattern matched")
	}
}

func TestDelimiter(t *testing.T) {
	for in, want := range map[string]rune{"": ',', ";": ';', "tab": '\t', `\t`: '\t', "\t": '\t', "|": '|', "，": '，'} {
		got, err := delimiter(in)
		if err != nil || got != want {
			t.Errorf("delimiter(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"\n", "\r", `"`, ",,", "\xff"} {
		if _, err := delimiter(in); err == nil {
			t.Errorf("delimiter(%q) accepted", in)
		}
	}
}
