package csvfeed

import (
	"strings"
	"testing"

	"github.com/veil-data/veil/schemas"
)

func TestConverters(t *testing.T) {
	conv := func(kind schemas.Kind, c Column) converter {
		t.Helper()
		f, err := newConverter(kind, c)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	type tc struct {
		in, want, detail string
	}
	groups := []struct {
		name  string
		conv  converter
		cases []tc
	}{
		{"string", conv(schemas.String, Column{}), []tc{
			{"abc", "abc", ""},
			{"李雷", "李雷", ""},
			{"a\xffb", "", detailNotUTF8},
		}},
		{"number", conv(schemas.Number, Column{}), []tc{
			{"34", "34", ""},
			{"2.550", "2.55", ""},
			{"-0", "0", ""},
			{"+1e3", "1000", ""},
			{"1.5E-3", "0.0015", ""},
			{"0.1", "0.1", ""},
			{"1,234", "", detailNotNumber},
			{"NaN", "", detailNotNumber},
			{"Inf", "", detailNotNumber},
			{"-infinity", "", detailNotNumber},
			{"0x1p4", "", detailNotNumber},
			{"1_000", "", detailNotNumber},
			{"1e400", "", detailNotNumber},
			{"$5", "", detailNotNumber},
			{"1.2.3", "", detailNotNumber},
		}},
		{"decimal", conv(schemas.Number, Column{Parse: ParseDecimal}), []tc{
			{"1,234", "1234", ""},
			{"1,234,567.891", "1234567.891", ""},
			{"-12,345.5", "-12345.5", ""},
			{"999", "999", ""},
			{"12,34", "", detailNotNumber}, // a decimal comma, not a separator
			{"1,23,456", "", detailNotNumber},
			{",123", "", detailNotNumber},
			{"1,,234", "", detailNotNumber},
			{"1234,567", "", detailNotNumber},
			{"1.234,5", "", detailNotNumber},
		}},
		{"ipv4_int", conv(schemas.String, Column{Parse: ParseIPv4Int}), []tc{
			{"732758368.8", "43.173.1.96", ""},
			{"350311387.9", "20.225.83.219", ""},
			{"2621473820", "156.64.132.28", ""},
			{"0", "0.0.0.0", ""},
			{"4294967295", "255.255.255.255", ""},
			{"93447.13896", "0.1.109.7", ""},
			{"7.327583688E8", "43.173.1.96", ""},
			{"83.149.11.115", "83.149.11.115", ""},
			{"2001:DB8::1", "2001:db8::1", ""},
			{"4294967296", "", detailIPRange},
			{"4294967296.5", "", detailIPRange},
			{"5e10", "", detailIPRange},
			{"-1", "", detailIPRange},
			{"-1e3", "", detailIPRange},
			{"99999999999999999999999", "", detailIPRange},
			{"abc", "", detailNotIPv4},
			{"1.2.3", "", detailNotIPv4},
			{"1.2.3.256", "", detailNotIPv4},
			{".5", "", detailNotIPv4},
			{"NaN", "", detailNotIPv4},
			{"e", "", detailNotIPv4},
		}},
	}
	for _, g := range groups {
		for _, c := range g.cases {
			got, detail := g.conv(c.in)
			if got != c.want || detail != c.detail {
				t.Errorf("%s(%q) = %q, %q; want %q, %q", g.name, c.in, got, detail, c.want, c.detail)
			}
		}
	}
}

func TestTimeFormats(t *testing.T) {
	type tc struct {
		in, want string // want "" = rejected
	}
	tests := []struct {
		name  string
		kind  schemas.Kind
		time  string
		tz    string
		cases []tc
	}{
		{"rfc3339 default", schemas.Timestamp, "", "", []tc{
			{"2017-11-26T01:00:00Z", "2017-11-26T01:00:00Z"},
			{"2017-11-26T09:00:00+08:00", "2017-11-26T01:00:00Z"},
			{"2017-11-26T01:00:00.123456789Z", "2017-11-26T01:00:00.123456789Z"},
			{"2017-11-26T01:00:00.500+01:00", "2017-11-26T00:00:00.5Z"},
			{"2017-11-26 01:00:00", ""},
			{"2017-11-26", ""},
			{"1511658000", ""},
		}},
		{"unix", schemas.Timestamp, TimeUnix, "", []tc{
			{"1511658000", "2017-11-26T01:00:00Z"},
			{"1511658000.25", "2017-11-26T01:00:00.25Z"},
			{"1511658000.123456789", "2017-11-26T01:00:00.123456789Z"},
			{"0", "1970-01-01T00:00:00Z"},
			{"-1.5", "1969-12-31T23:59:58.5Z"},
			{"1511658000.1234567891", ""},
			{"1511658000.", ""},
			{"1.5e9", ""},
			{"abc", ""},
			{"99999999999999", ""}, // past year 9999
		}},
		{"unix_ms", schemas.Timestamp, TimeUnixMilli, "", []tc{
			{"1511658000123", "2017-11-26T01:00:00.123Z"},
			{"1511658000123.5", "2017-11-26T01:00:00.1235Z"},
			{"9223372036854775807", ""},
			{"-9223372036854775808", ""},
		}},
		{"excel m/d/yyyy", schemas.Timestamp, "1/2/2006 15:04", "", []tc{
			{"4/18/2015 2:47", "2015-04-18T02:47:00Z"},
			{"10/13/2015 12:54", "2015-10-13T12:54:00Z"},
			{"2015-04-18 02:47", ""},
			{"4/18/2015", ""},
			{"13/18/2015 2:47", ""},
		}},
		{"two-digit year in a zone", schemas.Timestamp, "1/2/06 15:04", "Europe/London", []tc{
			{"12/1/10 8:26", "2010-12-01T08:26:00Z"}, // GMT in winter
			{"6/1/11 8:26", "2011-06-01T07:26:00Z"},  // BST in summer
		}},
		{"layout in Shanghai", schemas.Timestamp, "2006-01-02 15:04:05", "Asia/Shanghai", []tc{
			{"2017-11-26 09:00:00", "2017-11-26T01:00:00Z"},
		}},
		{"layout with its own offset", schemas.Timestamp, "2006-01-02 15:04:05 -0700", "Asia/Shanghai", []tc{
			{"2017-11-26 09:00:00 +0000", "2017-11-26T09:00:00Z"},
		}},
		{"excel serial", schemas.Timestamp, TimeExcelSerial, "", []tc{
			{"42112.11597", "2015-04-18T02:46:59.808Z"},
			{"42112.11597222222", "2015-04-18T02:47:00Z"}, // rounded to the millisecond
			{"42112.5", "2015-04-18T12:00:00Z"},
			{"61", "1900-03-01T00:00:00Z"},
			{"60", ""}, // Excel's phantom 29 February 1900
			{"2958466", ""},
			{"-5", ""},
			{"1e4", ""},
		}},
		{"excel serial in a zone", schemas.Timestamp, TimeExcelSerial, "Asia/Shanghai", []tc{
			{"42112.5", "2015-04-18T04:00:00Z"},
		}},
		{"date default", schemas.Date, "", "", []tc{
			{"1990-02-28", "1990-02-28"},
			{"1990-02-30", ""},
			{"28/02/1990", ""},
		}},
		{"date layout", schemas.Date, "2/1/2006", "", []tc{
			{"28/2/1990", "1990-02-28"},
		}},
		{"date from rfc3339 keeps the written day", schemas.Date, TimeRFC3339, "", []tc{
			{"1990-02-28T23:30:00-05:00", "1990-02-28"},
		}},
		{"date from unix is the UTC day", schemas.Date, TimeUnix, "", []tc{
			{"1511658000", "2017-11-26"},
		}},
		{"date from excel serial", schemas.Date, TimeExcelSerial, "", []tc{
			{"42112.99", "2015-04-18"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv, err := newConverter(tt.kind, Column{Time: tt.time, TZ: tt.tz})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.cases {
				got, detail := conv(c.in)
				if got != c.want || (c.want == "") != (detail != "") {
					t.Errorf("%q = %q, %q; want %q", c.in, got, detail, c.want)
				}
			}
		})
	}
}

// TestOffset: an offset moves every instant read, through time_alt too,
// and is refused where there is no instant to move.
func TestOffset(t *testing.T) {
	c := Column{Field: "known_at", Time: "1/2/2006 15:04", TimeAlt: []string{"1/2/06 15:04"}, TZ: "UTC", Offset: "720h"}
	conv, err := newConverter(schemas.Timestamp, c)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"2/14/2015 23:59": "2015-03-16T23:59:00Z",
		"2/14/15 23:59":   "2015-03-16T23:59:00Z",
		"12/31/9999 1:00": "", // past year 9999 once moved
	} {
		if got, _ := conv(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	for _, bad := range []struct {
		kind schemas.Kind
		c    Column
	}{
		{schemas.Timestamp, Column{Offset: "30 days"}},
		{schemas.Date, Column{Offset: "24h"}},
		{schemas.String, Column{Offset: "24h"}},
	} {
		if _, err := newConverter(bad.kind, bad.c); err == nil || !strings.Contains(err.Error(), "offset") {
			t.Errorf("%v %+v: error %v, want one about offset", bad.kind, bad.c, err)
		}
	}
}
