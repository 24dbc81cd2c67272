// Measures github.com/jdkato/prose/v2 NER (PERSON) on the ennames held-out
// split of presidio-research synth_dataset_v2.json and on generated_small.json.
package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
)

type span struct{ s, e int }

type doc struct {
	text          string
	person, other []span
}

func load(path string) []doc {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var raw []struct {
		FullText string `json:"full_text"`
		Spans    []struct {
			Type  string `json:"entity_type"`
			Start int    `json:"start_position"`
			End   int    `json:"end_position"`
		} `json:"spans"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		panic(err)
	}
	var out []doc
	for _, r := range raw {
		d := doc{text: r.FullText}
		for _, s := range r.Spans {
			sp := span{rb(d.text, s.Start), rb(d.text, s.End)}
			if s.Type == "PERSON" {
				d.person = append(d.person, sp)
			} else {
				d.other = append(d.other, sp)
			}
		}
		out = append(out, d)
	}
	return out
}

func rb(s string, cp int) int {
	b := 0
	for i := 0; i < cp && b < len(s); i++ {
		_, w := utf8.DecodeRuneInString(s[b:])
		b += w
	}
	return b
}

func held(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%5 == 0
}

func in(sp []span, p int) bool {
	for _, s := range sp {
		if s.s <= p && p < s.e {
			return true
		}
	}
	return false
}

// model is loaded once, so only tagging is timed.
var model = prose.ModelFromData("default")

func eval(name string, docs []doc) {
	var gold, found, det, ok, bytes int
	var dur time.Duration
	for _, d := range docs {
		t0 := time.Now()
		pd, err := prose.NewDocument(d.text, prose.WithSegmentation(false), prose.UsingModel(model))
		if err != nil {
			panic(err)
		}
		var spans []span
		from := 0
		for _, e := range pd.Entities() {
			if e.Label != "PERSON" {
				continue
			}
			i := strings.Index(d.text[from:], e.Text)
			if i < 0 {
				continue
			}
			spans = append(spans, span{from + i, from + i + len(e.Text)})
			from += i + len(e.Text)
		}
		dur += time.Since(t0)
		bytes += len(d.text)
		for _, g := range d.person {
			a, all := 0, 0
			for p := g.s; p < g.e; p++ {
				if utf8.RuneStart(d.text[p]) && !unicode.IsSpace(rune(d.text[p])) {
					all++
					if in(spans, p) {
						a++
					}
				}
			}
			gold++
			if 2*a >= all {
				found++
			}
		}
		for _, s := range spans {
			for p := s.s; p < s.e; p++ {
				if utf8.RuneStart(d.text[p]) && !unicode.IsSpace(rune(d.text[p])) {
					det++
					if in(d.person, p) || in(d.other, p) {
						ok++
					}
				}
			}
		}
	}
	fmt.Printf("prose %-26s PERSON recall %d/%d = %.3f  char precision %d/%d = %.3f  %.4f MB/s (%.1f ms/text)\n",
		name, found, gold, float64(found)/float64(gold), ok, det, float64(ok)/float64(det), float64(bytes)/dur.Seconds()/1e6, dur.Seconds()*1e3/float64(len(docs)))
}

func main() {
	dir := "../../../../../../shared/data/real/presidio-research/"
	if d := os.Getenv("VEIL_REAL_DATA"); d != "" {
		dir = d + "/presidio-research/"
	}
	var test []doc
	for _, d := range load(dir + "synth_dataset_v2.json") {
		if held(d.text) {
			test = append(test, d)
		}
	}
	eval("held-out synth_dataset_v2", test)
	eval("generated_small", load(dir+"generated_small.json"))
}
