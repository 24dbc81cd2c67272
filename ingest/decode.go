package ingest

import (
	"strconv"

	"github.com/parquet-go/jsonlite"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// A landing line is one JSON object, read strictly: RFC 8259 grammar (no
// leading zeros, signs or bare decimal points in numbers, no raw control
// characters in strings), each declared field at most once (a repeated
// key would let two readers see two records), numbers of number fields
// finite and representable. A line that breaks the grammar is bad_json;
// a repeated field is bad_json with the field; the literals NaN, Infinity
// and -Infinity (as Python and JavaScript write them) as a field's value
// are non_finite with the field; a number that overflows or underflows
// float64 is invalid_value with the field; -0 is 0. fastDecode and
// slowDecode give the same answers (FuzzFastDecode).

// maxDepth bounds nesting: a record is a flat object, and only an
// undeclared field, which is dropped, may nest at all.
const maxDepth = 64

// decodeScratch is what a parser's decoders reuse from line to line.
type decodeScratch struct {
	dropped []string // fastDecode's undeclared keys
	seen    []uint64 // declared fields met: a bit per field index
	it      *jsonlite.Iterator
}

// reset readies s for a record of n fields.
func (s *decodeScratch) reset(n int) {
	s.dropped = s.dropped[:0]
	if len(s.seen) != (n+63)/64 {
		s.seen = make([]uint64, (n+63)/64)
	}
	clear(s.seen)
}

// decode reads the JSON object into p.rec, checking JSON types. It never
// keeps a jsonlite error: they quote the input.
func (p *parser) decode(text string) *rejection {
	if rej, ok := fastDecode(text, p.pol, p.rec, &p.stats, &p.dec); ok {
		return rej
	}
	p.rec.Reset() // the fast path may have filled some fields
	return slowDecode(text, p.pol, p.rec, &p.stats, &p.dec)
}

// slowDecode reads any line: it checks the grammar itself (jsonlite's
// iterator lets invalid tokens through as values), then reads the
// object's members with jsonlite, which unescapes strings. A key the
// feed's schema does not declare is dropped and counted. JSON null counts
// as absent.
func slowDecode(text string, pol *policy.Compiled, rec *policy.Record, stats *pipeline.Stats, sc *decodeScratch) *rejection {
	if !validJSON(text) {
		return &rejection{reason: "bad_json"}
	}
	fields, keys := pol.Feed.Fields, pol.KeyTable()
	sc.reset(len(fields))
	if sc.it == nil {
		sc.it = jsonlite.Iterate(text)
	} else {
		sc.it.Reset(text)
	}
	it := sc.it
	if !it.Next() || it.Kind() != jsonlite.Object {
		sc.it = nil // Reset does not clear an iterator's error
		return &rejection{reason: "bad_json"}
	}
	var rej *rejection
	it.Object(func(key string, err error) bool {
		if err != nil {
			rej = &rejection{reason: "bad_json"}
			return false
		}
		i := keys.Lookup(key)
		// The grammar was checked: a token jsonlite refuses is one of the
		// non-finite literals.
		nonFinite := it.Err() != nil
		if rej = memberCheck(i, key, nonFinite, sc); rej != nil {
			return false
		}
		if i < 0 {
			stats.DropField(key)
			return true
		}
		switch it.Kind() {
		case jsonlite.Null:
			rec.Vals[i], rec.Present[i] = "", false
			return true
		case jsonlite.Number:
			if fields[i].Kind != schemas.Number {
				break
			}
			lit, err := it.Value()
			if err != nil {
				rej = &rejection{reason: "bad_json"}
				return false
			}
			v, ok := numberText(string(lit.Number()))
			if !ok {
				rej = &rejection{reason: "invalid_value", field: key}
				return false
			}
			rec.Vals[i], rec.Present[i] = v, true
			return true
		case jsonlite.String:
			if fields[i].Kind == schemas.Number {
				break
			}
			s, err := it.String()
			if err != nil {
				rej = &rejection{reason: "bad_json"}
				return false
			}
			rec.Vals[i], rec.Present[i] = s, s != ""
			return true
		}
		rej = &rejection{reason: "wrong_type", field: key}
		return false
	})
	if rej == nil && (it.Next() || it.Err() != nil) {
		rej = &rejection{reason: "bad_json"} // nothing may follow the object
	}
	if rej != nil {
		sc.it = nil
	}
	return rej
}

// memberCheck is what both decoders check of a member before its value:
// a non-finite literal, a repeated field. i is the key's field, or -1.
func memberCheck(i int, key string, nonFinite bool, sc *decodeScratch) *rejection {
	if i < 0 {
		if nonFinite {
			return &rejection{reason: "bad_json"} // the key is not a field name to report
		}
		return nil
	}
	w, bit := i/64, uint64(1)<<(i%64)
	if sc.seen[w]&bit != 0 {
		return &rejection{reason: "bad_json", field: key}
	}
	sc.seen[w] |= bit
	if nonFinite {
		return &rejection{reason: "non_finite", field: key}
	}
	return nil
}

// numberText returns the canonical text of a number: the shortest
// decimal that reads back as the same float64, 0 for -0. It refuses a
// number float64 cannot hold: one that overflows (1e400), and a non-zero
// one that underflows to zero (1e-400), which would silently become 0.
func numberText(lit string) (string, bool) {
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return "", false
	}
	if f == 0 {
		for i := 0; i < len(lit) && lit[i] != 'e' && lit[i] != 'E'; i++ {
			if lit[i] >= '1' && lit[i] <= '9' {
				return "", false
			}
		}
		return "0", true
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// validJSON reports whether s is one JSON object by the strict grammar,
// nested at most maxDepth deep, with one leniency the decoders then name:
// a member of the object may have the value NaN, Infinity or -Infinity.
func validJSON(s string) bool {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	end := scanValue(s, i, 0)
	return end >= 0 && skipWS(s, end) == len(s)
}

// scanValue returns the index after the JSON value at s[i], or -1 if it
// is not one by the strict grammar. base is how deep the value stands (0:
// the line's object itself, 1: a member's value); nesting past maxDepth
// fails, and only a member of the line's object (base 0) may be a
// non-finite literal. It runs iteratively, so a hostile line cannot
// exhaust the stack.
func scanValue(s string, i, base int) int {
	const (
		wantValue = iota
		wantKey   // a key, or the end of an empty object
		wantNext  // a comma or the end of the container
	)
	var stack [maxDepth]byte
	depth, state, first := 0, wantValue, false
	for {
		if depth == 0 && state == wantNext {
			return i
		}
		if i = skipWS(s, i); i >= len(s) {
			return -1
		}
		c := s[i]
		switch state {
		case wantValue:
			if c == ']' && first {
				depth, i, state = depth-1, i+1, wantNext
				continue
			}
			first = false
			member := base == 0 && depth == 1 && stack[0] == '{'
			switch {
			case c == '{' || c == '[':
				if base+depth == maxDepth {
					return -1
				}
				stack[depth] = c
				depth, i, first = depth+1, i+1, true
				if c == '{' {
					state = wantKey
				}
				continue
			case c == '"':
				if i = scanJSONString(s, i); i < 0 {
					return -1
				}
			case member && nonFiniteAt(s, i) > 0:
				i += nonFiniteAt(s, i)
			case c == '-' || c >= '0' && c <= '9':
				if i = scanNumber(s, i); i < 0 {
					return -1
				}
			case hasPrefix(s, i, "true"), hasPrefix(s, i, "null"):
				i += 4
			case hasPrefix(s, i, "false"):
				i += 5
			default:
				return -1
			}
			state = wantNext
		case wantKey:
			if c == '}' && first {
				depth, i, state = depth-1, i+1, wantNext
				continue
			}
			first = false
			if c != '"' {
				return -1
			}
			if i = scanJSONString(s, i); i < 0 {
				return -1
			}
			if i = skipWS(s, i); i >= len(s) || s[i] != ':' {
				return -1
			}
			i, state = i+1, wantValue
		case wantNext:
			top := stack[depth-1]
			switch {
			case c == ',':
				i, state = i+1, wantValue
				if top == '{' {
					state = wantKey
				}
			case c == '}' && top == '{' || c == ']' && top == '[':
				depth, i = depth-1, i+1
			default:
				return -1
			}
		}
	}
}

// scanJSONString returns the index after the string at s[p] == '"', or
// -1 if it is not a valid JSON string (unterminated, a raw control
// character, a bad escape). Invalid UTF-8 passes: fields check it.
func scanJSONString(s string, p int) int {
	for q := p + 1; q < len(s); q++ {
		switch c := s[q]; {
		case c == '"':
			return q + 1
		case c < 0x20:
			return -1
		case c == '\\':
			q++
			if q >= len(s) {
				return -1
			}
			switch s[q] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if q+4 >= len(s) || !isHex(s[q+1]) || !isHex(s[q+2]) || !isHex(s[q+3]) || !isHex(s[q+4]) {
					return -1
				}
				q += 4
			default:
				return -1
			}
		}
	}
	return -1
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hasPrefix(s string, p int, w string) bool { return len(s)-p >= len(w) && s[p:p+len(w)] == w }

// nonFiniteAt returns the length of the literal NaN, Infinity or
// -Infinity at s[p], or 0.
func nonFiniteAt(s string, p int) int {
	for _, w := range [...]string{"NaN", "Infinity", "-Infinity"} {
		if hasPrefix(s, p, w) {
			return len(w)
		}
	}
	return 0
}
