package pipeline

import (
	"slices"
	"time"

	"github.com/veil-data/veil/sinks"
)

// Extracts is a stage that reads, besides its daily landing partitions,
// historical batches whose rows fall on many days (a four-month extract
// landed once: anonymize/policy/historical.go). Plan cannot name them, as
// it reads nothing; the runner asks the stage instead.
type Extracts interface {
	Stage
	// ExtractInputs lists the committed batches that have rows on dt,
	// each with a fingerprint that changes when the batch does. They are
	// inputs of dt like its landing partition: a new batch makes due the
	// days it has rows on, and only those. With any, the stage is ready
	// for dt without a daily landing partition.
	ExtractInputs(landing string, dt time.Time) ([]sinks.Input, error)
	// ExtractDates lists the days any committed batch has rows on, so
	// that run, backfill and status consider them.
	ExtractDates(landing string) ([]time.Time, error)
}

// LandingFingerprint changes when an entry of a committed landing
// partition is added, removed or rewritten; feed may be a historical
// batch folder (events/historical). See landingFingerprint.
func LandingFingerprint(landing, feed, dt string) (string, error) {
	return landingFingerprint(landing, feed, dt)
}

// extractInputs returns s's historical inputs for dt, if s has any.
func (r *Runner) extractInputs(s Stage, dt time.Time) ([]sinks.Input, error) {
	x, ok := s.(Extracts)
	if !ok {
		return nil, nil
	}
	return x.ExtractInputs(r.Env.Landing, dt)
}

// mergeDates adds more to sorted dates, keeping them sorted and unique.
func mergeDates(dates, more []time.Time) []time.Time {
	for _, d := range more {
		i, found := slices.BinarySearchFunc(dates, d, func(a, b time.Time) int { return a.Compare(b) })
		if !found {
			dates = slices.Insert(dates, i, d)
		}
	}
	return dates
}
