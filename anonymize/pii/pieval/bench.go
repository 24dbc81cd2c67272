package pieval

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/veil-data/veil/internal/cputime"
	"os"
	"strings"
	"time"
)

// ReadConversations reads the texts of a corpus for the throughput bench,
// grouped by conversation: a labelled file (either format) gives one
// conversation per record, as its records are unrelated; anything else is
// read as JDDC's chat TSV (session id, …, content in the seventh column),
// one conversation per session in file order.
func ReadConversations(path string) ([][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pieval: %w", err)
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\uFEFF")), " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') {
		c, err := Read(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		convs := make([][]string, len(c.Records))
		for i, r := range c.Records {
			convs[i] = []string{r.Text}
		}
		return convs, nil
	}
	var convs [][]string
	index := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 7 {
			return nil, fmt.Errorf("pieval: %s line %d: %d tab-separated columns, want 7 (JDDC chat)", path, line, len(cols))
		}
		i, ok := index[cols[0]]
		if !ok {
			i = len(convs)
			index[cols[0]] = i
			convs = append(convs, nil)
		}
		convs[i] = append(convs[i], strings.Join(cols[6:], "\t"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("pieval: %s: %w", path, err)
	}
	return convs, nil
}

// Redactor redacts the messages of one conversation in turn.
type Redactor func(message string) string

// Throughput is what Bench measured.
type Throughput struct {
	Bytes    int64   `json:"bytes"`    // message bytes in one pass over the corpus
	Messages int     `json:"messages"` // in one pass
	Passes   int     `json:"passes"`   // in the fastest round
	Seconds  float64 `json:"seconds"`  // of the fastest round
	MBps     float64 `json:"mb_per_s"` // 1e6 bytes a second in the fastest round
	CPU      bool    `json:"cpu"`      // seconds of process CPU time, not wall clock
}

// Bench redacts every conversation with a new Redactor, message by
// message, in rounds of whole passes over the corpus lasting at least
// round each, and reports the fastest of rounds rounds after one warm-up
// pass: the fastest is the one least disturbed by the machine. Time is
// the process's CPU time where the system reports it (Unix), so that
// other programs on the machine do not count; else the wall clock. It
// runs on the calling goroutine; set GOMAXPROCS=1 for a figure per core.
func Bench(convs [][]string, newRedactor func() Redactor, rounds int, round time.Duration) Throughput {
	var t Throughput
	for _, c := range convs {
		t.Messages += len(c)
		for _, m := range c {
			t.Bytes += int64(len(m))
		}
	}
	_, t.CPU = cputime.Process()
	start := time.Now()
	clock := func() time.Duration {
		if d, ok := cputime.Process(); ok && t.CPU {
			return d
		}
		return time.Since(start)
	}
	sink := 0
	pass := func() {
		for _, c := range convs {
			r := newRedactor()
			for _, m := range c {
				sink += len(r(m))
			}
		}
	}
	pass()
	for range max(rounds, 1) {
		t0 := clock()
		n := 0
		for n == 0 || clock()-t0 < round {
			pass()
			n++
		}
		s := (clock() - t0).Seconds()
		if mbps := float64(t.Bytes) * float64(n) / max(s, 1e-9) / 1e6; mbps > t.MBps {
			t.MBps, t.Passes, t.Seconds = mbps, n, s
		}
	}
	if sink < 0 { // keeps the redactions from being optimised away
		panic("unreachable")
	}
	return t
}
