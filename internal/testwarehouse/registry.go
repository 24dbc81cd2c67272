package testwarehouse

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// WriteRegistry commits optout_registry/day holding entries (sorted by
// token, as the optouts stage writes them).
func WriteRegistry(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, day string, entries []consent.Entry) {
	tb.Helper()
	rec := consent.NewRecord(mem, entries)
	defer rec.Release()
	Commit(tb, w, mem, schemas.OptOutRegistry, sinks.Partition{DT: day}, "optouts", rec)
}
