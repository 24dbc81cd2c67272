package csvfeed

import (
	"bytes"
	"github.com/veil-data/veil/internal/realdata"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
)

// realData returns a file of the shared real-data folder, or skips the
// test: the folder is not part of the repository (licences differ).
func realData(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(realdata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// physicalLines counts lines, the last one with or without a newline.
func physicalLines(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// verdict is what becomes of a row: the decoder's rejection reason, the
// ingest stage's missing_field for a required field that neither has a
// value nor is declared absent, or accepted.
func verdict(d *Decoder, r Row) string {
	if r.Reject != nil {
		return r.Reject.Reason
	}
	for _, m := range r.Missing {
		if !slices.Contains(d.Absent(), m) {
			return "missing_field"
		}
	}
	return "accepted"
}

// realRun decodes a whole real file and checks that every data line came
// out as exactly one row, with strictly increasing lines.
type realRun struct {
	rows     []Row
	verdicts map[string]int
	dropped  map[string]int
}

func decodeReal(t *testing.T, d *Decoder, data []byte, headerLines int) realRun {
	t.Helper()
	fr, err := d.Open(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	run := realRun{verdicts: map[string]int{}, dropped: map[string]int{}}
	last := 0
	for {
		r, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Line <= last {
			t.Fatalf("line %d after line %d", r.Line, last)
		}
		last = r.Line
		run.verdicts[verdict(d, r)]++
		for _, name := range r.Dropped {
			run.dropped[name]++
		}
		run.rows = append(run.rows, r)
	}
	if want := physicalLines(data) - headerLines; len(run.rows) != want {
		t.Fatalf("%d rows out of %d data lines: rows were lost", len(run.rows), want)
	}
	total := 0
	for _, n := range run.verdicts {
		total += n
	}
	if total != len(run.rows) {
		t.Fatalf("verdicts %v do not add up to %d rows", run.verdicts, len(run.rows))
	}
	t.Logf("%d rows: %v; dropped %v", len(run.rows), run.verdicts, run.dropped)
	return run
}

func compileTestdata(t *testing.T, name string, in schemas.Input) *Decoder {
	t.Helper()
	d, err := fitAge(loadFormat(t, name), in).Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fitAge unmaps the age column while the events input has no age field:
// the testdata formats are written for the schema that has it.
func fitAge(f Format, in schemas.Input) Format {
	if _, ok := in.Field("age"); ok {
		return f
	}
	cols := slices.Clone(f.Columns)
	for i := range cols {
		if cols[i].Field == "age" {
			cols[i].Field = ""
		}
	}
	f.Columns = cols
	return f
}

// get returns a row's value of a field, "" when not present.
func get(in schemas.Input, r Row, field string) string {
	i := fieldIndex(in, field)
	if i < 0 || r.Values == nil || !r.Present[i] {
		return ""
	}
	return r.Values[i]
}

// TestRealTianchi reads Taobao behaviour rows: no header, unix seconds,
// pv/buy/cart/fav. Every type must map to veil's, and the instants must
// be those the raw seconds say, cross-checked by splitting lines by hand.
func TestRealTianchi(t *testing.T) {
	in := schemas.Events
	d := compileTestdata(t, "tianchi.yaml", in)
	for _, tc := range []struct {
		file       string
		from, to   time.Time
		first      map[string]string
		typeCounts map[string]int // of the raw behaviour_type column
	}{
		{
			file: "tianchi-userbehavior/UserBehavior_timeordered_head.csv",
			from: time.Date(2017, 11, 26, 1, 0, 0, 0, time.UTC),
			to:   time.Date(2017, 11, 26, 3, 10, 59, 0, time.UTC),
			first: map[string]string{"user_id": "543462", "item_id": "1715", "category": "1464116",
				"type": "view", "ts": "2017-11-26T01:00:00Z"},
			typeCounts: map[string]int{"pv": 98361, "cart": 6063, "fav": 3383, "buy": 2493},
		},
		{
			file: "tianchi-userbehavior/UserBehavior_hotitems_sample.csv",
			from: time.Date(2017, 11, 24, 0, 0, 0, 0, time.UTC), // a few rows precede the nominal 25 Nov
			to:   time.Date(2017, 12, 4, 0, 0, 0, 0, time.UTC),
			first: map[string]string{"user_id": "999477", "item_id": "2200475", "category": "3607361",
				"type": "view", "ts": "2017-11-28T06:01:34Z"},
		},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			data := realData(t, tc.file)
			run := decodeReal(t, d, data, 0)
			if run.verdicts["accepted"] != len(run.rows) {
				t.Errorf("verdicts %v: every row should be accepted", run.verdicts)
			}
			if len(run.dropped) != 0 {
				t.Errorf("dropped %v: every column is mapped", run.dropped)
			}
			for k, v := range tc.first {
				if got := get(in, run.rows[0], k); got != v {
					t.Errorf("first row %s = %q, want %q", k, got, v)
				}
			}
			want := map[string]string{"pv": "view", "buy": "purchase", "cart": "cart", "fav": "fav"}
			lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
			raw := map[string]int{}
			for i, r := range run.rows {
				c := strings.Split(strings.TrimSpace(lines[i]), ",")
				raw[c[3]]++
				typ := get(in, r, "type")
				if typ != want[c[3]] || !schemas.IsEventType(typ) {
					t.Fatalf("line %d: type %q from %q", r.Line, typ, c[3])
				}
				ts, err := time.Parse(time.RFC3339Nano, get(in, r, "ts"))
				if err != nil {
					t.Fatalf("line %d: %v", r.Line, err)
				}
				if ts.Unix() != mustInt(t, c[4]) || ts.Before(tc.from) || ts.After(tc.to) {
					t.Fatalf("line %d: ts %v from %s, want within %v..%v", r.Line, ts, c[4], tc.from, tc.to)
				}
				if get(in, r, "user_id") != c[0] || get(in, r, "category") != c[2] {
					t.Fatalf("line %d: user or category differ", r.Line)
				}
				if !slices.Equal(r.Missing, []string{"event_id"}) {
					t.Fatalf("line %d: missing %v, want [event_id]", r.Line, r.Missing)
				}
				for _, absent := range []string{"device_id", "ip", "merchant_id", "amount", "currency"} {
					if get(in, r, absent) != "" {
						t.Fatalf("line %d: %s invented", r.Line, absent)
					}
				}
			}
			if tc.typeCounts != nil && !maps.Equal(raw, tc.typeCounts) {
				t.Errorf("behaviour counts %v, want %v", raw, tc.typeCounts)
			}
		})
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRealFraudData reads the Excel re-save: BOM, CRLF, M/D/YYYY H:MM,
// IPs as floats, and a last row cut off after signup_time. That row has
// all its commas, so it is not bad_csv: it comes out without ts, and the
// ingest stage rejects it as missing_field.
func TestRealFraudData(t *testing.T) {
	in := schemas.Events
	d := compileTestdata(t, "fraud_data.yaml", in)
	_, mapsAge := in.Field("age")
	data := realData(t, "ecommerce-fraud/Fraud_Data_truncated_with_ip.csv")
	run := decodeReal(t, d, data, 1)

	want := map[string]int{"accepted": 30189, "missing_field": 1}
	if !maps.Equal(run.verdicts, want) {
		t.Errorf("verdicts %v, want %v", run.verdicts, want)
	}
	last := run.rows[len(run.rows)-1]
	if last.Line != 30191 || !slices.Equal(last.Missing, []string{"event_id", "ts"}) || get(in, last, "user_id") != "393385" {
		t.Errorf("truncated last row: line %d, missing %v", last.Line, last.Missing)
	}
	dropped := map[string]int{"age": 30189, "class": 30189}
	if mapsAge {
		delete(dropped, "age")
		if got := get(in, run.rows[0], "age"); got != "39" {
			t.Errorf("first row age %q", got)
		}
	}
	if !maps.Equal(run.dropped, dropped) {
		t.Errorf("dropped %v, want %v", run.dropped, dropped)
	}

	first := map[string]string{
		"user_id": "22058", "ts": "2015-04-18T02:47:00Z", "amount": "34", "device_id": "QVPSPJUOCKZAR",
		"ip": "43.173.1.96", "gender": "M", "type": "purchase", "currency": "USD",
		"signup_ts": "2015-02-24T22:55:00Z", "source": "SEO", "browser": "Chrome",
	}
	for k, v := range first {
		if got := get(in, run.rows[0], k); got != v {
			t.Errorf("first row %s = %q, want %q", k, got, v)
		}
	}
	if got := get(in, run.rows[2], "ip"); got != "156.64.132.28" { // 2621473820, written without a fraction
		t.Errorf("third row ip %q", got)
	}
	from, to := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range run.rows[:len(run.rows)-1] {
		ts, err := time.Parse(time.RFC3339, get(in, r, "ts"))
		if err != nil || ts.Before(from) || !ts.Before(to) {
			t.Fatalf("line %d: ts not in 2015", r.Line)
		}
		if g := get(in, r, "gender"); g != "M" && g != "F" {
			t.Fatalf("line %d: gender", r.Line)
		}
		if get(in, r, "ip") == "" || get(in, r, "amount") == "" || get(in, r, "device_id") == "" {
			t.Fatalf("line %d: ip, amount or device lost", r.Line)
		}
	}
}

// TestRealOnlineRetail: two-digit years in UK time, quoted descriptions
// with commas and doubled quotes, one row without a customer.
func TestRealOnlineRetail(t *testing.T) {
	in := schemas.Events
	d := compileTestdata(t, "online_retail.yaml", in)
	run := decodeReal(t, d, realData(t, "uci-online-retail/OnlineRetail_first999.csv"), 1)
	want := map[string]int{"accepted": 998, "missing_field": 1}
	if !maps.Equal(run.verdicts, want) {
		t.Errorf("verdicts %v, want %v", run.verdicts, want)
	}
	first := map[string]string{"item_id": "85123A", "ts": "2010-12-01T08:26:00Z", "amount": "2.55",
		"user_id": "17850", "country": "GB", "type": "purchase", "currency": "GBP"}
	for k, v := range first {
		if got := get(in, run.rows[0], k); got != v {
			t.Errorf("first row %s = %q, want %q", k, got, v)
		}
	}
	// Line 450 has neither description nor customer: nothing to drop.
	if run.dropped["Description"] != 998 || run.dropped["InvoiceNo"] != 999 || run.dropped["Quantity"] != 999 {
		t.Errorf("dropped %v", run.dropped)
	}
}

// TestRealFlinkLogs: headerless logs without a trailing newline, dotted
// IPs, and two feeds read into an input of the test's own to show the
// package is driven by the schema, not by events.
func TestRealFlinkLogs(t *testing.T) {
	t.Run("LoginLog", func(t *testing.T) {
		in := schemas.Events
		d := compileTestdata(t, "flink_login.yaml", in)
		run := decodeReal(t, d, realData(t, "flink-course-logs/LoginLog.csv"), 0)
		types := map[string]int{}
		for _, r := range run.rows {
			types[get(in, r, "type")]++
		}
		if !maps.Equal(types, map[string]int{"login": 41, "login_failed": 9}) {
			t.Errorf("types %v", types)
		}
		if got := get(in, run.rows[0], "ip"); got != "83.149.11.115" {
			t.Errorf("ip %q", got)
		}
	})

	orders := schemas.Input{Name: "orders", Fields: []schemas.Field{
		{Name: "order_id", Kind: schemas.String, Required: true},
		{Name: "status", Kind: schemas.String, Required: true},
		{Name: "tx_id", Kind: schemas.String},
		{Name: "channel", Kind: schemas.String},
		{Name: "ts", Kind: schemas.Timestamp, Required: true},
	}}
	t.Run("OrderLog", func(t *testing.T) {
		d, err := parseFormat(t, `
match: "OrderLog*.csv"
columns:
  - {index: 0, field: order_id}
  - {index: 1, field: status, values: {create: created, pay: paid}}
  - {index: 2, field: tx_id}
  - {index: 3, field: ts, time: unix}
`).Compile(orders)
		if err != nil {
			t.Fatal(err)
		}
		run := decodeReal(t, d, realData(t, "flink-course-logs/OrderLog.csv"), 0)
		withTx := 0
		for _, r := range run.rows {
			if get(orders, r, "tx_id") != "" {
				withTx++
				if get(orders, r, "status") != "paid" {
					t.Errorf("line %d: a transaction on an unpaid order", r.Line)
				}
			}
		}
		if run.verdicts["accepted"] != 78 || withTx != 39 {
			t.Errorf("verdicts %v, %d with a transaction", run.verdicts, withTx)
		}
	})
	t.Run("ReceiptLog", func(t *testing.T) {
		d, err := parseFormat(t, `
match: "ReceiptLog*.csv"
const: {order_id: unknown, status: paid}
columns:
  - {index: 0, field: tx_id}
  - {index: 1, field: channel, values: {wechat: wechat, alipay: alipay}}
  - {index: 2, field: ts, time: unix}
`).Compile(orders)
		if err != nil {
			t.Fatal(err)
		}
		run := decodeReal(t, d, realData(t, "flink-course-logs/ReceiptLog.csv"), 0)
		if run.verdicts["accepted"] != 40 {
			t.Errorf("verdicts %v", run.verdicts)
		}
	})
}
