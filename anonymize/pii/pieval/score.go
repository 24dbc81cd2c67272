package pieval

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/veil-data/veil/anonymize/pii"
)

// Detector finds personal data in one text; pii.Find is the default.
type Detector func(text string) []pii.Span

// Options tune what Evaluate keeps besides the counts.
type Options struct {
	// Show keeps up to Show misses per scored type and strays per veil
	// type as examples. Examples hold corpus text; see Example.
	Show int
	// Raw shows the missed or stray value itself in an example instead of
	// its shape ("Xxxx Xxx", "999-9999").
	Raw bool
}

// TypeScore is the score of one veil type.
type TypeScore struct {
	Type pii.Type `json:"type"`
	// Gold labelled spans scored as this type; Found of them have at
	// least half their characters redacted by any span, Typed by spans of
	// this type.
	Gold        int     `json:"gold"`
	Found       int     `json:"found"`
	Typed       int     `json:"found_typed"`
	Recall      float64 `json:"recall"`
	TypedRecall float64 `json:"typed_recall"`
	// Spans the detector reported with this type; Stray of them redact a
	// character outside every gold span.
	Spans int `json:"spans"`
	Stray int `json:"stray"`
}

// Result is the score of a detector on a set of records.
type Result struct {
	Records int         `json:"records"`
	Types   []TypeScore `json:"types"`
	// All sums the scored types (Gold, Found, Typed and their recalls).
	All TypeScore `json:"all"`
	// Redacted characters (code points, whitespace not counted), InGold of
	// them inside a gold span of any label; Precision = InGold/Redacted,
	// 1 when nothing was redacted.
	Redacted  int       `json:"redacted_chars"`
	InGold    int       `json:"redacted_in_gold_chars"`
	Precision float64   `json:"char_precision"`
	Misses    []Example `json:"misses,omitempty"`
	Strays    []Example `json:"strays,omitempty"`
}

// Example is a missed gold span or a stray detection in its context. The
// context has every gold span and detection other than the example
// replaced by "<LABEL>", and the example itself shown as its shape between
// ⟦ ⟧ unless Options.Raw; what remains is unlabelled corpus text.
type Example struct {
	Type   pii.Type `json:"type"`
	Record int      `json:"record"`
	// Of its Chars (whitespace not counted), a miss has Count redacted,
	// a stray Count outside every gold span.
	Count   int    `json:"count"`
	Chars   int    `json:"chars"`
	Context string `json:"context"`
}

// Type returns the score of t, and false when t neither was labelled nor
// detected.
func (r *Result) Type(t pii.Type) (TypeScore, bool) {
	for _, s := range r.Types {
		if s.Type == t {
			return s, true
		}
	}
	return TypeScore{Type: t}, false
}

// Evaluate runs detect over records and scores it. A gold span counts as
// found when at least half its characters (code points, whitespace not
// counted) are redacted; character precision counts redacted characters
// inside any gold span, whatever its label.
func Evaluate(records []Record, detect Detector, o Options) *Result {
	if detect == nil {
		detect = pii.Find
	}
	scores := map[pii.Type]*TypeScore{}
	score := func(t pii.Type) *TypeScore {
		s := scores[t]
		if s == nil {
			s = &TypeScore{Type: t}
			scores[t] = s
		}
		return s
	}
	res := &Result{Records: len(records)}
	missShown, strayShown := map[pii.Type]int{}, map[pii.Type]int{}
	for ri, rec := range records {
		text := rec.Text
		spans := clipSpans(detect(text), len(text))
		red := cover(len(text), len(spans), func(i int) (int, int) { return spans[i].Start, spans[i].End })
		gold := cover(len(text), len(rec.Spans), func(i int) (int, int) { return rec.Spans[i].Start, rec.Spans[i].End })
		for p, r := range text {
			if unicode.IsSpace(r) || !red[p] {
				continue
			}
			res.Redacted++
			if gold[p] {
				res.InGold++
			}
		}
		for _, g := range rec.Spans {
			t, ok := Map(g.Label)
			if !ok {
				continue
			}
			chars, any, typed := 0, 0, 0
			for p, r := range text[g.Start:g.End] {
				if unicode.IsSpace(r) {
					continue
				}
				p += g.Start
				chars++
				if red[p] {
					any++
					if typedAt(spans, t, p) {
						typed++
					}
				}
			}
			if chars == 0 {
				continue // a label on blanks says nothing
			}
			s := score(t)
			s.Gold++
			if 2*any >= chars {
				s.Found++
			} else if missShown[t] < o.Show {
				missShown[t]++
				res.Misses = append(res.Misses, example(rec, spans, ri, t, g.Start, g.End, any, chars, o.Raw))
			}
			if 2*typed >= chars {
				s.Typed++
			}
		}
		for _, sp := range spans {
			s := score(sp.Type)
			s.Spans++
			chars, in := 0, 0
			for p, r := range text[sp.Start:sp.End] {
				if !unicode.IsSpace(r) {
					chars++
					if gold[p+sp.Start] {
						in++
					}
				}
			}
			if in < chars {
				s.Stray++
				if strayShown[sp.Type] < o.Show {
					strayShown[sp.Type]++
					res.Strays = append(res.Strays, example(rec, spans, ri, sp.Type, sp.Start, sp.End, chars-in, chars, o.Raw))
				}
			}
		}
	}
	res.Precision = ratio(res.InGold, res.Redacted, 1)
	res.All.Type = "all"
	for _, s := range scores {
		s.Recall = ratio(s.Found, s.Gold, 0)
		s.TypedRecall = ratio(s.Typed, s.Gold, 0)
		res.Types = append(res.Types, *s)
		res.All.Gold += s.Gold
		res.All.Found += s.Found
		res.All.Typed += s.Typed
		res.All.Spans += s.Spans
		res.All.Stray += s.Stray
	}
	res.All.Recall = ratio(res.All.Found, res.All.Gold, 0)
	res.All.TypedRecall = ratio(res.All.Typed, res.All.Gold, 0)
	slices.SortFunc(res.Types, func(a, b TypeScore) int { return compareTypes(a.Type, b.Type) })
	sortExamples(res.Misses)
	sortExamples(res.Strays)
	return res
}

