package pitref

import (
	"testing"

	"github.com/veil-data/veil/risk/features"
)

// honest computes rows for every scored event the way a correct stage would.
func honest(hist []features.Event, labels []features.Label) []Checked {
	var rows []Checked
	for _, e := range hist {
		if features.IsScored(e.Type) {
			rows = append(rows, Checked{e, Compute(hist, labels, e)})
		}
	}
	return rows
}

// The index hands compute only the events that matter to a row; on streams
// where everything collides, and on sparser ones, that must give exactly
// Compute over all of history.
func TestAuditPassesHonestRows(t *testing.T) {
	for _, c := range []struct {
		seed uint64
		n    int
	}{{1, 1200}, {2, 300}, {3, 40}} {
		hist, labels := RandomStream(c.seed, c.n)
		rows := honest(hist, labels)
		if len(rows) < c.n/3 {
			t.Fatalf("only %d scored rows of %d", len(rows), c.n)
		}
		if ms := Audit(hist, labels, rows); len(ms) > 0 {
			t.Fatalf("seed %d: %d mismatches on honest rows, first %v", c.seed, len(ms), ms[0])
		}
	}
	for _, c := range handCases {
		if ms := Audit(c.hist, c.labels, []Checked{{c.e, Compute(c.hist, c.labels, c.e)}}); len(ms) > 0 {
			t.Errorf("%s: %v", c.name, ms)
		}
	}
}

func TestAuditReportsTamperedRow(t *testing.T) {
	hist, labels := RandomStream(5, 400)
	rows := honest(hist, labels)
	ix := NewIndex(hist, labels)
	for _, name := range []string{"user_logins_24h", "cluster_size", "amount", "card_accounts_30d"} {
		i := features.Index[name]
		k := (i * 7) % len(rows)
		tampered := append([]Checked(nil), rows...)
		row := append(features.Row(nil), rows[k].Row...)
		want := row[i]
		if features.IsNull(want) {
			row[i] = 0 // a null written as 0 is a change too
		} else {
			row[i] = want + 1
		}
		tampered[k].Row = row
		ms := ix.Audit(tampered)
		if len(ms) != 1 {
			t.Fatalf("%s: %d mismatches, want 1: %v", name, len(ms), ms)
		}
		m := ms[0]
		if m.EventID != rows[k].Event.ID || m.Feature != name || !Same(m.Got, row[i]) || !Same(m.Want, want) {
			t.Errorf("%s: got %v", name, m)
		}
	}
	short := []Checked{{rows[0].Event, rows[0].Row[:3]}}
	if ms := ix.Audit(short); len(ms) != 1 || ms[0].Feature != "row_length" {
		t.Errorf("short row: %v", ms)
	}
}

// A stage that let an event see what happened at its own ts (a broken tie
// rule) or just after it must fail the audit.
func TestAuditCatchesPlantedFutureEvent(t *testing.T) {
	user := "u1"
	hist := []features.Event{
		ev("a", now-hour, "login", user, "d1", "i1", ""),
		ev("b", now, "purchase", user, "d1", "i1", "c1"),
		ev("planted", now, "login_failed", user, "d2", "i1", ""), // simultaneous: unknown to b
		ev("later", now+1, "payment_failed", user, "d1", "i1", ""),
	}
	e := hist[1]
	leaky := e
	leaky.TS = now + 2 // what a stage that read up to and including "later" computes
	rows := []Checked{{e, Compute(hist, nil, leaky)}}
	ms := Audit(hist, nil, rows)
	got := map[string]bool{}
	for _, m := range ms {
		got[m.Feature] = true
	}
	for _, name := range []string{"user_failed_logins_1h", "user_failed_payments_1h", "user_devices_1h", "device_failed_payments_1h"} {
		if !got[name] {
			t.Errorf("audit missed %s; mismatches %v", name, ms)
		}
	}
	if ms := Audit(hist, nil, []Checked{{e, Compute(hist, nil, e)}}); len(ms) > 0 {
		t.Errorf("honest row failed: %v", ms)
	}
}

func TestMismatchString(t *testing.T) {
	m := Mismatch{EventID: "ev1", Feature: "cluster_size", Got: 2, Want: nan}
	if got, want := m.String(), "event ev1: cluster_size = 2, want NaN"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
