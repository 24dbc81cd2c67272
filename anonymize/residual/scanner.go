package residual

import (
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize/pii"
)

// Scanner checks values against a set of Needles and accumulates findings.
// Its methods may be called from many goroutines at once; the Needles must
// not change while it is in use.
//
// A value is checked in full once per column (a UUID in a Kept column,
// whose check is one lookup, every time): the Scanner remembers a 64-bit
// keyed hash of each (column, value), never the value, so its memory holds
// no raw data and no copies of the strings it saw.
type Scanner struct {
	needles *Needles
	seed    maphash.Seed
	seen    seenSet
	shard   *shardScope // nil: needles is the whole set (see Spill.Scan)

	cells, distinct atomic.Int64

	mu         sync.Mutex
	findings   map[findingKey]int64
	collisions map[findingKey]int64
}

// NewScanner returns a Scanner for needles (nil for none).
func NewScanner(needles *Needles) *Scanner {
	if needles == nil {
		needles = NewNeedles(DefaultMinLen)
	}
	return &Scanner{needles: needles, seed: maphash.MakeSeed(), findings: map[findingKey]int64{}, collisions: map[findingKey]int64{}}
}

// Check checks one non-null value of column. For many values prefer
// ScanRecord, which also skips repeats without locking.
func (s *Scanner) Check(dataset, column string, class Class, v string) {
	s.cells.Add(1)
	col := s.columnHash(dataset, column)
	if class == Token {
		s.checkToken(dataset, column, col, v)
	} else if s.checkValue(dataset, column, class, col, v, nil) {
		s.distinct.Add(1)
	}
}

// ScanRecord checks every string column of rec (string, large string and
// string view arrays, dictionaries of them, and lists of any of these,
// whose every element is a cell of the column), with the class classes
// gives its name; a column classes does not name is Generalised. Nulls are
// skipped; other column types hold no strings and are not scanned.
func (s *Scanner) ScanRecord(dataset string, rec arrow.RecordBatch, classes map[string]Class) {
	schema := rec.Schema()
	var cells, distinct int64
	for i, arr := range rec.Columns() {
		name := schema.Field(i).Name
		c, d := s.scanArray(dataset, name, classes[name], arr)
		cells += c
		distinct += d
	}
	s.cells.Add(cells)
	s.distinct.Add(distinct)
}

// ScanText checks a whole text — a report's JSON, a log — for needles as
// substrings, under the name given; Count is the number of occurrences.
// It does not look for PII patterns, which reports and logs legitimately
// name. The text is searched as it is: a needle an encoder escaped (JSON
// writes & as \u0026) is not found, so scan what a reader decodes where
// values may hold such characters.
func (s *Scanner) ScanText(dataset, name, text string) {
	s.cells.Add(1)
	if n := s.needles.Count(text); n > 0 {
		s.record(s.findings, dataset, name, RawSubstring, int64(n))
	}
}

// RowCheck checks one row's kept values against the same row's protected
// raw values (its user id, device id, phone in every form the caller
// derives, …): none may equal or contain one, by the digit rule of
// Needles.Contains. columns[i] names kept[i]. Protected values shorter than
// the needles' MinLen are ignored. It is meant for the parse workers, per
// row, and reports whether the row is clean.
func (s *Scanner) RowCheck(dataset string, columns, kept, protected []string) bool {
	if s.shard != nil && !s.shard.first {
		return true // needs no needles: the first pass did it
	}
	minLen := s.needles.MinLen()
	clean := true
	for i, k := range kept {
		for _, p := range protected {
			if len(p) < minLen || len(p) > len(k) {
				continue
			}
			kind := ""
			if len(p) == len(k) {
				if p == k {
					kind = RawExact
				}
			} else if containsBounded(k, p) {
				kind = RawSubstring
			}
			if kind != "" {
				s.record(s.findings, dataset, columns[i], kind, 1)
				clean = false
				break
			}
		}
	}
	return clean
}

// Result returns what has been found so far.
func (s *Scanner) Result() Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Result{
		Needles:    int64(s.needles.Len()),
		Cells:      s.cells.Load(),
		Distinct:   s.distinct.Load(),
		Findings:   sorted(s.findings),
		Collisions: sorted(s.collisions),
	}
	r.Passed = len(r.Findings) == 0
	return r
}

// Format prints counts, never values, for every verb.
func (s *Scanner) Format(f fmt.State, verb rune) {
	r := s.Result()
	fmt.Fprintf(f, "residual.Scanner{needles: %d, cells: %d, findings: %d, collisions: %d}", r.Needles, r.Cells, len(r.Findings), len(r.Collisions))
}

