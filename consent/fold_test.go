package consent

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC)

func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

func TestFold(t *testing.T) {
	optedOut := Entry{UserToken: "r_a", OptedOut: true, Since: at(-24), FirstOptOut: at(-24), Changes: 1}
	withdrawn := Entry{UserToken: "r_a", Since: at(-12), FirstOptOut: at(-24), Changes: 2}
	for _, tc := range []struct {
		name    string
		prev    []Entry
		changes []Change
		want    []Entry
		stats   FoldStats
	}{
		{
			name:    "opt out",
			changes: []Change{{"r_a", at(0), OptOut}},
			want:    []Entry{{UserToken: "r_a", OptedOut: true, Since: at(0), FirstOptOut: at(0), Changes: 1}},
			stats:   FoldStats{Requests: 1, NewOptOuts: 1, Consumers: 1, OptedOut: 1},
		},
		{
			name:    "withdraw an earlier day's opt-out",
			prev:    []Entry{optedOut},
			changes: []Change{{"r_a", at(0), Withdraw}},
			want:    []Entry{{UserToken: "r_a", Since: at(0), FirstOptOut: at(-24), Changes: 2}},
			stats:   FoldStats{Carried: 1, Requests: 1, Withdrawals: 1, Consumers: 1},
		},
		{
			name:    "opt out again after a withdrawal",
			prev:    []Entry{withdrawn},
			changes: []Change{{"r_a", at(0), OptOut}},
			want:    []Entry{{UserToken: "r_a", OptedOut: true, Since: at(0), FirstOptOut: at(-24), Changes: 3}},
			stats:   FoldStats{Carried: 1, Requests: 1, NewOptOuts: 1, Consumers: 1, OptedOut: 1},
		},
		{
			name:    "opt out, withdraw, opt out in one day, given out of order",
			changes: []Change{{"r_a", at(2), OptOut}, {"r_a", at(1), Withdraw}, {"r_a", at(0), OptOut}},
			want:    []Entry{{UserToken: "r_a", OptedOut: true, Since: at(2), FirstOptOut: at(0), Changes: 3}},
			stats:   FoldStats{Requests: 3, NewOptOuts: 2, Withdrawals: 1, Consumers: 1, OptedOut: 1},
		},
		{
			name:    "equal times: the opt-out wins, whatever the order given",
			changes: []Change{{"r_a", at(0), OptOut}, {"r_a", at(0), Withdraw}},
			want:    []Entry{{UserToken: "r_a", OptedOut: true, Since: at(0), FirstOptOut: at(0), Changes: 1}},
			stats:   FoldStats{Requests: 2, NewOptOuts: 1, Unchanged: 1, Consumers: 1, OptedOut: 1},
		},
		{
			name:    "equal times after an opt-out: still opted out",
			prev:    []Entry{optedOut},
			changes: []Change{{"r_a", at(0), OptOut}, {"r_a", at(0), Withdraw}},
			want:    []Entry{{UserToken: "r_a", OptedOut: true, Since: at(0), FirstOptOut: at(-24), Changes: 3}},
			stats:   FoldStats{Carried: 1, Requests: 2, NewOptOuts: 1, Withdrawals: 1, Consumers: 1, OptedOut: 1},
		},
		{
			name:    "a repeated opt-out changes nothing",
			prev:    []Entry{optedOut},
			changes: []Change{{"r_a", at(0), OptOut}},
			want:    []Entry{optedOut},
			stats:   FoldStats{Carried: 1, Requests: 1, Unchanged: 1, Consumers: 1, OptedOut: 1},
		},
		{
			name:    "a withdrawal with nothing to withdraw is remembered, not opted out",
			changes: []Change{{"r_b", at(0), Withdraw}},
			want:    []Entry{{UserToken: "r_b", Since: at(0)}},
			stats:   FoldStats{Requests: 1, Unchanged: 1, Consumers: 1},
		},
		{
			name:    "consumers are independent and sorted by token",
			prev:    []Entry{{UserToken: "r_c", OptedOut: true, Since: at(-30), FirstOptOut: at(-30), Changes: 1}},
			changes: []Change{{"r_b", at(1), OptOut}, {"r_a", at(0), OptOut}, {"r_a", at(3), Withdraw}},
			want: []Entry{
				{UserToken: "r_a", Since: at(3), FirstOptOut: at(0), Changes: 2},
				{UserToken: "r_b", OptedOut: true, Since: at(1), FirstOptOut: at(1), Changes: 1},
				{UserToken: "r_c", OptedOut: true, Since: at(-30), FirstOptOut: at(-30), Changes: 1},
			},
			stats: FoldStats{Carried: 1, Requests: 3, NewOptOuts: 2, Withdrawals: 1, Consumers: 3, OptedOut: 2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev, changes := slices.Clone(tc.prev), slices.Clone(tc.changes)
			got, st, err := Fold(tc.prev, tc.changes)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if st != tc.stats {
				t.Errorf("stats %+v, want %+v", st, tc.stats)
			}
			if !slices.Equal(prev, tc.prev) || !slices.Equal(changes, tc.changes) {
				t.Error("Fold modified its inputs")
			}
		})
	}
}

func TestFoldRefuses(t *testing.T) {
	if _, _, err := Fold(nil, []Change{{"r_a", at(0), "unsubscribe"}}); err == nil || !strings.Contains(err.Error(), "unknown action") {
		t.Errorf("unknown action: %v", err)
	}
	twice := []Entry{{UserToken: "r_a", Since: at(0)}, {UserToken: "r_a", Since: at(1)}}
	if _, _, err := Fold(twice, nil); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("token twice in prev: %v", err)
	}
}

func TestCompare(t *testing.T) {
	cs := []Change{{"r_b", at(1), OptOut}, {"r_a", at(1), OptOut}, {"r_z", at(1), Withdraw}, {"r_a", at(0), OptOut}}
	slices.SortFunc(cs, Compare)
	want := []Change{{"r_a", at(0), OptOut}, {"r_z", at(1), Withdraw}, {"r_a", at(1), OptOut}, {"r_b", at(1), OptOut}}
	if !slices.Equal(cs, want) {
		t.Errorf("fold order %+v, want %+v", cs, want)
	}
}
