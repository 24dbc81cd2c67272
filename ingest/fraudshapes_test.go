package ingest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// TestFraudDataShapes ingests both synthetic Fraud_Data copies of
// csvfeed's testdata through the default policy: 2- and 4-digit years,
// with and without ip_address. Signup time and the declared labels reach
// events_clean; the impossible date (2/30/15) is quarantined.
func TestFraudDataShapes(t *testing.T) {
	files := map[string]string{}
	for _, name := range []string{"Fraud_Data_4digit_ip.csv", "Fraud_Data_2digit_noip.csv"} {
		b, err := os.ReadFile(filepath.Join("csvfeed", "testdata", "fraud", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	e := newEnv(t)
	e.land("events", files)
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	st := e.stats(schemas.EventsClean, p)
	if st.RecordsIn != 6 || st.RecordsOut != 5 || st.Quarantined["invalid_value"] != 1 || !st.Balanced() {
		t.Fatalf("in %d, out %d, quarantined %v", st.RecordsIn, st.RecordsOut, st.Quarantined)
	}
	var sources, browsers []string
	withIP, withSignup := 0, 0
	for _, r := range e.rows(schemas.EventsClean, p) {
		sources, browsers = append(sources, r["source"]), append(browsers, r["browser"])
		if r["ip_token"] != "" {
			withIP++
		}
		if r["signup_ts"] != "" {
			withSignup++
		}
	}
	slices.Sort(sources)
	slices.Sort(browsers)
	if !slices.Equal(sources, []string{"Ads", "Direct", "SEO", "SEO", "other"}) ||
		!slices.Equal(browsers, []string{"Chrome", "FireFox", "IE", "Safari", "other"}) {
		t.Errorf("sources %v, browsers %v", sources, browsers)
	}
	if withIP != 2 || withSignup != 5 {
		t.Errorf("%d rows with an IP (want 2), %d with signup_ts (want 5)", withIP, withSignup)
	}
}
