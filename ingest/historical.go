package ingest

import (
	"crypto/sha256"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Historical extracts (partition: event_time; the design is in
// anonymize/policy/historical.go). The run for day D reads its dt=D files,
// then the committed batches under landing/<feed>/historical/ that have
// rows on D, oldest arrival first; their rows placed on other days are
// counted as other_partition by the reader and go no further.

// histBatch is one committed historical batch of a feed: its files and the
// days its rows are placed on.
type histBatch struct {
	arrival time.Time
	ref     string // landing/<feed>/historical/dt=A, as inputs name it
	fp      string // pipeline.LandingFingerprint of the batch folder
	files   []pipeline.LandingFile
	refused []pipeline.RefusedFile
	days    map[string]int64 // rows by the day Place gives them
}

// batchCache remembers each batch's listing and days by its fingerprint
// and the feed's policy: the runner asks for them for every date it
// checks, and a batch, once committed, is never rewritten. A changed
// batch or policy is a new key; the handful of extracts an installation
// lands keeps it small.
var batchCache sync.Map // string → *histBatch

// batches lists the feed's committed historical batches, oldest first.
func batches(landing string, pol *policy.Compiled) ([]*histBatch, error) {
	feed := pol.Feed.Name
	arrivals, err := policy.HistoricalBatches(landing, feed)
	if err != nil || len(arrivals) == 0 {
		return nil, err
	}
	hf := policy.HistoricalFeed(feed)
	out := make([]*histBatch, 0, len(arrivals))
	for _, a := range arrivals {
		dt := a.Format(time.DateOnly)
		fp, err := pipeline.LandingFingerprint(landing, hf, dt)
		if err != nil {
			return nil, err
		}
		abs, _ := filepath.Abs(landing)
		key := pol.Fingerprint() + "\x00" + abs + "\x00" + feed + "\x00" + dt + "\x00" + fp
		if b, ok := batchCache.Load(key); ok {
			out = append(out, b.(*histBatch))
			continue
		}
		b, err := readBatch(landing, pol, a, fp)
		if err != nil {
			return nil, err
		}
		batchCache.Store(key, b)
		out = append(out, b)
	}
	return out, nil
}

// readBatch lists a batch and places its rows. Every file it reads must
// be CSV with a format that declares partition: event_time: a JSON Lines
// or arrival-day file there would have no day of its own.
func readBatch(landing string, pol *policy.Compiled, arrival time.Time, fp string) (*histBatch, error) {
	dt := arrival.Format(time.DateOnly)
	hf := policy.HistoricalFeed(pol.Feed.Name)
	l, err := pipeline.ListLanding(landing, hf, dt, pol.Files().Landing())
	if err != nil {
		return nil, err
	}
	b := &histBatch{arrival: arrival, ref: "landing/" + filepath.ToSlash(hf) + "/dt=" + dt, fp: fp,
		files: l.Files, refused: l.Refused, days: map[string]int64{}}
	for _, f := range l.Files {
		format, err := historicalFormat(pol, f.Rel)
		if err != nil {
			return nil, err
		}
		days, err := fileDays(f, format, arrival)
		if err != nil {
			return nil, fmt.Errorf("historical batch %s: %w", f.Rel, err)
		}
		for d, n := range days {
			b.days[d] += n
		}
	}
	return b, nil
}

// historicalFormat returns the event_time format of a historical file.
func historicalFormat(pol *policy.Compiled, rel string) (*policy.Format, error) {
	var f *policy.Format
	if policy.IsCSV(rel) {
		f = pol.FormatFor(csvName(rel))
	}
	if f == nil || !f.EventTime {
		return nil, fmt.Errorf("historical file %s: a historical batch holds CSV files read through a format of feed %s with partition: %s", rel, pol.Feed.Name, policy.PartitionEventTime)
	}
	return f, nil
}

// csvName is a landing file's base name without .gz, as formats match it.
func csvName(rel string) string {
	name := filepath.Base(rel)
	if policy.IsGzip(name) {
		name = name[:len(name)-len(".gz")]
	}
	return name
}

// fileDays counts one file's rows by day; a damaged gzip file fails.
func fileDays(lf pipeline.LandingFile, f *policy.Format, arrival time.Time) (map[string]int64, error) {
	fh, err := os.Open(lf.Path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if policy.IsGzip(lf.Rel) {
		r = newGzipReader(&countReader{r: fh, h: sha256.New()})
	}
	return f.Days(r, arrival)
}

// historicalFor returns the batches with rows on day, oldest first.
func historicalFor(landing string, pol *policy.Compiled, day time.Time) ([]*histBatch, error) {
	all, err := batches(landing, pol)
	if err != nil {
		return nil, err
	}
	dt := day.Format(time.DateOnly)
	var out []*histBatch
	for _, b := range all {
		if b.days[dt] > 0 {
			out = append(out, b)
		}
	}
	return out, nil
}

// extractInputs is Extracts.ExtractInputs for a feed's stage.
func extractInputs(f *policy.File, feed schemas.Input, landing string, dt time.Time) ([]sinks.Input, error) {
	pol, err := compile(f, feed)
	if err != nil {
		return nil, nil // the run fails and says why
	}
	bs, err := historicalFor(landing, pol, dt)
	if err != nil {
		return nil, err
	}
	in := make([]sinks.Input, len(bs))
	for i, b := range bs {
		in[i] = sinks.Input{Ref: b.ref, Fingerprint: b.fp}
	}
	return in, nil
}

// extractDates is Extracts.ExtractDates for a feed's stage.
func extractDates(f *policy.File, feed schemas.Input, landing string) ([]time.Time, error) {
	pol, err := compile(f, feed)
	if err != nil {
		return nil, nil
	}
	bs, err := batches(landing, pol)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, b := range bs {
		for d := range b.days {
			seen[d] = true
		}
	}
	var out []time.Time
	for _, d := range slices.Sorted(maps.Keys(seen)) {
		t, _ := time.Parse(time.DateOnly, d)
		out = append(out, t)
	}
	return out, nil
}

// ExtractInputs names the historical batches with rows on dt.
func (s Events) ExtractInputs(landing string, dt time.Time) ([]sinks.Input, error) {
	return extractInputs(s.Policy, schemas.Events, landing, dt)
}

// ExtractDates lists the days historical event batches have rows on.
func (s Events) ExtractDates(landing string) ([]time.Time, error) {
	return extractDates(s.Policy, schemas.Events, landing)
}
