package csvfeed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-data/veil/schemas"
)

// TestFraudDataShapes reads both synthetic copies of Fraud_Data through
// the one format: 2- and 4-digit years, with and without ip_address,
// signup time kept, and labels outside the declared set folded to other.
func TestFraudDataShapes(t *testing.T) {
	in := schemas.Events
	d := compileTestdata(t, "fraud_data.yaml", in)
	type want struct {
		ts, signup, ip, source, browser, reject string
	}
	cases := map[string][]want{
		"Fraud_Data_4digit_ip.csv": {
			{ts: "2015-02-14T23:59:00Z", signup: "2015-01-03T09:05:00Z", ip: "1.2.3.4", source: "SEO", browser: "Chrome"},
			{ts: "2015-01-01T00:00:00Z", signup: "2014-12-31T23:59:00Z", ip: "192.168.1.1", source: "Ads", browser: "other"},
			{ts: "2015-02-15T00:01:00Z", signup: "2015-02-02T10:10:00Z", source: "other", browser: "Safari"},
		},
		"Fraud_Data_2digit_noip.csv": {
			{ts: "2015-02-14T23:59:00Z", signup: "2015-01-03T09:05:00Z", source: "Direct", browser: "FireFox"},
			// Century rule: 99 is 1999, 00 is 2000.
			{ts: "2000-01-01T00:00:00Z", signup: "1999-12-31T23:59:00Z", source: "SEO", browser: "IE"},
			{reject: "invalid_value: column \"purchase_time\": field ts: not a time in format \"1/2/2006 15:04\""},
		},
	}
	for file, rows := range cases {
		f, err := os.Open(filepath.Join("testdata", "fraud", file))
		if err != nil {
			t.Fatal(err)
		}
		fr, err := d.Open(f)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i, w := range rows {
			r, err := fr.Next()
			if err != nil {
				t.Fatalf("%s row %d: %v", file, i, err)
			}
			if w.reject != "" {
				if r.Reject == nil || r.Reject.String() != w.reject {
					t.Errorf("%s row %d: %v, want rejected %s", file, i, r, w.reject)
				}
				continue
			}
			if r.Reject != nil {
				t.Errorf("%s row %d: %v", file, i, r)
				continue
			}
			got := want{ts: get(in, r, "ts"), signup: get(in, r, "signup_ts"), ip: get(in, r, "ip"),
				source: get(in, r, "source"), browser: get(in, r, "browser")}
			if got != w {
				t.Errorf("%s row %d: got %+v, want %+v", file, i, got, w)
			}
		}
		f.Close()
	}
}

func TestColumnOptionErrors(t *testing.T) {
	in := schemas.Input{Name: "t", Fields: []schemas.Field{
		{Name: "ts", Kind: schemas.Timestamp}, {Name: "s", Kind: schemas.String}, {Name: "n", Kind: schemas.Number},
	}}
	idx := 0
	for name, c := range map[string]struct {
		f    Format
		want string
	}{
		"alt needs a layout": {Format{Match: "*", Header: true, Columns: []Column{{Name: "a", Field: "ts", Time: TimeUnix, TimeAlt: []string{"1/2/06"}}}},
			"time_alt needs time to be a Go layout"},
		"alt is named": {Format{Match: "*", Header: true, Columns: []Column{{Name: "a", Field: "ts", Time: "1/2/2006", TimeAlt: []string{TimeUnix}}}},
			`time_alt: "unix" is not a Go layout`},
		"other needs values": {Format{Match: "*", Header: true, Columns: []Column{{Name: "a", Field: "s", Other: "other"}}},
			"other needs values"},
		"other must parse": {Format{Match: "*", Header: true, Columns: []Column{{Name: "a", Field: "n", Values: map[string]string{"x": "1"}, Other: "other"}}},
			"other is not a finite decimal number"},
		"optional by index": {Format{Match: "*", Header: true, Columns: []Column{{Index: &idx, Field: "s", Optional: true}}},
			"optional needs a name, no index, and header: true"},
	} {
		_, err := c.f.Compile(in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}
