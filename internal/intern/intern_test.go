package intern

import (
	"slices"
	"testing"
	"unsafe"
)

func TestTable(t *testing.T) {
	tb := New()
	for i, tc := range []struct {
		s     string
		id    uint32
		added bool
	}{{"b", 0, true}, {"b", 0, false}, {"a", 1, true}, {"c", 2, true}, {"a", 1, false}, {"b", 0, false}} {
		id, added := tb.Add(tc.s)
		if id != tc.id || added != tc.added {
			t.Fatalf("step %d: Add(%q) = %d, %v; want %d, %v", i, tc.s, id, added, tc.id, tc.added)
		}
	}
	if tb.Len() != 3 || tb.Name(2) != "c" {
		t.Fatalf("len %d, name(2) %q", tb.Len(), tb.Name(2))
	}
	if got := tb.Sorted(); !slices.Equal(got, []uint32{1, 0, 2}) {
		t.Fatalf("Sorted() = %v", got)
	}
}

// TestCopies: a numbered string does not share the caller's bytes.
func TestCopies(t *testing.T) {
	b := []byte("token")
	tb := New()
	tb.ID(unsafe.String(&b[0], len(b))) // as a string read from an Arrow buffer
	b[0] = 'X'
	if tb.Name(0) != "token" {
		t.Fatal("name changed with the caller's buffer")
	}
}
