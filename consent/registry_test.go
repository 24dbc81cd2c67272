package consent

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// commit writes entries as optout_registry/dt=dt.
func commit(t *testing.T, wh *sinks.Warehouse, mem memory.Allocator, dt string, entries []Entry) *sinks.Manifest {
	t.Helper()
	pw, err := wh.Begin(schemas.OptOutRegistry, sinks.Partition{DT: dt}, "optouts", "run-"+dt)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	w, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecord(mem, entries)
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := pw.Commit(sinks.CommitInfo{KeyIDs: map[string]uint32{"tokens-reversible": 7}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadAndLatest(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	wh, err := sinks.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, wh, mem, "2026-11-19"); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("load of a missing partition: %v, want ErrNotCommitted", err)
	}
	if _, err := Latest(ctx, wh, mem, "2026-11-19"); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("latest with none: %v, want ErrNotCommitted", err)
	}

	day1 := []Entry{
		{UserToken: "r_a", OptedOut: true, Since: at(0), FirstOptOut: at(0), Changes: 1},
		{UserToken: "r_b", Since: at(1)}, // a withdrawal with nothing to withdraw
	}
	day2, _, err := Fold(day1, []Change{{"r_a", at(24), Withdraw}, {"r_c", at(25), OptOut}})
	if err != nil {
		t.Fatal(err)
	}
	m1 := commit(t, wh, mem, "2026-11-19", day1)
	m2 := commit(t, wh, mem, "2026-11-20", day2)

	r, err := Load(ctx, wh, mem, "2026-11-19")
	if err != nil {
		t.Fatal(err)
	}
	if !r.OptedOut("r_a") || r.OptedOut("r_b") || r.OptedOut("r_c") || r.Len() != 1 {
		t.Errorf("2026-11-19: a %v b %v c %v len %d", r.OptedOut("r_a"), r.OptedOut("r_b"), r.OptedOut("r_c"), r.Len())
	}
	if r.DT() != "2026-11-19" || r.Fingerprint() != m1.Fingerprint() || r.KeyIDs()["tokens-reversible"] != 7 {
		t.Errorf("dt %s, fingerprint %s (manifest %s), keys %v", r.DT(), r.Fingerprint(), m1.Fingerprint(), r.KeyIDs())
	}

	// An older date is answered with the newest registry: the withdrawal
	// and the new opt-out of the 20th count.
	for _, notBefore := range []string{"2026-01-01", "2026-11-19", "2026-11-20"} {
		r, err := Latest(ctx, wh, mem, notBefore)
		if err != nil {
			t.Fatal(err)
		}
		if r.DT() != "2026-11-20" || r.Fingerprint() != m2.Fingerprint() || r.OptedOut("r_a") || !r.OptedOut("r_c") || r.Len() != 1 {
			t.Errorf("latest %s: dt %s, a %v, c %v, len %d", notBefore, r.DT(), r.OptedOut("r_a"), r.OptedOut("r_c"), r.Len())
		}
	}
	if _, err := Latest(ctx, wh, mem, "2026-11-21"); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Errorf("latest after the newest: %v, want ErrNotCommitted", err)
	}
	if _, err := Latest(ctx, wh, mem, "yesterday"); err == nil {
		t.Error("latest accepted a bad date")
	}

	got, err := ReadEntries(ctx, wh, mem, "2026-11-20")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, day2) {
		t.Errorf("read back %+v\nwant %+v", got, day2)
	}
}
