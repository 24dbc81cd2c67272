package ingest

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"time"

	"github.com/parquet-go/jsonlite"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// RawValues collects every raw identifier and PII value that entered the
// landing feeds of one day, in the forms the pipeline might have written
// them (as given, and normalised). The leak check looks for them in the
// outputs. The set stays in memory and is never written anywhere.
func RawValues(ctx context.Context, landing string, day time.Time) (map[string]struct{}, error) {
	vals := map[string]struct{}{}
	add := func(s string) {
		if len(s) >= 4 { // shorter values collide with ordinary data
			vals[s] = struct{}{}
		}
	}
	dt := day.Format(time.DateOnly)
	for _, feed := range []schemas.Input{schemas.Events, schemas.Chats} {
		pol, err := compile(nil, feed)
		if err != nil {
			return nil, err
		}
		rec := pol.NewRecord()
		var stats pipeline.Stats
		err = eachLine(ctx, landing, feed.Name, dt, func(text string) {
			rec.Reset()
			if decodeRecord(jsonlite.Iterate(text), pol, rec, &stats) != nil {
				return
			}
			for i, f := range feed.Fields {
				if !f.PII || !rec.Present[i] {
					continue
				}
				v := rec.Vals[i]
				add(v)
				if n, ok := normalize(f.Check, v); ok {
					add(n)
					add(strings.TrimPrefix(n, "+"))
				}
				if f.Check == schemas.CheckText {
					for _, s := range pii.Find(v) {
						add(v[s.Start:s.End])
					}
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// eachLine calls fn with every readable line of a landing partition; a
// missing partition has no lines.
func eachLine(ctx context.Context, landing, feed, dt string, fn func(string)) error {
	files, err := pipeline.LandingFiles(landing, feed, dt)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var stats pipeline.Stats
	chunks, errc := readFiles(ctx, landing, files, &stats)
	for c := range chunks {
		for _, l := range c.lines {
			if l.reason == "" {
				fn(l.text)
			}
		}
	}
	return <-errc
}
