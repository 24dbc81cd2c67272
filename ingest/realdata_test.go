package ingest

import (
	"bufio"
	"context"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/internal/realdata"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// headLines returns the first n lines of a file.
func headLines(t *testing.T, path string, n int) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for i := 0; i < n && sc.Scan(); i++ {
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	return b.String()
}

// noRawValues fails if a raw PII value of the landing day appears as a
// whole value in a column the policy does not keep. (Kept columns such as
// item_id share a numeric space with Taobao user ids, so equal values
// there are coincidences; the residual scan tells them apart.)
func noRawValues(t *testing.T, e *env, p sinks.Partition) int {
	t.Helper()
	raw, err := RawValues(context.Background(), e.landing, e.day, nil)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		t.Fatal(err)
	}
	classes := pol.Classes()
	for _, r := range e.rows(schemas.EventsClean, p) {
		for col, v := range r {
			if _, leak := raw[v]; leak && classes[col] != policy.ClassKept {
				t.Fatalf("raw value in column %s", col)
			}
		}
	}
	return len(raw)
}

// TestTianchiBehaviour ingests real Taobao behaviour rows as landed (CSV,
// no header, unix times) through the default policy's format: no code
// knows the file. The feed has no devices, IPs, merchants or amounts: they
// must come out absent, not invented, and every row accounted for.
func TestTianchiBehaviour(t *testing.T) {
	src := realdata.Path(t, "tianchi-userbehavior/UserBehavior_timeordered_head.csv")
	const n = 20000
	e := newEnv(t)
	e.day = time.Date(2017, 11, 26, 0, 0, 0, 0, time.UTC)
	e.land("events", map[string]string{"UserBehavior_head.csv": headLines(t, src, n)})
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	st := e.stats(schemas.EventsClean, p)
	if st.RecordsIn != n || !st.Balanced() || st.QuarantinedTotal() != 0 {
		t.Fatalf("in %d of %d, quarantined %v, duplicates %d, balanced %v", st.RecordsIn, n, st.Quarantined, st.Duplicates, st.Balanced())
	}
	rows := e.rows(schemas.EventsClean, p)
	types := map[string]int{}
	for _, r := range rows {
		for _, absent := range []string{"device_token", "ip_token", "ip_prefix", "merchant_id", "amount"} {
			if _, ok := r[absent]; ok {
				t.Fatalf("%s invented for a feed without it", absent)
			}
		}
		if !strings.HasPrefix(r["event_id"], "o_") {
			t.Fatalf("derived event id %q is not a one-way token", r["event_id"])
		}
		types[r["type"]]++
	}
	if types["view"] == 0 || types["purchase"] == 0 || types["cart"] == 0 || types["fav"] == 0 {
		t.Errorf("types %v: pv/buy/cart/fav not all mapped", types)
	}
	checked := noRawValues(t, e, p)
	t.Logf("ingested %d real Taobao events (%d duplicates), %d raw values checked: %v", len(rows), st.Duplicates, checked, types)
}

// TestFraudData lands the real Fraud_Data file as Excel left it (BOM,
// M/D/YYYY H:MM times, IPs as float integers, a cut-off last row) as a
// historical batch of events and of labels. Each day's run writes the
// rows Place puts on it and counts the rest as other_partition; labels
// land 30 days after their purchase and join events on user_token. Only a
// few days run (all 349 take about 45 s of ingest); `veil backfill` does them all.
func TestFraudData(t *testing.T) {
	src := realdata.Path(t, "ecommerce-fraud/Fraud_Data_truncated_with_ip.csv")
	body, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dataRows := int64(strings.Count(strings.TrimRight(string(body), "\r\n"), "\n")) // lines minus the header
	e := newEnv(t)
	files := map[string]string{"Fraud_Data_2015.csv": string(body)}
	e.landBatch("events", e.day, files)
	e.landBatch("labels", e.day, files)
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		t.Fatal(err)
	}
	days, err := pol.FormatFor("Fraud_Data_2015.csv").Days(strings.NewReader(string(body)), e.day)
	if err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(days))
	busiest := keys[0]
	for _, d := range keys {
		if d != e.day.Format(time.DateOnly) && days[d] > days[busiest] {
			busiest = d
		}
	}
	arrival := e.day
	var written int64
	for _, d := range []string{keys[0], busiest, keys[len(keys)-2], arrival.Format(time.DateOnly)} {
		e.day, _ = time.Parse(time.DateOnly, d)
		if err := e.run(Events{}); err != nil {
			t.Fatal(err)
		}
		p := sinks.Partition{DT: d}
		st := e.stats(schemas.EventsClean, p)
		if st.RecordsIn != dataRows || !st.Balanced() || st.RecordsOut+st.QuarantinedTotal() != days[d] {
			t.Fatalf("%s: in %d of %d rows, out %d, quarantined %v, other_partition %d; %d placed on it",
				d, st.RecordsIn, dataRows, st.RecordsOut, st.Quarantined, st.OtherPartition, days[d])
		}
		written += st.RecordsOut
		for _, r := range e.rows(schemas.EventsClean, p) {
			for _, want := range []string{"user_token", "device_token", "ip_token", "ip_prefix", "amount", "age_band", "gender", "signup_ts", "source", "browser"} {
				if _, ok := r[want]; !ok {
					t.Fatalf("row lacks %s: %v", want, r)
				}
			}
		}
		noRawValues(t, e, p)
		if d == arrival.Format(time.DateOnly) && (st.QuarantinedTotal() != 1 || st.DroppedFields["class"] != 0) {
			t.Errorf("arrival day: quarantined %v (want the cut-off last row)", st.Quarantined)
		}
		if d == busiest && st.DroppedFields["class"] != days[d] {
			t.Errorf("%s: class dropped %d times, want %d", d, st.DroppedFields["class"], days[d])
		}
	}

	// The labels of the busiest purchase day are known exactly 30 days
	// (720h) later, so all on one day, and each names a user of that day.
	bd, _ := time.Parse(time.DateOnly, busiest)
	e.day = bd.AddDate(0, 0, 30)
	if err := e.run(Labels{}); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]bool{}
	for _, r := range e.rows(schemas.EventsClean, sinks.Partition{DT: busiest}) {
		tokens[r["user_token"]] = true
	}
	lp := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	st := e.stats(schemas.LabelsClean, lp)
	if st.RecordsIn != dataRows || !st.Balanced() || st.RecordsOut != days[busiest] {
		t.Fatalf("labels %s: in %d, out %d (want %d), other_partition %d", lp.DT, st.RecordsIn, st.RecordsOut, days[busiest], st.OtherPartition)
	}
	var fraud int
	for _, r := range e.rows(schemas.LabelsClean, lp) {
		if !tokens[r["user_token"]] {
			t.Fatalf("a label of %s names no user of the purchase day %s", lp.DT, busiest)
		}
		if r["label"] == schemas.LabelFraud {
			fraud++
		}
	}
	t.Logf("Fraud_Data: %d rows over %d purchase days and the arrival day; %d written on the 4 days run; labels of %s: %d of %d fraud, all joining events_clean of %s on user_token",
		dataRows, len(keys)-1, written, lp.DT, fraud, st.RecordsOut, busiest)
}