// clipSpans drops what a detector under test reports outside the text or
// off a character boundary, so that a broken detector scores badly
// instead of panicking.
func clipSpans(spans []pii.Span, n int) []pii.Span {
	out := spans[:0:0]
	for _, s := range spans {
		s.Start, s.End = max(s.Start, 0), min(s.End, n)
		if s.Start < s.End {
			out = append(out, s)
		}
	}
	return out
}

// cover marks the bytes inside any of n intervals.
func cover(size, n int, at func(int) (int, int)) []bool {
	m := make([]bool, size)
	for i := range n {
		s, e := at(i)
		for p := s; p < e; p++ {
			m[p] = true
		}
	}
	return m
}

func typedAt(spans []pii.Span, t pii.Type, p int) bool {
	for _, s := range spans {
		if s.Type == t && s.Start <= p && p < s.End {
			return true
		}
	}
	return false
}

func ratio(a, b int, empty float64) float64 {
	if b == 0 {
		return empty
	}
	return float64(a) / float64(b)
}

// compareTypes orders veil's types as pii.Types lists them, then any
// other by name.
func compareTypes(a, b pii.Type) int {
	ia, ib := slices.Index(pii.Types, a), slices.Index(pii.Types, b)
	if ia < 0 {
		ia = len(pii.Types)
	}
	if ib < 0 {
		ib = len(pii.Types)
	}
	return cmp.Or(cmp.Compare(ia, ib), strings.Compare(string(a), string(b)))
}

func sortExamples(ex []Example) {
	slices.SortStableFunc(ex, func(a, b Example) int { return compareTypes(a.Type, b.Type) })
}

// Check returns every floor the result misses: minRecall by type name ("*"
// for every scored type not named; a named type without gold spans
// fails), and minPrecision for character precision.
func (r *Result) Check(minRecall map[string]float64, minPrecision float64) []string {
	var fails []string
	for _, name := range slices.Sorted(maps.Keys(minRecall)) {
		floor := minRecall[name]
		if name == "*" {
			for _, s := range r.Types {
				if _, named := minRecall[string(s.Type)]; s.Gold > 0 && !named && s.Recall < floor {
					fails = append(fails, fmt.Sprintf("recall of %s = %.3f, below the floor %.2f", s.Type, s.Recall, floor))
				}
			}
			continue
		}
		s, _ := r.Type(pii.Type(name))
		switch {
		case s.Gold == 0:
			fails = append(fails, fmt.Sprintf("recall of %s: no gold span of that type in the corpus", name))
		case s.Recall < floor:
			fails = append(fails, fmt.Sprintf("recall of %s = %.3f, below the floor %.2f", name, s.Recall, floor))
		}
	}
	if r.Precision < minPrecision {
		fails = append(fails, fmt.Sprintf("character precision = %.3f, below the floor %.2f", r.Precision, minPrecision))
	}
	return fails
}
