package reporting

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"

	"github.com/veil-data/veil/anonymize/keys/signing"
)

//go:embed report.html.tmpl
var htmlTemplate string

// SectionIDs are the ids of the HTML page's sections, in page order. They
// are stable: tests and auditors' tools find sections by them.
var SectionIDs = []string{"verdict", "run", "inputs", "records", "transforms", "pii", "leak", "optouts",
	"audiences", "budget", "reidentifications", "risk", "appeals", "model", "partitions", "signature"}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":  func(n any) string { return groupDigits(fmt.Sprint(n)) },
	"pct":  func(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" },
	"f3":   func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) },
	"f4":   func(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) },
	"date": func(t any) string { return fmt.Sprint(t) },
	"short": func(s string) string {
		if len(s) > 16 {
			return s[:16] + "…"
		}
		return s
	},
	"sigext": func() string { return signing.Ext },
}).Parse(htmlTemplate))

// RenderHTML renders r as one self-contained HTML page: inline CSS and
// SVG, no script, nothing fetched. The same report renders to the same
// bytes.
func RenderHTML(r *Report) ([]byte, error) {
	v := view{Report: r}
	records := []bar{
		{"records in", r.Totals.RecordsIn, "in", ""},
		{"written", r.Totals.RecordsOut, "out", ""},
		{"quarantined", sum(r.Totals.Quarantined), "quar", ""},
		{"duplicates", r.Totals.Duplicates, "dup", ""},
		{"other days", r.Totals.OtherPartition, "other", ""},
	}
	if in := r.Totals.RecordsIn; in > 0 {
		for i := range records[1:] {
			b := &records[i+1]
			b.Note = " (" + strconv.FormatFloat(100*float64(b.Value)/float64(in), 'f', 1, 64) + "%)"
		}
	}
	v.Records = barChart(records)
	v.Quarantine = barChart(mapBars(r.Totals.Quarantined, "quar"))
	v.PII = barChart(mapBars(r.Totals.PII, "pii"))
	v.Quarantined = sum(r.Totals.Quarantined)
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("render report html: %w", err)
	}
	return b.Bytes(), nil
}

// view is what the template reads.
type view struct {
	*Report
	Records, Quarantine, PII chart
	Quarantined              int64
}

type bar struct {
	Label string
	Value int64
	Class string
	Note  string // after the value, e.g. a share
}

// chart is a horizontal bar chart laid out for inline SVG.
type chart struct {
	Bars          []placedBar
	Width, Height int
}

type placedBar struct {
	bar
	Y, W, TextY, ValueX int
}

const (
	chartLabelW = 150 // room for the labels, left of the bars
	chartBarMax = 420
	chartRow    = 26
)

func barChart(bars []bar) chart {
	var top int64
	for _, b := range bars {
		top = max(top, b.Value)
	}
	c := chart{Width: chartLabelW + chartBarMax + 110, Height: len(bars)*chartRow + 4}
	for i, b := range bars {
		w := 0
		if top > 0 {
			w = int(math.Round(float64(b.Value) / float64(top) * chartBarMax))
		}
		if b.Value > 0 {
			w = max(w, 1)
		}
		y := 2 + i*chartRow
		c.Bars = append(c.Bars, placedBar{bar: b, Y: y, W: w, TextY: y + 16, ValueX: chartLabelW + w + 6})
	}
	return c
}

// mapBars turns counts into bars, largest first, ties by name.
func mapBars(m map[string]int64, class string) []bar {
	var out []bar
	for k, v := range m {
		out = append(out, bar{k, v, class, ""})
	}
	slices.SortFunc(out, func(a, b bar) int {
		if a.Value != b.Value {
			if a.Value > b.Value {
				return -1
			}
			return 1
		}
		if a.Label < b.Label {
			return -1
		}
		if a.Label > b.Label {
			return 1
		}
		return 0
	})
	return out
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// groupDigits puts commas between groups of three digits of an
// integer; anything else is returned as it is.
func groupDigits(s string) string {
	if _, err := strconv.ParseInt(s, 10, 64); err != nil || len(s) <= 4 {
		return s
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ","...)
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}
