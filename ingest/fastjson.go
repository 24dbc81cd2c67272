package ingest

import (
	"github.com/parquet-go/jsonlite"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// fastDecode decodes a landing line in one pass over the bytes. A line it
// cannot read (a grammar error, a string jsonlite will not unquote) makes
// it give up (ok false) before touching stats, and the caller decodes the
// line with slowDecode, which has the last word: FuzzFastDecode holds the
// two to the same results.
func fastDecode(text string, pol *policy.Compiled, rec *policy.Record, stats *pipeline.Stats, sc *decodeScratch) (rej *rejection, ok bool) {
	fields, keys := pol.Feed.Fields, pol.KeyTable()
	sc.reset(len(fields))
	p := skipWS(text, 0)
	if p >= len(text) || text[p] != '{' {
		return nil, false
	}
	p = skipWS(text, p+1)
	if p < len(text) && text[p] == '}' {
		return finishFast(text, p+1, stats, sc.dropped)
	}
	for {
		key, q, good := scanString(text, p)
		if !good {
			if key, q, good = scanEscaped(text, p); !good {
				return nil, false
			}
		}
		q = skipWS(text, q)
		if q >= len(text) || text[q] != ':' {
			return nil, false
		}
		q = skipWS(text, q+1)
		if q >= len(text) {
			return nil, false
		}
		// The value: its kind and extent.
		var (
			str       string
			num       string
			isStr     bool
			isNum     bool
			isNull    bool
			nonFinite bool
		)
		switch c := text[q]; {
		case c == '"':
			var end int
			if str, end, good = scanString(text, q); !good {
				if str, end, good = scanEscaped(text, q); !good {
					return nil, false
				}
			}
			q, isStr = end, true
		case (c == 'N' || c == 'I' || c == '-') && nonFiniteAt(text, q) > 0:
			n := nonFiniteAt(text, q)
			if !delimited(text, q+n) {
				return nil, false
			}
			q, nonFinite = q+n, true
		case c == '-' || c >= '0' && c <= '9':
			end := scanNumber(text, q)
			if end < 0 {
				return nil, false
			}
			num, q, isNum = text[q:end], end, true
		case hasWord(text, q, "null"):
			q, isNull = q+4, true
		case hasWord(text, q, "true"):
			q += 4
		case hasWord(text, q, "false"):
			q += 5
		case c == '{' || c == '[':
			// A nested value: dropped if the key is undeclared, wrong_type
			// if declared; either way it must be valid.
			if q = scanValue(text, q, 1); q < 0 {
				return nil, false
			}
		default:
			return nil, false // not JSON
		}
		if rej == nil {
			i := keys.Lookup(key)
			// memberCheck decides the rare cases; the common one is
			// inlined here, where a call per member shows.
			if nonFinite || i >= 0 && sc.seen[i>>6]&(1<<(i&63)) != 0 {
				rej = memberCheck(i, key, nonFinite, sc)
			} else if i < 0 {
				sc.dropped = append(sc.dropped, key)
			} else {
				sc.seen[i>>6] |= 1 << (i & 63)
				switch {
				case isNull:
					rec.Vals[i], rec.Present[i] = "", false
				case isNum && fields[i].Kind == schemas.Number:
					v, ok := numberText(num)
					if !ok {
						rej = &rejection{reason: "invalid_value", field: key}
						break
					}
					rec.Vals[i], rec.Present[i] = v, true
				case isStr && fields[i].Kind != schemas.Number:
					rec.Vals[i], rec.Present[i] = str, str != ""
				default:
					rej = &rejection{reason: "wrong_type", field: key}
				}
			}
		}
		q = skipWS(text, q)
		if q >= len(text) {
			return nil, false
		}
		switch text[q] {
		case ',':
			p = skipWS(text, q+1)
			continue
		case '}':
			if rej != nil {
				// jsonlite stops at the first rejected member; the rest of
				// the line must still be well-formed for the answers to
				// agree, which finishFast checks.
				if _, good := finishFast(text, q+1, stats, sc.dropped); !good {
					return nil, false
				}
				return rej, true
			}
			return finishFast(text, q+1, stats, sc.dropped)
		}
		return nil, false
	}
}

// finishFast checks that only whitespace follows the object and counts the
// dropped keys.
func finishFast(text string, p int, stats *pipeline.Stats, dropped []string) (*rejection, bool) {
	if skipWS(text, p) != len(text) {
		return nil, false
	}
	for _, k := range dropped {
		stats.DropField(k)
	}
	return nil, true
}

func skipWS(s string, p int) int {
	for p < len(s) && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r') {
		p++
	}
	return p
}

// scanString reads a string at s[p] == '"' that has no escapes and no
// control characters, returning its contents and the index after it.
// Kept small enough to inline; scanEscaped takes the rest.
func scanString(s string, p int) (string, int, bool) {
	if p >= len(s) || s[p] != '"' {
		return "", 0, false
	}
	for q := p + 1; q < len(s); q++ {
		switch c := s[q]; {
		case c == '"':
			return s[p+1 : q], q + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// scanEscaped reads a string scanString leaves: one with escapes, which
// jsonlite unquotes as the slow path does (producers that escape "/" or
// non-ASCII would otherwise send every line there), or an invalid one.
func scanEscaped(s string, p int) (string, int, bool) {
	if p >= len(s) || s[p] != '"' {
		return "", 0, false
	}
	end := scanJSONString(s, p)
	if end < 0 {
		return "", 0, false
	}
	v, err := jsonlite.Unquote(s[p:end])
	if err != nil {
		return "", 0, false
	}
	return v, end, true
}

// scanNumber returns the end of the JSON number at s[p], or -1.
func scanNumber(s string, p int) int {
	if p < len(s) && s[p] == '-' {
		p++
	}
	switch {
	case p < len(s) && s[p] == '0':
		p++
	case p < len(s) && s[p] >= '1' && s[p] <= '9':
		for p < len(s) && s[p] >= '0' && s[p] <= '9' {
			p++
		}
	default:
		return -1
	}
	if p < len(s) && s[p] == '.' {
		p++
		d := p
		for p < len(s) && s[p] >= '0' && s[p] <= '9' {
			p++
		}
		if p == d {
			return -1
		}
	}
	if p < len(s) && (s[p] == 'e' || s[p] == 'E') {
		p++
		if p < len(s) && (s[p] == '+' || s[p] == '-') {
			p++
		}
		d := p
		for p < len(s) && s[p] >= '0' && s[p] <= '9' {
			p++
		}
		if p == d {
			return -1
		}
	}
	return p
}

// hasWord reports whether the literal w stands at s[p], ending there.
func hasWord(s string, p int, w string) bool {
	return hasPrefix(s, p, w) && delimited(s, p+len(w))
}

// delimited reports whether a value may end at s[e].
func delimited(s string, e int) bool {
	return e == len(s) || s[e] == ',' || s[e] == '}' || s[e] == ' ' || s[e] == '\t' || s[e] == '\n' || s[e] == '\r'
}