// LogValue logs counts, never values.
func (s *Scanner) LogValue() slog.Value {
	r := s.Result()
	return slog.GroupValue(slog.Int64("needles", r.Needles), slog.Int64("cells", r.Cells),
		slog.Int("findings", len(r.Findings)), slog.Int("collisions", len(r.Collisions)))
}

// stringArray is what the Arrow string arrays have in common.
type stringArray interface {
	Len() int
	NullN() int
	IsNull(i int) bool
	Value(i int) string
}

// scanArray checks one column and returns its cells and distinct values.
func (s *Scanner) scanArray(dataset, column string, class Class, arr arrow.Array) (cells, distinct int64) {
	switch a := arr.(type) {
	case *array.String:
		return s.scanStrings(dataset, column, class, a)
	case *array.LargeString:
		return s.scanStrings(dataset, column, class, a)
	case *array.StringView:
		return s.scanStrings(dataset, column, class, a)
	case *array.Dictionary:
		// The dictionary holds the column's values; check each once.
		// An unused entry is checked too, which only errs on the safe side.
		// a.Dictionary() caches its array in a without a lock, so
		// concurrent scans of one record make their own.
		arr := array.MakeFromData(a.Data().Dictionary())
		defer arr.Release()
		dict, ok := arr.(stringArray)
		if !ok {
			return 0, 0
		}
		_, distinct = s.scanStrings(dataset, column, class, dict)
		return int64(a.Len() - a.NullN()), distinct
	case array.ListLike:
		// A raw value in a list element leaks as one in a cell does.
		elems := listElements(a)
		defer elems.Release()
		return s.scanArray(dataset, column, class, elems)
	}
	return 0, 0
}

// listElements is the part of a's child array that a's non-null lists
// cover: a slice of a record shares its whole child array. Lists that
// are not monotonic (list views) may leave gaps inside the range, which
// are scanned too, on the safe side.
func listElements(a array.ListLike) arrow.Array {
	lo, hi := int64(-1), int64(0)
	nulls := a.NullN() > 0
	for i := range a.Len() {
		if nulls && a.IsNull(i) {
			continue
		}
		start, end := a.ValueOffsets(i)
		if start == end {
			continue
		}
		if lo < 0 || start < lo {
			lo = start
		}
		hi = max(hi, end)
	}
	if lo < 0 {
		lo, hi = 0, 0
	}
	return array.NewSlice(a.ListValues(), lo, hi)
}

func (s *Scanner) scanStrings(dataset, column string, class Class, a stringArray) (cells, distinct int64) {
	col := s.columnHash(dataset, column)
	// Values repeat within a batch (categories, popular items), and a
	// private set of their fingerprints skips repeats without a lock.
	var local *fpSet
	if class != Token {
		local = fpSets.Get().(*fpSet)
		defer local.release()
	}
	nulls := a.NullN() > 0
	for r := range a.Len() {
		if nulls && a.IsNull(r) {
			continue
		}
		cells++
		v := a.Value(r)
		if class == Token {
			s.checkToken(dataset, column, col, v)
		} else if s.checkValue(dataset, column, class, col, v, local) {
			distinct++
		}
	}
	return cells, distinct
}

func (s *Scanner) columnHash(dataset, column string) uint64 {
	return maphash.String(s.seed, dataset)*0x9E3779B97F4A7C15 ^ maphash.String(s.seed, column)
}

// fingerprint is the memo key of v in column col.
func (s *Scanner) fingerprint(col uint64, v string) uint64 {
	return maphash.String(s.seed, v) ^ col
}

// checkToken checks one token cell. The common case, a well-formed token
// while no needle looks like one, costs one pass over the bytes and no
// lookup.
func (s *Scanner) checkToken(dataset, column string, col uint64, v string) {
	ok := WellFormedToken(v)
	tokens := s.needles.tokens > 0
	if s.shard != nil {
		tokens = s.shard.tokens
	}
	exact := (!ok || tokens) && s.has(v)
	if ok && !exact {
		return
	}
	fp := s.fingerprint(col, v)
	if !s.seen.add(fp) {
		return // counted once per distinct value
	}
	if s.shard != nil {
		if exact {
			s.shard.hits.note(dataset, column, Token, fp, hitExact)
		}
		if !ok && s.shard.first {
			s.record(s.findings, dataset, column, MalformedToken, 1)
		}
		return
	}
	if exact {
		s.record(s.findings, dataset, column, RawExact, 1)
	}
	if !ok {
		s.record(s.findings, dataset, column, MalformedToken, 1)
	}
}

