package policy

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// Synthetic rows in the Fraud_Data shape (its licence is not stated, so
// no real row is copied). The fourth row's purchase time does not parse,
// the fifth is cut short: both are placed on the arrival day.
const historicalCSV = "user_id,signup_time,purchase_time,source,browser,class\n" +
	"900001,1/3/2015 9:05,2/14/2015 23:59,SEO,Chrome,0\n" +
	"900002,2/1/15 8:00,2/15/15 0:00,Ads,Edge,1\n" +
	"900003,2/2/2015 10:10,2/15/2015 13:30,Referral,Safari,0\n" +
	"900004,2/2/2015 10:10,2/30/2015 13:30,SEO,Safari,0\n" +
	"900005,2/2/2015 10:10\n"

func historicalPolicy(t *testing.T) *Compiled {
	t.Helper()
	f, err := Load(filepath.Join("testdata", "historical.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Compile(schemas.Events)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHistoricalPlacement: every row of a batch has exactly one day, so
// each day's run counts every row out (placed on it, or other_partition)
// and over all days each row is placed once.
func TestHistoricalPlacement(t *testing.T) {
	c := historicalPolicy(t)
	f := c.FormatFor("Fraud_Data_2015.csv")
	if f == nil || !f.EventTime || f.AnyDay {
		t.Fatalf("format %+v: want event_time", f)
	}
	arrival := time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)
	days, err := f.Days(strings.NewReader(historicalCSV), arrival)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"2015-02-14": 1, "2015-02-15": 2, "2015-06-01": 2}
	if !maps.Equal(days, want) {
		t.Errorf("days %v, want %v", days, want)
	}

	// The run of each day: placed rows + other_partition = rows read.
	const rows = 5
	for _, d := range slices.Sorted(maps.Keys(days)) {
		day, _ := time.Parse(time.DateOnly, d)
		fr, err := f.Decoder.Open(strings.NewReader(historicalCSV))
		if err != nil {
			t.Fatal(err)
		}
		var mine, other int
		for {
			row, err := fr.Next()
			if err != nil {
				break
			}
			if f.Place(row.Values, row.Present, arrival).Equal(day) {
				mine++
			} else {
				other++
			}
		}
		if mine != int(days[d]) || mine+other != rows {
			t.Errorf("run %s: %d placed, %d %s, of %d rows", d, mine, other, ReasonOtherPartition, rows)
		}
	}
}

func TestHistoricalBatches(t *testing.T) {
	land := t.TempDir()
	write := func(dt string, ready bool) {
		dir := pipeline.LandingDir(land, HistoricalFeed("events"), dt)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Fraud_Data.csv"), []byte(historicalCSV), 0o644); err != nil {
			t.Fatal(err)
		}
		if ready {
			if err := os.WriteFile(filepath.Join(dir, schemas.SuccessMarker), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("2015-06-01", true)
	write("2015-05-20", true)
	write("2015-06-02", false) // still being written
	got, err := HistoricalBatches(land, "events")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Format(time.DateOnly) != "2015-05-20" || got[1].Format(time.DateOnly) != "2015-06-01" {
		t.Errorf("batches %v", got)
	}
	// A batch lists like a daily partition.
	l, err := pipeline.ListLanding(land, HistoricalFeed("events"), "2015-06-01", historicalPolicy(t).Files().Landing())
	if err != nil || len(l.Files) != 1 {
		t.Errorf("listing %+v, %v", l, err)
	}
	// The daily dates do not include the historical folder.
	days, err := pipeline.LandingDates(land, "events")
	if err != nil || len(days) != 0 {
		t.Errorf("landing dates %v, %v", days, err)
	}
}

func TestEventTimeNeedsTSColumn(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "historical.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(b), "absent: [event_id]", "absent: [event_id, ts]", 1)
	y = strings.Replace(y, "          - {name: purchase_time, field: ts, time: \"1/2/2006 15:04\", time_alt: [\"1/2/06 15:04\"], tz: UTC}\n", "", 1)
	f, err := Parse([]byte(y), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Compile(schemas.Events)
	if err == nil || !strings.Contains(err.Error(), "partition event_time needs a column that fills ts") {
		t.Errorf("error %v", err)
	}
}

// TestRealFraudDataDays places the public Fraud_Data file as a historical
// batch and prints how many rows land on how many days. It skips when the
// shared real-data folder is absent.
func TestRealFraudDataDays(t *testing.T) {
	root := os.Getenv("VEIL_REAL_DATA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "data", "real")
	}
	file, err := os.Open(filepath.Join(root, "ecommerce-fraud", "Fraud_Data_truncated_with_ip.csv"))
	if err != nil {
		t.Skipf("real data not available (set VEIL_REAL_DATA to the folder): %v", err)
	}
	defer file.Close()
	arrival := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	days, err := historicalPolicy(t).FormatFor("Fraud_Data.csv").Days(file, arrival)
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, n := range days {
		rows += n
	}
	keys := slices.Sorted(maps.Keys(days))
	t.Logf("Fraud_Data: %d of %d rows land on %d event days (%s to %s); %d on the arrival day (no readable purchase time)",
		rows-days["2026-01-01"], rows, len(days)-1, keys[0], keys[len(keys)-2], days["2026-01-01"])
	// The cut-off last row has no purchase time: it alone stays on arrival.
	if rows != 30190 || days["2026-01-01"] != 1 || keys[0] < "2015-01-01" || keys[len(keys)-2] > "2015-12-31" {
		t.Errorf("%d rows, %d on arrival, days %s to %s", rows, days["2026-01-01"], keys[0], keys[len(keys)-2])
	}
}
