// Command gsebaseline measures github.com/go-ego/gse's own person-name
// tagging (nr, nrfg, nrt) on CLUENER2020, the baseline that package
// zhnames was measured against. It is a module of its own so that veil
// does not depend on gse. From this folder:
//
//	go run . -data ../../../../../../shared/data/real/cluener2020/train.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"github.com/go-ego/gse/hmm/pos"
)

type record struct {
	Text  string                         `json:"text"`
	Label map[string]map[string][][2]int `json:"label"`
}

type span struct{ a, b int } // characters

func main() {
	data := flag.String("data", "../../../../../../shared/data/real/cluener2020/train.json", "CLUENER2020 train.json")
	surnames := flag.String("surnames", "../../surnames.txt", "zhnames' surname list, for recall (a)")
	flag.Parse()
	if err := run(*data, *surnames); err != nil {
		fmt.Fprintln(os.Stderr, "gsebaseline:", err)
		os.Exit(1)
	}
}

func run(data, surnamePath string) error {
	sur, err := readSurnames(surnamePath)
	if err != nil {
		return err
	}
	var seg gse.Segmenter
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return fmt.Errorf("load gse dictionary: %w", err)
	}
	var ps pos.Segmenter
	ps.WithGse(seg)
	f, err := os.Open(data)
	if err != nil {
		return fmt.Errorf("open CLUENER: %w", err)
	}
	defer f.Close()
	var recs []record
	size := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("CLUENER line %d: %w", len(recs)+1, err)
		}
		recs = append(recs, r)
		size += len(r.Text)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read CLUENER: %w", err)
	}
	modes := []struct {
		name string
		cut  func(string) []gse.SegPos
	}{
		{"seg.Pos (dictionary)", func(s string) []gse.SegPos { return seg.Pos(s, false) }},
		{"pos.Cut (dictionary + HMM)", func(s string) []gse.SegPos { return ps.Cut(s, true) }},
	}
	for _, mode := range modes {
		var all, found, zh, zhFound, dets, right int
		start := time.Now()
		for _, r := range recs {
			var spans []span
			p := 0
			for _, t := range mode.cut(r.Text) {
				n := utf8.RuneCountInString(t.Text)
				if t.Pos == "nr" || t.Pos == "nrfg" || t.Pos == "nrt" {
					spans = append(spans, span{p, p + n})
				}
				p += n
			}
			rs := []rune(r.Text)
			var gold []span
			for _, offs := range r.Label["name"] {
				for _, o := range offs {
					gold = append(gold, span{o[0], o[1] + 1})
				}
			}
			for _, g := range gold {
				hit := overlapsAny(g, spans)
				all++
				if hit {
					found++
				}
				if chinese(rs[g.a:g.b], sur) {
					zh++
					if hit {
						zhFound++
					}
				}
			}
			for _, d := range spans {
				dets++
				if overlapsAny(d, gold) {
					right++
				}
			}
		}
		el := time.Since(start)
		fmt.Printf("%s: recall (a) %d/%d = %.3f, (b) %d/%d = %.3f; precision %d/%d = %.3f; %.1f MB/s\n",
			mode.name, zhFound, zh, ratio(zhFound, zh), found, all, ratio(found, all), right, dets, ratio(right, dets),
			float64(size)/el.Seconds()/1e6)
	}
	return nil
}

func ratio(a, b int) float64 { return float64(a) / float64(max(b, 1)) }

func overlapsAny(s span, set []span) bool {
	for _, t := range set {
		if s.a < t.b && t.a < s.b {
			return true
		}
	}
	return false
}

// chinese reports whether a name is 2–4 Han characters starting with a
// surname of the list, as zhnames' TestEvalCLUENER counts recall (a).
func chinese(name []rune, sur map[string]bool) bool {
	if len(name) < 2 || len(name) > 4 {
		return false
	}
	for _, r := range name {
		if r < 0x3400 || r > 0x9fff {
			return false
		}
	}
	return sur[string(name[:1])] || len(name) >= 3 && sur[string(name[:2])]
}

func readSurnames(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read surnames: %w", err)
	}
	set := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.Contains(line, " "):
			for _, s := range strings.Fields(line) {
				set[s] = true
			}
		default:
			for _, r := range line {
				set[string(r)] = true
			}
		}
	}
	return set, nil
}
