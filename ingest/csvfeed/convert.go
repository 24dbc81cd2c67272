package csvfeed

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veil-data/veil/schemas"
)

// converter turns a trimmed, non-empty cell into canonical text. On
// failure it returns a fixed description of what was expected: never the
// value, so it can go into a rejection as it is.
type converter func(s string) (value, detail string)

// Fixed rejection details. Tests check that rejections use nothing else.
const (
	detailNotUTF8   = "not valid UTF-8"
	detailNotNumber = "not a finite decimal number"
	detailNotIPv4   = "not an IPv4 integer or IP literal"
	detailIPRange   = "IPv4 integer outside 0 to 2^32-1"
	detailTimeRange = "time outside the years 1 to 9999"
	detailUnmapped  = "value not listed in values"
)

func convString(s string) (string, string) {
	if !utf8.ValidString(s) {
		return "", detailNotUTF8
	}
	return s, ""
}

// convNumber accepts plain decimal and exponent notation only: ParseFloat
// alone would also take hex floats, "NaN" and "Inf".
func convNumber(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return "", detailNotNumber
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return "", detailNotNumber
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	// Most feeds already write the canonical form: keep their string
	// rather than allocate an equal one.
	var buf [32]byte
	if out := strconv.AppendFloat(buf[:0], v, 'f', -1, 64); string(out) != s {
		return string(out), ""
	}
	return s, ""
}

// convDecimal is convNumber after removing thousands separators. Groups
// must be three digits, so a decimal comma ("12,34") is rejected rather
// than read as a number a hundred times too large.
func convDecimal(s string) (string, string) {
	if !strings.Contains(s, ",") {
		return convNumber(s)
	}
	end := strings.IndexAny(s, ".eE")
	if end < 0 {
		end = len(s)
	}
	intPart := strings.TrimLeft(s[:end], "+-")
	groups := strings.Split(intPart, ",")
	for i, g := range groups {
		if g == "" || len(g) > 3 || (i > 0 && len(g) != 3) {
			return "", detailNotNumber
		}
	}
	return convNumber(strings.ReplaceAll(s[:end], ",", "") + s[end:])
}

