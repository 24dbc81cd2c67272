package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

var day = time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)

// env is a temporary landing zone, warehouse and keyset.
type env struct {
	t       testing.TB
	landing string
	wh      *sinks.Warehouse
	mem     *memory.CheckedAllocator
	set     *keys.Set
	day     time.Time    // the partition the tests land and run
	log     *slog.Logger // nil: discarded
}

func newEnv(t testing.TB) *env {
	t.Helper()
	root := t.TempDir()
	kek, err := keys.InitKEK(filepath.Join(root, "keys", "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Init(context.Background(), filepath.Join(root, "keys"), kek); err != nil {
		t.Fatal(err)
	}
	set, err := keys.Open(context.Background(), filepath.Join(root, "keys"), kek)
	if err != nil {
		t.Fatal(err)
	}
	return newEnvKeys(t, set)
}

// newEnvKeys is newEnv with a keyset made before.
func newEnvKeys(t testing.TB, set *keys.Set) *env {
	t.Helper()
	root := t.TempDir()
	wh, err := sinks.Open(filepath.Join(root, "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return &env{t: t, landing: filepath.Join(root, "landing"), wh: wh, mem: mem, set: set, day: day}
}

// land writes files (name -> content; .gz names are compressed) and the
// _SUCCESS marker into a landing partition.
func (e *env) land(feed string, files map[string]string) {
	e.t.Helper()
	dir := pipeline.LandingDir(e.landing, feed, e.day.Format(time.DateOnly))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	for name, content := range files {
		b := []byte(content)
		if strings.HasSuffix(name, ".gz") {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, schemas.SuccessMarker), nil, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) run(st pipeline.Stage) error {
	e.t.Helper()
	job := &pipeline.Job{
		Env: &pipeline.Env{
			Landing: e.landing, Warehouse: e.wh, Mem: e.mem, Log: e.logger(),
			Keys: func(context.Context) (*keys.Set, error) { return e.set, nil },
		},
		Stage: st.Name(), Date: e.day, RunID: pipeline.NewRunID(time.Now()),
	}
	return st.Run(context.Background(), job)
}

func (e *env) logger() *slog.Logger {
	if e.log != nil {
		return e.log
	}
	return slog.New(slog.DiscardHandler)
}

// rows scans a partition into string maps (nulls omitted).
func (e *env) rows(ds schemas.Dataset, p sinks.Partition) []map[string]string {
	e.t.Helper()
	var out []map[string]string
	err := e.wh.Scan(context.Background(), e.mem, ds, p, func(rec arrow.RecordBatch) error {
		for i := 0; i < int(rec.NumRows()); i++ {
			row := map[string]string{}
			for c, f := range rec.Schema().Fields() {
				col := rec.Column(c)
				if col.IsNull(i) {
					continue
				}
				row[f.Name] = col.ValueStr(i)
			}
			out = append(out, row)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) stats(ds schemas.Dataset, p sinks.Partition) pipeline.Stats {
	e.t.Helper()
	m, err := e.wh.Manifest(ds, p)
	if err != nil {
		e.t.Fatal(err)
	}
	var s pipeline.Stats
	if err := jsonUnmarshal(m.Stats, &s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

const good = `{"event_id":"e1","ts":"2026-11-19T08:00:00.000Z","type":"purchase","user_id":"u00000001","device_id":"dev-aaaaaaaaaaaa","ip":"203.0.113.7","merchant_id":"m0001","item_id":"i1","category":"beauty","amount":12.5,"currency":"CNY","coupon_id":"c1","payment_card":"4111 1111 1111 1111","birth_date":"1990-04-12","gender":"F","shipping_address":"浙江省杭州市西湖区文三路123号","country":"CN","phone":"+86 138 1234 5678","email":"Jane.Doe@Example.com","user_agent":"Mozilla/5.0"}`

func TestEventsValidationAndAccounting(t *testing.T) {
	e := newEnv(t)
	lines := []string{
		good,
		good, // replay: duplicate
		`{"event_id":"e2","ts":"2026-11-19T08:00:01Z","type":"login","user_id":"u00000002","device_id":"dev-b","ip":"2001:db8:1234:5678::1"}`,
		`{"event_id":"e3","ts":"2026-11-19T08:00:01Z","type":"login","user_id":"u00000002","device_id":"dev-b","ip":"2001:db8::1"`, // truncated
		`{"event_id":"e4","ts":"yesterday","type":"login","user_id":"u2","device_id":"d","ip":"10.0.0.1"}`,
		`{"event_id":"e5","ts":"2026-11-18T23:59:59Z","type":"login","user_id":"u2","device_id":"d","ip":"10.0.0.1"}`,
		`{"event_id":"e6","ts":"2026-11-19T01:00:00Z","type":"teleport","user_id":"u2","device_id":"d","ip":"10.0.0.1"}`,
		`{"event_id":"e7","ts":"2026-11-19T01:00:00Z","type":"payment","user_id":"u2","device_id":"d","ip":"10.0.0.1"}`,
		`{"event_id":"e8","ts":"2026-11-19T01:00:00Z","type":"refund","user_id":"u2","device_id":"d","ip":"10.0.0.1","amount":-3,"currency":"CNY"}`,
		`{"event_id":"e9","ts":"2026-11-19T01:00:00Z","type":"login","device_id":"d","ip":"10.0.0.1"}`,
		`{"event_id":"e10","ts":"2026-11-19T01:00:00Z","type":"login","user_id":"u2","device_id":"d","ip":"999.1.1.1"}`,
		`{"event_id":"e11","ts":"2026-11-19T01:00:00Z","type":"login","user_id":["u2"],"device_id":"d","ip":"10.0.0.1"}`,
		`{"event_id":"e12","ts":"2026-11-19T01:00:00Z","type":"register","user_id":"u3","device_id":"d","ip":"10.0.0.1","email":"not-an-email"}`,
		`[1,2,3]`,
		`{"event_id":"e13","ts":"2026-11-19T01:00:00Z","type":"login","user_id":"u2","device_id":"d","ip":"10.0.0.1"} trailing`,
	}
	e.land("events", map[string]string{"part-00000.jsonl": strings.Join(lines, "\n") + "\n", "part-00001.jsonl.gz": good + "\n"})
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: "2026-11-19"}
	out := e.rows(schemas.EventsClean, p)
	if len(out) != 2 {
		t.Fatalf("events_clean has %d rows, want 2", len(out))
	}
	r := out[0]
	want := map[string]string{"event_id": "e1", "type": "purchase", "ip_prefix": "203.0.113.0/24", "age_band": "35-44",
		"region": "CN-ZJ", "country": "CN", "gender": "F", "category": "beauty", "currency": "CNY", "amount": "12.5"}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s = %q, want %q", k, r[k], v)
		}
	}
	for _, k := range []string{"user_token", "device_token", "ip_token", "card_token", "phone_token", "email_token"} {
		if r[k] == "" {
			t.Errorf("%s missing", k)
		}
	}
	if out[1]["ip_prefix"] != "2001:db8:1234::/48" {
		t.Errorf("ipv6 prefix = %q", out[1]["ip_prefix"])
	}

	q := e.rows(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"})
	got := map[string]string{}
	for _, row := range q {
		got[row["line"]] = row["reason"] + "/" + row["field"]
	}
	wantQ := map[string]string{
		"4": "bad_json/", "5": "invalid_value/ts", "6": "ts_outside_partition/ts", "7": "unknown_event_type/type",
		"8": "missing_field/amount", "9": "invalid_value/amount", "10": "missing_field/user_id", "11": "invalid_value/ip",
		"12": "wrong_type/user_id", "13": "invalid_value/email", "14": "bad_json/", "15": "bad_json/",
	}
	for line, w := range wantQ {
		if got[line] != w {
			t.Errorf("line %s quarantined as %q, want %q", line, got[line], w)
		}
	}
	if len(q) != len(wantQ) {
		t.Errorf("%d quarantined, want %d", len(q), len(wantQ))
	}
	st := e.stats(schemas.EventsClean, p)
	if st.RecordsIn != 16 || st.RecordsOut != 2 || st.Duplicates != 2 || !st.Balanced() {
		t.Errorf("stats in=%d out=%d dup=%d q=%d", st.RecordsIn, st.RecordsOut, st.Duplicates, st.QuarantinedTotal())
	}
	if st.DroppedFields["user_agent"] != 3 { // counted as read, duplicates included
		t.Errorf("dropped fields %v", st.DroppedFields)
	}
	if len(st.Inputs) != 2 || st.Inputs[0].SHA256 == "" || st.Inputs[1].Records != 1 {
		t.Errorf("inputs %+v", st.Inputs)
	}

	// No raw value survives, in any column of any output.
	raw, err := RawValues(context.Background(), e.landing, day, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"u00000001", "4111111111111111", "+8613812345678", "jane.doe@example.com", "203.0.113.7"} {
		if _, ok := raw[v]; !ok {
			t.Errorf("RawValues lacks %q", v)
		}
	}
	for _, rows := range [][]map[string]string{out, q} {
		for _, row := range rows {
			for col, v := range row {
				for rv := range raw {
					if strings.Contains(v, rv) {
						t.Errorf("column %s holds a raw value", col)
					}
				}
			}
		}
	}
}

func TestEventsRerunSameBytes(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		b.WriteString(strings.Replace(good, `"e1"`, `"e`+strings.Repeat("x", i%7)+itoa(i)+`"`, 1))
		b.WriteByte('\n')
	}
	e.land("events", map[string]string{"part-00000.jsonl.gz": b.String()})
	p := sinks.Partition{DT: "2026-11-19"}
	var sums []string
	for i := 0; i < 2; i++ {
		if err := e.run(Events{}); err != nil {
			t.Fatal(err)
		}
		m, err := e.wh.Manifest(schemas.EventsClean, p)
		if err != nil {
			t.Fatal(err)
		}
		if m.Rows != 5000 {
			t.Fatalf("rows = %d", m.Rows)
		}
		sums = append(sums, m.Fingerprint())
	}
	if sums[0] != sums[1] {
		t.Fatal("re-run wrote different files")
	}
}

func TestChatsDesensitised(t *testing.T) {
	e := newEnv(t)
	msgs := []string{
		`{"conversation_id":"c1","message_id":"m1","ts":"2026-11-19T09:00:00Z","merchant_id":"m0001","user_id":"u00000001","sender":"buyer","text":"我的手机号是13812345678，邮箱 jane.doe@gmail.com"}`,
		`{"conversation_id":"c1","message_id":"m2","ts":"2026-11-19T09:00:05Z","merchant_id":"m0001","user_id":"u00000001","sender":"seller","text":"好的"}`,
		`{"conversation_id":"c1","message_id":"m3","ts":"2026-11-19T09:00:09Z","merchant_id":"m0001","user_id":"u00000001","sender":"buyer","text":"again 13812345678, card 4111 1111 1111 1111"}`,
		`{"conversation_id":"c1","message_id":"m3","ts":"2026-11-19T09:00:09Z","merchant_id":"m0001","user_id":"u00000001","sender":"buyer","text":"replayed"}`,
		`{"conversation_id":"c1","message_id":"m4","ts":"2026-11-19T09:00:09Z","merchant_id":"m0001","user_id":"u00000001","sender":"cat","text":"meow"}`,
	}
	e.land("chats", map[string]string{"part-00000.jsonl": strings.Join(msgs, "\n")})
	if err := e.run(Chats{}); err != nil {
		t.Fatal(err)
	}
	out := e.rows(schemas.ChatsClean, sinks.Partition{DT: "2026-11-19"})
	if len(out) != 3 {
		t.Fatalf("%d rows, want 3", len(out))
	}
	for _, r := range out {
		for _, raw := range []string{"13812345678", "jane.doe@gmail.com", "4111", "u00000001"} {
			if strings.Contains(r["text"], raw) || strings.Contains(r["user_token"], raw) {
				t.Errorf("raw value in %q", r["text"])
			}
		}
	}
	first, third := out[0]["text"], out[2]["text"]
	ph := "<PHONE_1>"
	if !strings.Contains(first, ph) || !strings.Contains(third, ph) || !strings.Contains(third, "<BANK_CARD_1>") {
		t.Errorf("placeholders not consistent: %q / %q", first, third)
	}
	st := e.stats(schemas.ChatsClean, sinks.Partition{DT: "2026-11-19"})
	if st.PII["PHONE"] != 2 || st.PII["EMAIL"] != 1 || st.Duplicates != 1 || st.Quarantined["invalid_value"] != 1 || !st.Balanced() {
		t.Errorf("stats %+v", st)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// FuzzParseEvent: whatever the line, parse returns a row or a rejection
// with a known reason, and never panics.
func FuzzParseEvent(f *testing.F) {
	f.Add(good)
	f.Add(`{"event_id":"e","ts":"2026-11-19T00:00:00Z"`)
	f.Add(`{"amount":"x"}`)
	f.Add(`{"a":{"b":[1,{"c":null}]},"event_id":"\u0000"}`)
	reasons := map[string]bool{"bad_json": true, "wrong_type": true, "missing_field": true, "invalid_value": true,
		"ts_outside_partition": true, "unknown_event_type": true, "non_finite": true}
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		f.Fatal(err)
	}
	e := newParser(pol, nil, day)
	f.Fuzz(func(t *testing.T, line string) {
		e.rec.Reset()
		if rej := e.decode(line); rej != nil {
			if !reasons[rej.reason] {
				t.Fatalf("unknown reason %q", rej.reason)
			}
			return
		}
	})
}

// TestOtherKeysChangeEveryToken: the same landing data under a second,
// independent key set gives the same rows except that every token of
// every identifier differs, and nothing else does.
func TestOtherKeysChangeEveryToken(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 200; i++ {
		line := strings.Replace(good, `"e1"`, `"e`+itoa(i)+`"`, 1)
		line = strings.Replace(line, `"u00000001"`, `"u`+itoa(1000+i%37)+`"`, 1)
		b.WriteString(line + "\n")
	}
	run := func() []map[string]string {
		e := newEnv(t) // fresh keys each time
		e.land("events", map[string]string{"part-00000.jsonl": b.String()})
		if err := e.run(Events{}); err != nil {
			t.Fatal(err)
		}
		return e.rows(schemas.EventsClean, sinks.Partition{DT: "2026-11-19"})
	}
	a, c := run(), run()
	if len(a) != 200 || len(a) != len(c) {
		t.Fatalf("rows %d and %d", len(a), len(c))
	}
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		t.Fatal(err)
	}
	classes := pol.Classes()
	tokens := 0
	for i := range a {
		for col, v := range a[i] {
			if classes[col] == "token" {
				tokens++
				if c[i][col] == v {
					t.Fatalf("row %d: %s unchanged under other keys", i, col)
				}
			} else if c[i][col] != v {
				t.Fatalf("row %d: %s changed with the keys", i, col)
			}
		}
	}
	if tokens < 200*6 {
		t.Fatalf("only %d token cells compared", tokens)
	}
}
