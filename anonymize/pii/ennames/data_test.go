package ennames

import (
	"encoding/json"
	"github.com/veil-data/veil/internal/realdata"
	"hash/fnv"
	"os"
	"testing"
	"unicode"
	"unicode/utf8"
)

// A doc is a labelled text: gold spans in byte offsets.
type doc struct {
	text     string
	template int
	person   []Span // PERSON
	other    []Span // every other labelled type
}

// loadPresidio reads a presidio-research JSON file; its offsets count code
// points.
func loadPresidio(tb testing.TB, name string) []doc {
	tb.Helper()
	b, err := os.ReadFile(realdata.Path(tb, "presidio-research/"+name))
	if err != nil {
		tb.Fatal(err)
	}
	var raw []struct {
		FullText   string `json:"full_text"`
		TemplateID int    `json:"template_id"`
		Spans      []struct {
			Type  string `json:"entity_type"`
			Start int    `json:"start_position"`
			End   int    `json:"end_position"`
		} `json:"spans"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		tb.Fatalf("presidio %s: %v", name, err)
	}
	docs := make([]doc, 0, len(raw))
	for _, r := range raw {
		d := doc{text: r.FullText, template: r.TemplateID}
		for _, s := range r.Spans {
			sp := Span{runeToByte(d.text, s.Start), runeToByte(d.text, s.End)}
			if s.Type == "PERSON" {
				d.person = append(d.person, sp)
			} else {
				d.other = append(d.other, sp)
			}
		}
		docs = append(docs, d)
	}
	return docs
}

func runeToByte(s string, cp int) int {
	b := 0
	for i := 0; i < cp && b < len(s); i++ {
		_, w := utf8.DecodeRuneInString(s[b:])
		b += w
	}
	return b
}

// heldOut reports whether a text belongs to the held-out fifth: a hash of
// the whole text decides, so the split is the same on every machine.
func heldOut(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%5 == 0
}

// split divides docs into the training and held-out parts.
func split(docs []doc) (train, test []doc) {
	for _, d := range docs {
		if heldOut(d.text) {
			test = append(test, d)
		} else {
			train = append(train, d)
		}
	}
	return train, test
}

// score is recall of gold names (found when at least half the characters
// of a name lie in detected spans) and character precision (detected
// characters inside any gold span, of any type, over all detected
// characters). Spaces are not counted as characters.
type score struct {
	gold, found      int
	detChars, inGold int
	misses, strays   []string
}

func (s *score) add(d doc, det []Span) {
	for _, g := range d.person {
		in, all := 0, 0
		forChars(d.text, g, func(p int) {
			all++
			if inside(det, p) {
				in++
			}
		})
		s.gold++
		if 2*in >= all {
			s.found++
		} else if len(s.misses) < 400 {
			s.misses = append(s.misses, d.text[g.Start:g.End]+"  ⟸  "+d.text)
		}
	}
	for _, sp := range det {
		stray := false
		forChars(d.text, sp, func(p int) {
			s.detChars++
			if inside(d.person, p) || inside(d.other, p) {
				s.inGold++
			} else {
				stray = true
			}
		})
		if stray && len(s.strays) < 400 {
			s.strays = append(s.strays, d.text[sp.Start:sp.End]+"  ⟸  "+d.text)
		}
	}
}

func (s *score) recall() float64 {
	if s.gold == 0 {
		return 1
	}
	return float64(s.found) / float64(s.gold)
}

func (s *score) precision() float64 {
	if s.detChars == 0 {
		return 1
	}
	return float64(s.inGold) / float64(s.detChars)
}

func forChars(text string, sp Span, f func(p int)) {
	for p := sp.Start; p < sp.End; {
		r, w := utf8.DecodeRuneInString(text[p:])
		if !unicode.IsSpace(r) {
			f(p)
		}
		p += w
	}
}

func inside(spans []Span, p int) bool {
	for _, s := range spans {
		if s.Start <= p && p < s.End {
			return true
		}
	}
	return false
}

// evaluate runs a detector over docs.
func evaluate(docs []doc, detect func(string) []Span) *score {
	s := &score{}
	for _, d := range docs {
		s.add(d, detect(d.text))
	}
	return s
}