// convIPv4Int turns an IPv4 address written as an integer (spreadsheets
// save it as a float, "732758368.8") into dotted form: the fraction is an
// artefact and is cut off. IP literals pass through in canonical form.
func convIPv4Int(s string) (string, string) {
	if strings.Count(s, ".") == 3 || strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", detailNotIPv4
		}
		return a.String(), ""
	}
	var n uint64
	if strings.ContainsAny(s, "eE") {
		// Exponent notation, as spreadsheets write large numbers.
		for i := 0; i < len(s); i++ {
			if c := s[i]; !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
				return "", detailNotIPv4
			}
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) {
			return "", detailNotIPv4
		}
		if v < 0 || v >= 1<<32 {
			return "", detailIPRange
		}
		n = uint64(v)
	} else {
		whole, frac, _ := strings.Cut(s, ".")
		if whole == "" || !allDigits(whole) || !allDigits(frac) {
			if strings.HasPrefix(whole, "-") {
				return "", detailIPRange
			}
			return "", detailNotIPv4
		}
		var err error
		n, err = strconv.ParseUint(whole, 10, 64)
		if err != nil || n >= 1<<32 {
			return "", detailIPRange
		}
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String(), ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type timeMode int

const (
	modeRFC3339 timeMode = iota
	modeUnix
	modeUnixMilli
	modeExcel
	modeLayout
)

// timeParser reads one column's timestamps or dates.
type timeParser struct {
	mode   timeMode
	layout string
	loc    *time.Location
	date   bool   // output YYYY-MM-DD instead of an instant
	detail string // rejection detail, naming the expected format
	// offset is added to every instant read (Column.Offset).
	offset time.Duration
}

// newTimeParser compiles a column's time and tz options. An empty format
// is RFC 3339 for timestamps and YYYY-MM-DD for dates.
func newTimeParser(format, tz string, date bool) (*timeParser, error) {
	p := &timeParser{loc: time.UTC, date: date}
	if format == "" && date {
		format = time.DateOnly
	}
	switch format {
	case "", TimeRFC3339:
		p.mode, format = modeRFC3339, TimeRFC3339
	case TimeUnix:
		p.mode = modeUnix
	case TimeUnixMilli:
		p.mode = modeUnixMilli
	case TimeExcelSerial:
		p.mode = modeExcel
	default:
		p.mode, p.layout = modeLayout, format
		if err := checkLayout(format); err != nil {
			return nil, fmt.Errorf("time: %w", err)
		}
	}
	p.detail = fmt.Sprintf("not a time in format %q", format)
	if tz != "" {
		switch p.mode {
		case modeRFC3339, modeUnix, modeUnixMilli:
			return nil, fmt.Errorf("tz has no effect with time %s: the text fixes the instant", format)
		}
		if tz == "Local" {
			return nil, errors.New("tz Local depends on the host; name an IANA zone")
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("tz: %w", err)
		}
		p.loc = loc
	}
	return p, nil
}

// excelEpoch is day 0 of the 1900 date system as Excel counts after its
// phantom 29 February 1900; serials before 61 (1 March 1900) are ambiguous
// because of it and are rejected.
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

const (
	excelMin = 61
	excelMax = 2958466 // 10000-01-01
)

func (p *timeParser) convert(s string) (string, string) {
	var t time.Time
	var err error
	switch p.mode {
	case modeRFC3339:
		t, err = time.Parse(time.RFC3339Nano, s)
	case modeUnix:
		t, err = parseUnix(s, false)
	case modeUnixMilli:
		t, err = parseUnix(s, true)
	case modeExcel:
		t, err = p.parseExcel(s)
	case modeLayout:
		t, err = time.ParseInLocation(p.layout, s, p.loc)
	}
	if err != nil {
		return "", p.detail
	}
	t = t.Add(p.offset)
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return "", detailTimeRange
	}
	if p.date {
		// The calendar date as written, in the text's own zone.
		return t.Format(time.DateOnly), ""
	}
	return t.UTC().Format(time.RFC3339Nano), ""
}

var errTime = errors.New("bad time")

// parseUnix reads integer seconds (or milliseconds) since the epoch, with
// an optional decimal fraction down to the nanosecond.
func parseUnix(s string, milli bool) (time.Time, error) {
	whole, frac, dot := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	maxFrac := 9
	if milli {
		maxFrac = 6
	}
	if err != nil || (dot && (frac == "" || len(frac) > maxFrac || !allDigits(frac))) {
		return time.Time{}, errTime
	}
	var ns int64
	if frac != "" {
		f, _ := strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < maxFrac; i++ {
			f *= 10
		}
		ns = f
		if strings.HasPrefix(whole, "-") {
			ns = -ns
		}
	}
	if milli {
		if n > math.MaxInt64/int64(time.Millisecond) || n < math.MinInt64/int64(time.Millisecond) {
			return time.Time{}, errTime
		}
		return time.UnixMilli(n).Add(time.Duration(ns)).UTC(), nil
	}
	return time.Unix(n, ns).UTC(), nil
}

// parseExcel reads a spreadsheet serial: days since excelEpoch, the
// fraction being the time of day, as wall-clock time in p.loc. It rounds
// to the millisecond, the precision spreadsheets keep.
func (p *timeParser) parseExcel(s string) (time.Time, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c == '.') {
			return time.Time{}, errTime
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < excelMin || v >= excelMax {
		return time.Time{}, errTime
	}
	days := math.Floor(v)
	ms := int64(math.Round((v - days) * 86400e3))
	t := excelEpoch.AddDate(0, 0, int(days)).Add(time.Duration(ms) * time.Millisecond)
	if p.loc != time.UTC {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), p.loc)
	}
	return t, nil
}

