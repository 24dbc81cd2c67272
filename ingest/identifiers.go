package ingest

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"time"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// RawValues collects every raw identifier and PII value that entered the
// landing feeds of one day, in the forms the pipeline might have written
// them (as given, and normalised). The leak check looks for them in the
// outputs. f is the policy (nil: the default), whose formats say how to
// read CSV files. The set stays in memory and is never written anywhere.
func RawValues(ctx context.Context, landing string, day time.Time, f *policy.File) (map[string]struct{}, error) {
	vals := map[string]struct{}{}
	err := EachRawValue(ctx, landing, day, f, func(s string) error {
		vals[strings.Clone(s)] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return vals, nil
}

// EachRawValue calls add with each raw value RawValues collects, as it
// reads them, repeats included, and stops at add's first error. The value
// may be a view into a buffer that is reused: add must copy what it keeps.
// A caller that holds the values in bounded memory (residual.Spill) uses it
// instead of RawValues, whose set grows with the day.
func EachRawValue(ctx context.Context, landing string, day time.Time, f *policy.File, add func(string) error) error {
	var addErr error
	keep := func(s string) {
		if len(s) >= 4 && addErr == nil { // shorter values collide with ordinary data
			addErr = add(s)
		}
	}
	for _, feed := range Feeds {
		pol, err := compile(f, feed)
		if err != nil {
			return err
		}
		p := newParser(pol, nil, day)
		err = eachRecord(ctx, landing, p, day, func(rec *policy.Record) {
			for i, f := range feed.Fields {
				if !f.PII || !rec.Present[i] {
					continue
				}
				v := rec.Vals[i]
				norm, ok := normalize(f.Check, v)
				if !ok {
					norm = v
				}
				rawForms(f.Check, v, norm, func(s string, _ bool) { keep(s) })
			}
		})
		if err == nil {
			err = addErr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// rawForms calls add with each form of a protected field's raw value that
// an output could carry: as given, normalised (tokenForm: the form the
// tokenizer sees), and a phone without its +. Free text is not PII as a
// whole: its forms are the PII spans it holds.
func rawForms(check schemas.Check, given, norm string, add func(v string, tokenForm bool)) {
	if check == schemas.CheckText {
		for _, s := range pii.FindCertain(given) {
			add(given[s.Start:s.End], false)
		}
		return
	}
	add(given, given == norm)
	if norm != given {
		add(norm, true)
	}
	if t := strings.TrimPrefix(norm, "+"); t != norm {
		add(t, false)
	}
}

// eachRecord calls fn with every decodable record of a landing partition
// (JSON Lines or CSV) in the files the policy accepts, of a damaged file
// all that can be read before its damage (a superset of what ingest could
// have kept), and then with the rows of historical batches placed on the
// day; a missing partition has none.
func eachRecord(ctx context.Context, landing string, p *parser, day time.Time, fn func(*policy.Record)) error {
	l, err := pipeline.ListLanding(landing, p.pol.Feed.Name, day.Format(time.DateOnly), p.pol.Files().Landing())
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if err != nil {
		return err
	}
	hist, err := historicalFor(landing, p.pol, day)
	if err != nil {
		return err
	}
	arrivals := make([]time.Time, len(l.Files))
	for _, b := range hist {
		l.Files = append(l.Files, b.files...)
		for range b.files {
			arrivals = append(arrivals, b.arrival)
		}
	}
	var stats pipeline.Stats
	chunks, errc := readPlaced(ctx, l.Files, arrivals, day, p.pol, damageReadsAll, &stats)
	for c := range chunks {
		for i, l := range c.lines {
			if l.reason != "" {
				continue
			}
			if c.format != nil {
				p.loadRow(&c.rows[i], c.format)
			} else {
				p.rec.Reset()
				if p.decode(l.text) != nil {
					continue
				}
			}
			fn(p.rec)
		}
	}
	return <-errc
}
