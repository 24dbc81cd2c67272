package pii

import (
	"bufio"
	"encoding/json"
	"github.com/veil-data/veil/internal/cputime"
	"github.com/veil-data/veil/internal/realdata"
	"os"
	"strings"
	"testing"
)

// BenchmarkCorpus reports the speed of Find, in MB/s of text (wall clock)
// and MB/cpu-s (per second of CPU time, the speed of one core), on
// real corpora: presidio-research's English sentences, CLUENER's Chinese
// news and social text, and JD's Chinese customer-service chat lines
// (each skips when the real data is absent), and long lines of many
// numbers.
func BenchmarkCorpus(b *testing.B) {
	for _, c := range []struct {
		name string
		load func(testing.TB) []string
	}{
		{"presidio-en", presidioTexts},
		{"cluener-zh", cluenerTexts},
		{"jddc-chat-zh", jddcTexts},
		{"many-numbers", manyNumbersTexts},
	} {
		for _, core := range []bool{false, true} {
			name := c.name
			if core {
				name += "-core" // the detectors without the name models
			}
			b.Run(name, func(b *testing.B) {
				defer func(old bool) { useNameModels = old }(useNameModels)
				useNameModels = !core
				benchFind(b, c.load(b))
			})
		}
	}
}

// benchFind reports the speed of Find on texts.
func benchFind(b *testing.B, texts []string) {
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var buf []Span
	cpu0, n := cputime.Used(), 0
	for b.Loop() {
		for _, t := range texts {
			buf = appendSpans(buf[:0], t)
		}
		n++
	}
	if cpu := cputime.Used() - cpu0; cpu > 0 {
		// MB per second of CPU: the speed of one core, which the wall
		// clock overstates less on a busy machine.
		b.ReportMetric(float64(size)*float64(n)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}

func presidioTexts(tb testing.TB) []string {
	data, err := os.ReadFile(realdata.Path(tb, "presidio-research/synth_dataset_v2.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var records []struct {
		FullText string `json:"full_text"`
	}
	if err := json.Unmarshal(data, &records); err != nil {
		tb.Fatal(err)
	}
	texts := make([]string, len(records))
	for i, r := range records {
		texts[i] = r.FullText
	}
	return texts
}

func cluenerTexts(tb testing.TB) []string {
	var texts []string
	eachLine(tb, realdata.Path(tb, "cluener2020/train.json"), func(line string) {
		var rec struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			tb.Fatal(err)
		}
		texts = append(texts, rec.Text)
	})
	return texts
}

// manyNumbersTexts returns long lines of many numbers, most of them no
// personal data: the case where detectors once read every byte again.
func manyNumbersTexts(testing.TB) []string {
	parts := []string{"电话13812345678", "ip 10.0.0.1", "寄到上海市浦东新区张江路100号", "护照号E12345678",
		"1 2 3 4 5 6 7 8 9", "12 Rue de Rivoli, 75001 Paris", "Via Nuova del Campo 85", "card 4111 1111 1111 1111",
		"order 20240115 qty 3 price 129.00 on 2024-01-15 at 10:30"}
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = strings.Repeat(strings.Join(parts, "；"), 5)
	}
	return texts
}

// jddcTexts returns the message column of JD's chat lines.
func jddcTexts(tb testing.TB) []string {
	var texts []string
	eachLine(tb, realdata.Path(tb, "jddc-chat/chat_0.1per.txt"), func(line string) {
		if cols := strings.Split(line, "\t"); len(cols) >= 7 {
			texts = append(texts, strings.Join(cols[6:], "\t"))
		}
	})
	return texts
}

func eachLine(tb testing.TB, path string, fn func(string)) {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
}
