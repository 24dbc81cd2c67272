package ingest

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"time"

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
	var raw rawEvent
	p := &eventParser{}
	err := eachLine(ctx, landing, schemas.Events.Name, dt, func(text string) {
		raw = rawEvent{}
		if p.decode(text, &raw) != nil {
			return
		}
		for _, v := range []string{raw.user, raw.device, raw.ip, raw.card, raw.birth, raw.address, raw.phone, raw.email} {
			add(v)
		}
		if d, ok := cardDigits(raw.card); ok {
			add(d)
		}
		if d, ok := phoneDigits(raw.phone); ok {
			add(d)
			add(strings.TrimPrefix(d, "+"))
		}
		if e, ok := normEmail(raw.email); ok {
			add(e)
		}
	})
	if err != nil {
		return nil, err
	}
	var dec chatDecoder
	var stats pipeline.Stats
	err = eachLine(ctx, landing, schemas.Chats.Name, dt, func(text string) {
		var c rawChat
		if dec.decode(text, &c, &stats) != nil {
			return
		}
		add(c.user)
		for _, s := range pii.Find(c.text) {
			add(c.text[s.Start:s.End])
		}
	})
	return vals, err
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
