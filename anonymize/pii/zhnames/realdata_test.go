package zhnames

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/veil-data/veil/internal/realdata"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

type labelled struct {
	text  string
	names [][2]int // byte offsets
}

// readCLUENER reads CLUENER2020's JSON lines, keeping the name labels.
// CLUENER has no licence: it is read for evaluation only, never trained on.
func readCLUENER(tb testing.TB) []labelled {
	f, err := os.Open(realdata.Path(tb, "cluener2020/train.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []labelled
	for sc.Scan() {
		var rec struct {
			Text  string                         `json:"text"`
			Label map[string]map[string][][2]int `json:"label"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			tb.Fatal(err)
		}
		l := labelled{text: rec.Text}
		for _, offs := range rec.Label["name"] {
			for _, o := range offs {
				l.names = append(l.names, [2]int{runeToByte(rec.Text, o[0]), runeToByte(rec.Text, o[1]+1)})
			}
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func runeToByte(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// chineseName reports whether a labelled name is 2–4 Han characters
// starting with a surname of the list (single or compound).
func chineseName(m *model, name string) bool {
	n := utf8.RuneCountInString(name)
	if n < 2 || n > 4 {
		return false
	}
	rs := []rune(name)
	for _, r := range rs {
		if !isHan(r) {
			return false
		}
	}
	_, comp := m.compound[[2]rune{rs[0], rs[1]}]
	return m.surname[rs[0]-hanLo] < infCost || comp && n >= 3
}

// score counts, over CLUENER's name labels, (a) the Chinese names and (b)
// all names found, and the detections that overlap a labelled name.
type score struct {
	zhLabels, zhFound, labels, found, dets, right int
	strays, misses                                []string
}

func (s score) recallA() float64   { return float64(s.zhFound) / float64(max(s.zhLabels, 1)) }
func (s score) recallB() float64   { return float64(s.found) / float64(max(s.labels, 1)) }
func (s score) precision() float64 { return float64(s.right) / float64(max(s.dets, 1)) }

func (s score) String() string {
	return fmt.Sprintf("recall (a) Chinese names %d/%d = %.3f, (b) all names %d/%d = %.3f; precision %d/%d = %.3f",
		s.zhFound, s.zhLabels, s.recallA(), s.found, s.labels, s.recallB(), s.right, s.dets, s.precision())
}

// evalCLUENER scores the records whose index modulo 2 is part (-1: all).
// A surname alone before 先生 is not counted: CLUENER does not label it.
func evalCLUENER(recs []labelled, part int) score {
	m := get()
	var s score
	for i, l := range recs {
		if part >= 0 && i%2 != part {
			continue
		}
		spans := Append(nil, l.text)
		for _, n := range l.names {
			hit := false
			for _, sp := range spans {
				hit = hit || sp.Start < n[1] && n[0] < sp.End
			}
			s.labels++
			if hit {
				s.found++
			}
			if chineseName(m, l.text[n[0]:n[1]]) {
				s.zhLabels++
				if hit {
					s.zhFound++
				} else {
					s.misses = append(s.misses, around(l.text, n[0], n[1]))
				}
			}
		}
		for _, sp := range spans {
			ok := false
			for _, n := range l.names {
				ok = ok || sp.Start < n[1] && n[0] < sp.End
			}
			if !ok && utf8.RuneCountInString(l.text[sp.Start:sp.End]) == 1 && strings.HasPrefix(l.text[sp.End:], "先生") {
				continue
			}
			s.dets++
			if ok {
				s.right++
			} else {
				s.strays = append(s.strays, around(l.text, sp.Start, sp.End))
			}
		}
	}
	return s
}

// around shows text[s:e] in brackets with a few characters either side.
func around(text string, s, e int) string {
	b := s
	for n := 0; n < 6 && b > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:b])
		b -= size
	}
	return text[b:s] + "[" + text[s:e] + "]" + clip(text[e:], 18)
}

// TestEvalCLUENER measures recall of (a) Chinese names (2–4 Han characters
// starting with a surname) and (b) every name label, and precision: a
// detection is right when it overlaps a labelled name. The weights were
// chosen on the odd lines (TestSweep); the even lines are held out, and
// the floors hold there. -v lists what the held-out half misses and
// finds wrongly.
func TestEvalCLUENER(t *testing.T) {
	recs := readCLUENER(t)
	all, tuned, held := evalCLUENER(recs, -1), evalCLUENER(recs, 1), evalCLUENER(recs, 0)
	if all.labels < 3000 {
		t.Fatalf("read %d name labels; expected the full corpus", all.labels)
	}
	t.Logf("CLUENER all lines: %v", all)
	t.Logf("CLUENER odd lines (weights chosen on them): %v", tuned)
	t.Logf("CLUENER even lines (held out): %v", held)
	if testing.Verbose() {
		t.Logf("held out, wrongly found: %s", strings.Join(held.strays, "  "))
		t.Logf("held out, missed (first 200): %s", strings.Join(held.misses[:min(200, len(held.misses))], "  "))
	}
	// The targets are recall (a) 0.80 at precision 0.95; the model
	// reaches about 0.78 at 0.91 (see the package doc). These floors guard
	// what it reaches against regression.
	if r := held.recallA(); r < 0.77 {
		t.Errorf("held-out recall of Chinese names %.3f, below 0.77", r)
	}
	if p := held.precision(); p < 0.90 {
		t.Errorf("held-out precision %.3f, below 0.90", p)
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		n = len(s[:n])
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n]
	}
	return s
}

// readJDDC returns the messages of JD's chat sample, which JD already
// masked ([姓名x], [电话x], …).
func readJDDC(tb testing.TB) []string {
	b, err := os.ReadFile(realdata.Path(tb, "jddc-chat/chat_0.1per.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) >= 7 {
			out = append(out, strings.Join(cols[6:], "\t"))
		}
	}
	return out
}

// TestJDDC counts the lines of JD's masked chat where a name is found:
// JD masked the names, so what fires is a false positive.
func TestJDDC(t *testing.T) {
	lines := readJDDC(t)
	if len(lines) < 10000 {
		t.Fatalf("read %d lines; expected the full corpus", len(lines))
	}
	fired := 0
	for _, text := range lines {
		if spans := Append(nil, text); len(spans) > 0 {
			fired++
			s := spans[0]
			t.Logf("fired: %s[%s]%s", text[max(0, s.Start-12):s.Start], text[s.Start:s.End], clip(text[s.End:], 12))
		}
	}
	t.Logf("JDDC: %d of %d lines with a detection", fired, len(lines))
	if fired > 10 {
		t.Errorf("%d lines with a detection, more than 10", fired)
	}
}
