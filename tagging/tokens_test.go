package tagging

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestTokenTable holds tokenTable to a map and a plain sort on the same
// tokens: numbering by first sight, names, and the order Sorted gives,
// across table growth and tokens that share long prefixes, differ only in
// length, are empty or hold NUL bytes.
func TestTokenTable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var mixed, prefixed []string
	for i := range 5000 {
		s := fmt.Sprintf("r_AStcMwc%x", r.Uint64()>>(r.IntN(64)))
		mixed = append(mixed, s, fmt.Sprintf("r_%d", i%700))
		prefixed = append(prefixed, s)
	}
	mixed = append(mixed, "", "r_AStcMwc\x00", "r_AStcMwc\x00\x00", "r_AStcMwd", strings.Repeat("x", 3<<20))
	// All share "r_AStcMwc", so Sorted keys start after it.
	prefixed = append(prefixed, "r_AStcMwc", "r_AStcMwc\x00", "r_AStcMwc\x00\x00\x00\x00\x00\x00\x00\x00\x01")
	for _, in := range [][]string{mixed, prefixed} {
		checkTokenTable(t, in)
	}
}

func checkTokenTable(t *testing.T, in []string) {
	t.Helper()
	tt := newTokenTable()
	want := map[string]uint32{}
	var names []string
	for _, s := range in {
		id, added := tt.Add(s)
		w, seen := want[s]
		if !seen {
			w = uint32(len(names))
			want[s] = w
			names = append(names, s)
		}
		if id != w || added == seen {
			t.Fatalf("Add(%q) = %d, %v; want %d, %v", s, id, added, w, !seen)
		}
	}
	if tt.Len() != len(names) {
		t.Fatalf("Len %d, want %d", tt.Len(), len(names))
	}
	for id, s := range names {
		if tt.Name(uint32(id)) != s {
			t.Fatalf("Name(%d) = %q, want %q", id, tt.Name(uint32(id)), s)
		}
	}
	var got []string
	for _, id := range tt.Sorted() {
		got = append(got, tt.Name(id))
	}
	if !slices.Equal(got, slices.Sorted(slices.Values(names))) {
		t.Error("Sorted is not strings.Compare order")
	}
}
