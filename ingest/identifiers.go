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
	add := func(s string) {
		if len(s) >= 4 { // shorter values collide with ordinary data
			vals[s] = struct{}{}
		}
	}
	dt := day.Format(time.DateOnly)
	for _, feed := range []schemas.Input{schemas.Events, schemas.Chats} {
		pol, err := compile(f, feed)
		if err != nil {
			return nil, err
		}
		p := newParser(pol, nil, day)
		err = eachRecord(ctx, landing, p, dt, func(rec *policy.Record) {
			for i, f := range feed.Fields {
				if !f.PII || !rec.Present[i] {
					continue
				}
				v := rec.Vals[i]
				if f.Check == schemas.CheckText {
					// A message is not PII as a whole: what it holds is.
					for _, s := range pii.Find(v) {
						add(v[s.Start:s.End])
					}
					continue
				}
				add(v)
				if n, ok := normalize(f.Check, v); ok {
					add(n)
					add(strings.TrimPrefix(n, "+"))
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// eachRecord calls fn with every decodable record of a landing partition
// (JSON Lines or CSV); a missing partition has none.
func eachRecord(ctx context.Context, landing string, p *parser, dt string, fn func(*policy.Record)) error {
	files, err := pipeline.LandingFiles(landing, p.pol.Feed.Name, dt)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var stats pipeline.Stats
	chunks, errc := readFiles(ctx, landing, files, p.pol, &stats)
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
