// Package intern numbers distinct strings densely, in order of first
// sight: the per-consumer state of the tags and risk stages lives in
// slices indexed by these numbers rather than in maps of strings.
package intern

import (
	"slices"
	"strings"
)

// Table numbers strings. Each string is copied once, so that a number
// never pins the (Arrow) buffer the string was read from. The previous
// string is remembered: a consumer's events come in runs, so most lookups
// are one compare. A Table is not safe for concurrent use.
type Table struct {
	ids    map[string]uint32
	names  []string
	last   string
	lastID uint32
}

// New returns an empty Table.
func New() *Table { return &Table{ids: make(map[string]uint32)} }

// ID returns the number of s, numbering it if it is new.
func (t *Table) ID(s string) uint32 {
	id, _ := t.Add(s)
	return id
}

// Add returns the number of s, and whether s was added by this call.
func (t *Table) Add(s string) (id uint32, added bool) {
	if len(t.names) > 0 && s == t.last {
		return t.lastID, false
	}
	id, ok := t.ids[s]
	if !ok {
		id = uint32(len(t.names))
		s = strings.Clone(s)
		t.ids[s] = id
		t.names = append(t.names, s)
	}
	t.last, t.lastID = t.names[id], id
	return id, !ok
}

// Name returns the string numbered id.
func (t *Table) Name(id uint32) string { return t.names[id] }

// Len returns how many strings are numbered.
func (t *Table) Len() int { return len(t.names) }

// Sorted returns every number, ordered by its string.
func (t *Table) Sorted() []uint32 {
	ids := make([]uint32, len(t.names))
	for i := range ids {
		ids[i] = uint32(i)
	}
	slices.SortFunc(ids, func(x, y uint32) int { return strings.Compare(t.names[x], t.names[y]) })
	return ids
}

// Lookup returns the number of s without numbering it.
func (t *Table) Lookup(s string) (uint32, bool) {
	id, ok := t.ids[s]
	return id, ok
}
