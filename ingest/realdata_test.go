package ingest

import (
	"bufio"
	"context"
	"github.com/veil-data/veil/internal/realdata"
	"os"
	"strings"
	"testing"
	"time"

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

// TestFraudData ingests the real Fraud_Data file as Excel left it (BOM,
// M/D/YYYY H:MM times, IPs as float integers, a cut-off last row). Every
// row is written or quarantined with a reason; none is lost.
func TestFraudData(t *testing.T) {
	src := realdata.Path(t, "ecommerce-fraud/Fraud_Data_truncated_with_ip.csv")
	body, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dataRows := int64(strings.Count(strings.TrimRight(string(body), "\r\n"), "\n")) // lines minus the header
	e := newEnv(t)
	e.land("events", map[string]string{"Fraud_Data_2015.csv": string(body)})
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	st := e.stats(schemas.EventsClean, p)
	if st.RecordsIn != dataRows || !st.Balanced() {
		t.Fatalf("in %d of %d rows, out %d, quarantined %v, balanced %v", st.RecordsIn, dataRows, st.RecordsOut, st.Quarantined, st.Balanced())
	}
	if st.QuarantinedTotal() == 0 {
		t.Error("the cut-off last row was not quarantined")
	}
	// signup_time, source and browser are kept (signup_ts and two labels);
	// only the fraud label has no field.
	for _, col := range []string{"class"} {
		if st.DroppedFields[col] == 0 {
			t.Errorf("unmapped column %s not counted as dropped: %v", col, st.DroppedFields)
		}
	}
	rows := e.rows(schemas.EventsClean, p)
	var withCountry int
	for _, r := range rows {
		for _, want := range []string{"user_token", "device_token", "ip_token", "ip_prefix", "amount", "age_band", "gender", "signup_ts", "source", "browser"} {
			if _, ok := r[want]; !ok {
				t.Fatalf("row lacks %s: %v", want, r)
			}
		}
		if r["ip_country"] != "" {
			withCountry++
		}
	}
	checked := noRawValues(t, e, p)
	t.Logf("Fraud_Data: %d rows in, %d written, quarantined %v, %d with an IP country, %d raw values checked",
		st.RecordsIn, st.RecordsOut, st.Quarantined, withCountry, checked)
}
