package pii

import (
	"github.com/veil-data/veil/anonymize/pii/ennames"
	"github.com/veil-data/veil/anonymize/pii/zhnames"
)

// useNameModels is false only in benchmarks that measure the detectors
// without the name models.
var useNameModels = true

// FindCertain is Find without the name models: the values with a shape or
// a cue of their own. A model's name is a guess that the same word may not
// earn in other words around it; a leak scan that failed a partition on
// such a guess, or took it as a needle to look for everywhere, would fail
// on chance. Redaction uses Find.
func FindCertain(text string) []Span {
	return appendSpansWith(nil, text, false)
}

// appendModelNames adds the names that need no cue, found by the English
// and Chinese name models (ennames, zhnames), to the spans dst[first:],
// where they overlap none of them: a value with a shape of its own, an
// address or a name read from a cue says more than a model's guess.
//
// The English model reads texts with a capitalised ASCII word, and texts
// without Chinese that may be English in lower case: a lower-case word in
// Chinese text (JD's "[数字x]", a unit, a model number) is not worth its
// look.
func appendModelNames(dst []Span, first int, text string, sc *scan, capitals bool) []Span {
	if capitals || !sc.han && (sc.letter || sc.upper) {
		var buf [8]ennames.Span
		for _, n := range ennames.Append(buf[:0], text) {
			dst = addName(dst, first, n.Start, n.End)
		}
	}
	if sc.han {
		var buf [8]zhnames.Span
		for _, n := range zhnames.Append(buf[:0], text) {
			dst = addName(dst, first, n.Start, n.End)
		}
	}
	return dst
}

// addName inserts the name text[start:end] among dst[first:] unless it
// overlaps one of them.
func addName(dst []Span, first, start, end int) []Span {
	if overlapsSorted(dst[first:], start, end) {
		return dst
	}
	return insert(dst, first, Span{Person, start, end})
}
