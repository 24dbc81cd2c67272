package policy

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// Historical extracts (partition: event_time).
//
// A daily landing partition dt=D holds what arrived on D, and its events
// must fall on D. A historical extract (Fraud_Data: four months of
// purchases in one file) arrives on one day but describes many, and its
// rows must reach the days they happened on, where point-in-time features
// and labels look for them. The ingest stage runs per day D, so it must
// find D's rows in files that arrived on other days:
//
//   - Such files land in batches under landing/<feed>/historical/dt=A/,
//     A being the arrival day, committed by _SUCCESS like any partition
//     and never rewritten afterwards (a correction is a new batch).
//     List them with HistoricalBatches; list a batch's files with
//     pipeline.ListLanding(landing, HistoricalFeed(feed), A, rules).
//   - The run for D reads its dt=D files as always (the day may have
//     none), then every committed batch that has rows on D, in arrival
//     order, each file through its format, which must declare
//     partition: event_time (any other file there fails the run, naming
//     it). The ingest stages implement pipeline.Extracts: the batches
//     with rows on D are inputs of D with their fingerprints, and the
//     days batches have rows on are dates the runner considers.
//   - Place gives every row of a batch exactly one day: its event day
//     when its ts reads, else the batch's arrival day A. A row without a
//     readable time (bad_csv, a bad cell, no ts) is therefore quarantined
//     once, by the run for A, and not by every run.
//   - In the run for D, a row placed on another day is skipped and counted
//     as ReasonOtherPartition: records in = out + quarantined + duplicates
//   - other_partition, so every record read is counted out in every run,
//     and over all days each row is written or quarantined exactly once.
//   - A row placed on D goes through the feed's checks as a row of dt=D
//     (its time field, Input.TimeField: ts, or known_at for labels);
//     its derived event_id (a token of the whole row) makes the same row
//     in two batches a declared duplicate.
//   - Re-running D reads the same batches, so gives the same rows; a new
//     batch changes the inputs of only the days it has rows on (Days
//     lists them), which the runner re-runs and adds to the dates it
//     knows. Other days' stats do not change: they never read it.
//
// In a daily dt= folder an event_time format reads as event_day does: a
// historical file dropped there by mistake has its other days' rows
// quarantined as ts_outside_partition, loudly, not spread silently.
//
// Each run reads its batches whole: fine for extracts (Fraud_Data's 30k
// rows over 348 purchase days are about 10.5M row reads in all, about 45
// s of ingest). Bigger archives want a per-batch index of day to byte
// range, written once on arrival.
const HistoricalDir = "historical"

// ReasonOtherPartition counts a historical row that belongs to another
// day's run: neither written nor quarantined by this one.
const ReasonOtherPartition = "other_partition"

// HistoricalFeed is the landing path, relative to the landing root, under
// which the feed's historical batches are dt= folders; pass it where
// pipeline functions take a feed name.
func HistoricalFeed(feed string) string { return filepath.Join(feed, HistoricalDir) }

// HistoricalBatches lists the arrival days of the feed's committed
// historical batches (those with _SUCCESS), oldest first.
func HistoricalBatches(landing, feed string) ([]time.Time, error) {
	hf := HistoricalFeed(feed)
	days, err := pipeline.LandingDates(landing, hf)
	if err != nil {
		return nil, fmt.Errorf("historical batches of %s: %w", feed, err)
	}
	out := days[:0]
	for _, d := range days {
		dir := pipeline.LandingDir(landing, hf, d.Format(time.DateOnly))
		_, err := os.Stat(filepath.Join(dir, schemas.SuccessMarker))
		switch {
		case err == nil:
			out = append(out, d)
		case errors.Is(err, fs.ErrNotExist): // still being written
		default:
			return nil, fmt.Errorf("historical batch %s: %w", dir, err)
		}
	}
	return out, nil
}

// Place returns the day a decoded row of a historical file belongs to:
// the UTC day of its event time, or arrival when it has none that reads.
func (f *Format) Place(vals []string, present []bool, arrival time.Time) time.Time {
	if vals != nil && f.ts >= 0 && present[f.ts] {
		if t, err := time.Parse(time.RFC3339Nano, vals[f.ts]); err == nil {
			return t.UTC().Truncate(24 * time.Hour)
		}
	}
	return arrival.UTC().Truncate(24 * time.Hour)
}

// Days reads one historical file (plain text; gunzip first) and counts
// its rows by the day Place gives them, as YYYY-MM-DD: the days whose runs
// the file feeds.
func (f *Format) Days(r io.Reader, arrival time.Time) (map[string]int64, error) {
	fr, err := f.Decoder.Open(r)
	if err != nil {
		return nil, err
	}
	days := make(map[string]int64)
	for {
		row, err := fr.Next()
		if err == io.EOF {
			return days, nil
		}
		if err != nil {
			return nil, err
		}
		days[f.Place(row.Values, row.Present, arrival).Format(time.DateOnly)]++
	}
}