// newConverter builds the parser of a field's text from its kind and the
// column's time and parse options.
func newConverter(kind schemas.Kind, c Column) (converter, error) {
	isTime := kind == schemas.Timestamp || kind == schemas.Date
	switch {
	case c.Time != "" && !isTime:
		return nil, fmt.Errorf("time is set but the field is a %s", kind)
	case c.TZ != "" && !isTime:
		return nil, fmt.Errorf("tz is set but the field is a %s", kind)
	case c.Parse != "" && isTime:
		return nil, fmt.Errorf("parse is set but the field is a %s; use time", kind)
	case c.Offset != "" && !isTime:
		return nil, fmt.Errorf("offset is set but the field is a %s", kind)
	}
	switch c.Parse {
	case "":
	case ParseIPv4Int:
		if kind != schemas.String {
			return nil, fmt.Errorf("parse %s needs a string field, not a %s", c.Parse, kind)
		}
		return convIPv4Int, nil
	case ParseDecimal:
		if kind != schemas.Number {
			return nil, fmt.Errorf("parse %s needs a number field, not a %s", c.Parse, kind)
		}
		return convDecimal, nil
	default:
		return nil, fmt.Errorf("unknown parse %q (want %s or %s)", c.Parse, ParseIPv4Int, ParseDecimal)
	}
	if !isTime {
		return defaultConverter(kind), nil
	}
	offset, err := parseOffset(c.Offset, kind)
	if err != nil {
		return nil, err
	}
	tp, err := newTimeParser(c.Time, c.TZ, kind == schemas.Date)
	if err != nil {
		return nil, err
	}
	tp.offset = offset
	if c.TimeAlt == nil {
		return tp.convert, nil
	}
	if tp.mode != modeLayout {
		return nil, errors.New("time_alt needs time to be a Go layout")
	}
	alts := []*timeParser{tp}
	for _, layout := range c.TimeAlt {
		if !isLayout(layout) {
			return nil, fmt.Errorf("time_alt: %q is not a Go layout", layout)
		}
		alt, err := newTimeParser(layout, c.TZ, kind == schemas.Date)
		if err != nil {
			return nil, fmt.Errorf("time_alt: %w", err)
		}
		alt.offset = offset
		alts = append(alts, alt)
	}
	return altConverter(alts), nil
}

// parseOffset reads a column's offset: a Go duration ("720h", "-90m")
// added to a timestamp, for a time the file implies but does not hold (a
// chargeback known weeks after the purchase it names). A date has no
// instant to move, so it takes none.
func parseOffset(s string, kind schemas.Kind) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if kind != schemas.Timestamp {
		return 0, fmt.Errorf("offset needs a timestamp field, this one is a %s", kind)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("offset: %q is not a duration such as 720h", s)
	}
	return d, nil
}

// defaultConverter parses a kind's text with no options: what const values
// and unconfigured columns use.
func defaultConverter(kind schemas.Kind) converter {
	switch kind {
	case schemas.Number:
		return convNumber
	case schemas.Timestamp:
		tp, _ := newTimeParser(TimeRFC3339, "", false)
		return tp.convert
	case schemas.Date:
		tp, _ := newTimeParser("", "", true)
		return tp.convert
	}
	return convString
}

// checkLayout rejects a Go layout that cannot round-trip a date: a layout
// with no year, month or day element would parse every value to year 0.
func checkLayout(layout string) error {
	ref := time.Date(2017, time.November, 26, 13, 4, 5, 0, time.UTC)
	got, err := time.Parse(layout, ref.Format(layout))
	if err != nil {
		return fmt.Errorf("layout %q does not parse its own output: %w", layout, err)
	}
	if got.Year() != ref.Year() || got.Month() != ref.Month() || got.Day() != ref.Day() {
		return fmt.Errorf("layout %q needs a year, a month and a day (Go reference time Mon Jan 2 15:04:05 MST 2006)", layout)
	}
	return nil
}

// isLayout reports whether a time format is a Go layout, not a named one.
func isLayout(s string) bool {
	switch s {
	case "", TimeRFC3339, TimeUnix, TimeUnixMilli, TimeExcelSerial:
		return false
	}
	return true
}

// altConverter tries each layout in order; a value none parses is
// rejected with the first layout's detail.
func altConverter(ps []*timeParser) converter {
	return func(s string) (string, string) {
		first := ""
		for i, p := range ps {
			v, detail := p.convert(s)
			if detail == "" {
				return v, ""
			}
			if i == 0 {
				first = detail
			}
		}
		return "", first
	}
}
