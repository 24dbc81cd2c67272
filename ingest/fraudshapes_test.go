package ingest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// fraudFiles reads the synthetic Fraud_Data copies of csvfeed's testdata:
// 2- and 4-digit years, with and without ip_address.
func fraudFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, name := range []string{"Fraud_Data_4digit_ip.csv", "Fraud_Data_2digit_noip.csv"} {
		b, err := os.ReadFile(filepath.Join("csvfeed", "testdata", "fraud", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	return files
}

// landBatch lands files as the feed's historical batch that arrived on
// arrival, committed by _SUCCESS.
func (e *env) landBatch(feed string, arrival time.Time, files map[string]string) {
	e.t.Helper()
	saved := e.day
	e.day = arrival
	e.land(policy.HistoricalFeed(feed), files)
	e.day = saved
}

// runner is a pipeline runner over e's landing and warehouse.
func (e *env) runner(stages ...pipeline.Stage) *pipeline.Runner {
	env := &pipeline.Env{Landing: e.landing, Warehouse: e.wh, Mem: e.mem, Log: e.logger(),
		Keys: func(context.Context) (*keys.Set, error) { return e.set, nil }}
	return &pipeline.Runner{Env: env, Stages: stages}
}

func dates(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format(time.DateOnly)
	}
	return out
}

// TestHistoricalExtract lands both Fraud_Data copies as one historical
// batch through the default policy (partition: event_time). The runner
// learns the purchase days; each day's run writes that day's rows and
// counts the rest as other_partition; over all days each row is written
// or quarantined once (the impossible date 2/30/15 on the arrival day);
// a re-run gives the same rows; a second batch makes due only the days
// it has rows on, and its repeat of a row is a duplicate there.
func TestHistoricalExtract(t *testing.T) {
	e := newEnv(t)
	arrival := day
	e.landBatch("events", arrival, fraudFiles(t))
	r := e.runner(Events{})
	got, err := r.LandingDates()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2000-01-01", "2015-01-01", "2015-02-14", "2015-02-15", "2026-11-19"}
	if !slices.Equal(dates(got), want) {
		t.Fatalf("dates %v, want %v", dates(got), want)
	}
	if err := r.RunDue(context.Background(), Events{}); err != nil {
		t.Fatal(err)
	}
	const rows = 6
	var out, quarantined int64
	var sources, browsers []string
	withIP, withSignup := 0, 0
	for _, d := range want {
		p := sinks.Partition{DT: d}
		st := e.stats(schemas.EventsClean, p)
		if st.RecordsIn != rows || !st.Balanced() || st.RecordsOut+st.QuarantinedTotal() != rows-st.OtherPartition {
			t.Errorf("%s: in %d, out %d, quarantined %v, other_partition %d", d, st.RecordsIn, st.RecordsOut, st.Quarantined, st.OtherPartition)
		}
		out += st.RecordsOut
		quarantined += st.QuarantinedTotal()
		for _, r := range e.rows(schemas.EventsClean, p) {
			if r["ts"][:10] != d {
				t.Errorf("%s: a row at %s", d, r["ts"])
			}
			sources, browsers = append(sources, r["source"]), append(browsers, r["browser"])
			if r["ip_token"] != "" {
				withIP++
			}
			if r["signup_ts"] != "" {
				withSignup++
			}
		}
	}
	if out != 5 || quarantined != 1 || e.stats(schemas.EventsClean, sinks.Partition{DT: "2026-11-19"}).Quarantined["invalid_value"] != 1 {
		t.Errorf("over all days %d written, %d quarantined; want 5 and the impossible date on the arrival day", out, quarantined)
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

	// A re-run reads the same batch and gives the same rows.
	p14 := sinks.Partition{DT: "2015-02-14"}
	before := e.rows(schemas.EventsClean, p14)
	d14, _ := time.Parse(time.DateOnly, "2015-02-14")
	if _, err := r.RunOne(context.Background(), Events{}, d14, true); err != nil {
		t.Fatal(err)
	}
	if after := e.rows(schemas.EventsClean, p14); !reflect.DeepEqual(before, after) {
		t.Errorf("re-run changed the rows of 2015-02-14:\n%v\n%v", before, after)
	}

	// A second batch: a repeat of 900004 (2015-02-14, written differently) and a new purchase
	// on 2015-02-15. Only those days are due.
	e.landBatch("events", arrival.AddDate(0, 0, 1), map[string]string{"Fraud_Data_fix.csv": "user_id,signup_time,purchase_time,purchase_value,device_id,source,browser,sex,age,class\n" +
		"900004,1/3/2015 9:05,2/14/2015 23:59,41.0,DDDDDDDDDDDDD,Direct,FireFox,M,30,0\n" +
		"900007,2/1/15 9:00,2/15/15 10:00,99,GGGGGGGGGGGGG,Ads,Safari,F,51,1\n"})
	due := map[string]bool{}
	for _, d := range want {
		dt, _ := time.Parse(time.DateOnly, d)
		st, err := r.Check(Events{}, dt)
		if err != nil {
			t.Fatal(err)
		}
		due[d] = st.Due
	}
	if wantDue := map[string]bool{"2000-01-01": false, "2015-01-01": false, "2015-02-14": true, "2015-02-15": true, "2026-11-19": false}; !maps.Equal(due, wantDue) {
		t.Errorf("due %v, want %v", due, wantDue)
	}
	if err := r.RunDue(context.Background(), Events{}); err != nil {
		t.Fatal(err)
	}
	if st := e.stats(schemas.EventsClean, p14); st.RecordsIn != rows+2 || st.Duplicates != 1 || st.RecordsOut != 2 || !st.Balanced() {
		t.Errorf("2015-02-14 after the second batch: %+v", st)
	}
	if n := len(e.rows(schemas.EventsClean, sinks.Partition{DT: "2015-02-15"})); n != 2 {
		t.Errorf("2015-02-15 has %d rows after the second batch, want 2", n)
	}
}

// TestHistoricalNeedsEventTime: a file in a historical batch that no
// event_time format reads fails the run, naming the file, rather than
// being placed on a day it does not say.
func TestHistoricalNeedsEventTime(t *testing.T) {
	e := newEnv(t)
	e.landBatch("events", day, map[string]string{"events.jsonl": good + "\n"})
	_, err := e.runner(Events{}).LandingDates()
	if err == nil || !strings.Contains(err.Error(), "events/historical/dt=2026-11-19/events.jsonl") || !strings.Contains(err.Error(), "partition: event_time") {
		t.Errorf("error %v", err)
	}
}

// TestHistoricalGzip: a batch file may be gzip, for placing and reading.
func TestHistoricalGzip(t *testing.T) {
	e := newEnv(t)
	gz := map[string]string{}
	for name, body := range fraudFiles(t) {
		gz[name+".gz"] = body
	}
	e.landBatch("events", day, gz)
	r := e.runner(Events{})
	got, err := r.LandingDates()
	if err != nil || len(got) != 5 {
		t.Fatalf("dates %v, %v", dates(got), err)
	}
	if err := r.RunDue(context.Background(), Events{}); err != nil {
		t.Fatal(err)
	}
	if st := e.stats(schemas.EventsClean, sinks.Partition{DT: "2015-02-14"}); st.RecordsOut != 2 || st.RecordsIn != 6 || !st.Balanced() {
		t.Errorf("2015-02-14: %+v", st)
	}
}

// TestFraudDataOriginalTimes: the original Fraud_Data file writes times
// as YYYY-MM-DD HH:MM:SS; the default policy places its purchases on
// their own days to the second (and its labels 30 days later), rather
// than quarantining them.
func TestFraudDataOriginalTimes(t *testing.T) {
	const body = "user_id,signup_time,purchase_time,purchase_value,device_id,source,browser,sex,age,ip_address,class\n" +
		"22058,2015-02-24 22:55:49,2015-04-18 02:47:11,34,QVPSPJUOCKZAR,SEO,Chrome,M,39,732758368.79972,0\n" +
		"333320,2015-06-07 20:39:50,2015-06-08 01:38:54,16,EOGFQPIZPYXFZ,Ads,Chrome,F,53,350311387.865908,1\n"
	arrival := time.Date(2016, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   schemas.Input
		want map[string]int64
	}{
		{schemas.Events, map[string]int64{"2015-04-18": 1, "2015-06-08": 1}},
		{schemas.Labels, map[string]int64{"2015-05-18": 1, "2015-07-08": 1}},
	} {
		pol, err := compile(nil, c.in)
		if err != nil {
			t.Fatal(err)
		}
		days, err := pol.FormatFor("Fraud_Data.csv").Days(strings.NewReader(body), arrival)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(days, c.want) {
			t.Errorf("%s: rows by day %v, want %v", c.in.Name, days, c.want)
		}
	}
}
