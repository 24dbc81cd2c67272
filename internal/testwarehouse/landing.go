package testwarehouse

import (
	"math"
	"testing"
	"time"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/synth"
)

// The generator's landing days for tests that skip ingest. Tokens are a
// bijection of raw ids, so raw ids stand where events_clean holds tokens
// and the ground truth is read by them.

// LandingDay is a generated day as ingest would accept it, as Events for
// WriteEvents.
func LandingDay(tb testing.TB, dir string, day time.Time, seen map[string]bool) []Event {
	tb.Helper()
	les := readDay(tb, dir, day, seen)
	out := make([]Event, len(les))
	for i, le := range les {
		out[i] = Event{ID: le.ID, TS: le.TS, Type: le.Type, User: le.User, Device: le.Device,
			IP: le.IP, IPPrefix: le.Prefix, Card: le.Card, Live: le.Live}
		if le.Amount != nil {
			out[i].Amount = *le.Amount
		}
	}
	return out
}

// EngineDay is a generated day as ingest would accept it, as events for
// the feature engine, keyed by raw ids.
func EngineDay(tb testing.TB, dir string, day time.Time, seen map[string]bool) []features.Event {
	tb.Helper()
	les := readDay(tb, dir, day, seen)
	out := make([]features.Event, len(les))
	for i, le := range les {
		e := features.Event{ID: le.ID, TS: le.TS.UnixMilli(), Type: le.Type, Live: le.Live}
		e.Keys = [features.NEntities]string{le.User, le.Device, le.IP, le.Prefix, le.Card}
		if le.Amount != nil {
			// As risk.Amount4: ten-thousandths, rounded.
			e.Amount4, e.HasAmount = int64(math.Round(*le.Amount*1e4)), true
		}
		out[i] = e
	}
	return out
}

func readDay(tb testing.TB, dir string, day time.Time, seen map[string]bool) []synth.LandingEvent {
	tb.Helper()
	les, err := synth.ReadLandingDay(dir, day, seen)
	if err != nil {
		tb.Fatal(err)
	}
	return les
}