// checkValue checks a value of a non-token column the first time the
// column has it (local, if given, holds what this call has seen), and
// reports whether it did. Only free-text classes are searched for PII
// patterns (see Class). A UUID in a kept column is the exception: it
// holds no PII pattern (see isUUID), so its check is one lookup, cheaper
// than remembering it, and it is checked every time; the memo then only
// keeps a collision from being counted twice.
func (s *Scanner) checkValue(dataset, column string, class Class, col uint64, v string, local *fpSet) bool {
	if s.shard != nil {
		return s.checkValueShard(dataset, column, class, col, v, local)
	}
	uuid := isUUID(v)
	n := s.needles
	if class == Kept && uuid {
		if n.Has(v) && s.seen.add(s.fingerprint(col, v)) {
			s.record(s.collisions, dataset, column, RawExact, 1)
		}
		return true
	}
	fp := s.fingerprint(col, v)
	if local != nil && !local.add(fp) || !s.seen.add(fp) {
		return false
	}
	var vd verdict
	switch class {
	case Kept:
		vd.collision = n.Has(v)
	case Label:
		if vd.collision = n.Has(v); !vd.collision && n.Contains(v) {
			vd.add(RawSubstring)
		}
	case Identifier:
		if n.Has(v) {
			vd.add(RawExact)
		}
	default:
		exempt := class == Generalised && isNetwork(v)
		switch {
		case n.Has(v):
			vd.add(RawExact)
		case !exempt && n.Contains(v):
			vd.add(RawSubstring)
		}
		uuid = uuid || exempt
	}
	if !uuid && class.FreeText() {
		for _, sp := range pii.FindCertain(v) {
			vd.add(PIIPrefix + string(sp.Type))
		}
	}
	if vd.n > 0 || vd.collision {
		s.mu.Lock()
		for _, k := range vd.kinds[:vd.n] {
			s.findings[findingKey{dataset, column, k}]++
		}
		if vd.collision {
			s.collisions[findingKey{dataset, column, RawExact}]++
		}
		s.mu.Unlock()
	}
	return true
}

// verdict is what one value's checks found, gathered before recording.
type verdict struct {
	kinds     [12]string // raw kind and PII types, each once
	n         int
	collision bool
}

func (vd *verdict) add(kind string) {
	for _, k := range vd.kinds[:vd.n] {
		if k == kind {
			return
		}
	}
	if vd.n < len(vd.kinds) {
		vd.kinds[vd.n] = kind
		vd.n++
	}
}

func (s *Scanner) record(m map[findingKey]int64, dataset, column, kind string, n int64) {
	s.mu.Lock()
	m[findingKey{dataset, column, kind}] += n
	s.mu.Unlock()
}

// isNetwork reports whether v is a CIDR prefix with its host bits zero,
// as the IP generaliser writes. A full-length prefix (/32, /128) hides
// nothing and is not one.
func isNetwork(v string) bool {
	if strings.IndexByte(v, '/') < 0 {
		return false
	}
	p, err := netip.ParsePrefix(v)
	return err == nil && p.Masked() == p && p.Bits() < p.Addr().BitLen()
}

// containsBounded reports whether p occurs in k without cutting a run of
// digits.
func containsBounded(k, p string) bool {
	for off := 0; ; {
		i := strings.Index(k[off:], p)
		if i < 0 {
			return false
		}
		start := off + i
		if bounded(k, start, start+len(p)) {
			return true
		}
		off = start + 1
	}
}

// isUUID reports whether v is a UUID in its canonical 8-4-4-4-12 hex form.
// pii matches no number glued by '-' to a run of hex digits, so such a
// value holds no pattern, and skipping pii.Find for it saves most of the
// cost of a unique id column (event_id). TestUUIDHasNoPII keeps the two in
// step.
func isUUID(v string) bool {
	if len(v) != len(uuidShape) {
		return false
	}
	// No branch per byte: hex digits and letters come in random order,
	// and a mispredicted branch per byte costs more than the table reads.
	var bad uint8
	for i := range len(uuidShape) {
		bad |= uuidShape[i] &^ uuidClass[v[i]]
	}
	return bad == 0
}

// uuidShape is the class each byte of a UUID must have: 1 hex, 2 dash.
const uuidShape = "\x01\x01\x01\x01\x01\x01\x01\x01\x02\x01\x01\x01\x01\x02\x01\x01\x01\x01\x02\x01\x01\x01\x01\x02\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"

var uuidClass = func() (t [256]uint8) {
	for _, c := range "0123456789abcdefABCDEF" {
		t[c] = 1
	}
	t['-'] = 2
	return t
}()
