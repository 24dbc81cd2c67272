package pii

import (
	"bufio"
	"fmt"
	"os"
	"testing"
)

// TestAddrProbe prints the spans of the lines of $ADDR_PROBE (a debugging aid).
func TestAddrProbe(t *testing.T) {
	f, err := os.Open(os.Getenv("ADDR_PROBE"))
	if err != nil {
		t.Skip("no ADDR_PROBE")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		text := unescape(line)
		out := ""
		for _, s := range FindCertain(text) {
			out += fmt.Sprintf(" [%v %q]", s.Type, text[s.Start:s.End])
		}
		fmt.Printf("%q =>%s\n", text, out)
	}
}

func unescape(s string) string {
	b := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == 'n' {
			b = append(b, '\n')
			i++
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}
