package zhnames

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// realData returns a folder of the shared real data sets, or skips the test:
// $VEIL_REAL_DATA, else ../shared/data/real from the repository root.
func realData(tb testing.TB, sub string) string {
	tb.Helper()
	dir := os.Getenv("VEIL_REAL_DATA")
	if dir == "" {
		root, err := os.Getwd()
		if err != nil {
			tb.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				tb.Skip("real data: repository root not found; set VEIL_REAL_DATA")
			}
			root = parent
		}
		dir = filepath.Join(root, "..", "shared", "data", "real")
	}
	p := filepath.Join(dir, sub)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("real data %s absent (set VEIL_REAL_DATA to the shared data/real folder): %v", sub, err)
	}
	return p
}

type labelled struct {
	text  string
	names [][2]int // byte offsets
}

// readCLUENER reads CLUENER2020's JSON lines, keeping the name labels.
// CLUENER has no licence: it is read for evaluation only, never trained on.
func readCLUENER(tb testing.TB) []labelled {
	f, err := os.Open(realData(tb, "cluener2020/train.json"))
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

// TestEvalCLUENER measures recall of (a) Chinese names (2–4 Han characters
// starting with a surname) and (b) every name label, and precision: a
// detection is right when it overlaps a labelled name. CLUENER does not
// label a surname before a title (王先生); such detections are not counted.
func TestEvalCLUENER(t *testing.T) {
	recs := readCLUENER(t)
	m := get()
	var labels, found, zhLabels, zhFound, dets, right, titled int
	var strays []string
	for _, l := range recs {
		spans := Append(nil, l.text)
		for _, n := range l.names {
			hit := false
			for _, s := range spans {
				hit = hit || s.Start < n[1] && n[0] < s.End
			}
			labels++
			if hit {
				found++
			}
			if chineseName(m, l.text[n[0]:n[1]]) {
				zhLabels++
				if hit {
					zhFound++
				}
			}
		}
		for _, s := range spans {
			ok := false
			for _, n := range l.names {
				ok = ok || s.Start < n[1] && n[0] < s.End
			}
			switch {
			case ok:
				right++
			case utf8.RuneCountInString(l.text[s.Start:s.End]) == 1 && strings.HasPrefix(l.text[s.End:], "先生"):
				titled++
				continue
			default:
				strays = append(strays, l.text[max(0, s.Start-9):s.Start]+"["+l.text[s.Start:s.End]+"]"+clip(l.text[s.End:], 9))
			}
			dets++
		}
	}
	if labels < 3000 {
		t.Fatalf("read %d name labels; expected the full corpus", labels)
	}
	ra, rb, p := float64(zhFound)/float64(zhLabels), float64(found)/float64(labels), float64(right)/float64(max(dets, 1))
	t.Logf("CLUENER: recall (a) Chinese names %d/%d = %.3f, (b) all names %d/%d = %.3f; precision %d/%d = %.3f (%d surnames before a title not counted)",
		zhFound, zhLabels, ra, found, labels, rb, right, dets, p, titled)
	if testing.Verbose() {
		for i, s := range strays {
			if i%max(1, len(strays)/60) == 0 {
				t.Logf("stray: %s", s)
			}
		}
	}
	// The targets are recall (a) 0.80 at precision 0.95; the model
	// reaches 0.54 at 0.88 (see the package doc). These floors guard what
	// it reaches against regression.
	if ra < 0.50 {
		t.Errorf("recall of Chinese names %.3f, below 0.50", ra)
	}
	if p < 0.85 {
		t.Errorf("precision %.3f, below 0.85", p)
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
	b, err := os.ReadFile(realData(tb, "jddc-chat/chat_0.1per.txt"))
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
