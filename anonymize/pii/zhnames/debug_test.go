package zhnames

import (
	"os"
	"strings"
	"testing"
)

func TestDebug(t *testing.T) {
	s := os.Getenv("VEIL_ZH_DEBUG")
	if s == "" {
		t.Skip()
	}
	debugf = t.Logf
	defer func() { debugf = nil }()
	for _, x := range strings.Fields(s) {
		spans := Append(nil, x)
		var got []string
		for _, sp := range spans {
			got = append(got, x[sp.Start:sp.End])
		}
		t.Logf("%s => %v", x, got)
	}
}

func TestDebugChars(t *testing.T) {
	s := os.Getenv("VEIL_ZH_CHARS")
	if s == "" {
		t.Skip()
	}
	m := get()
	for _, r := range s {
		i := r - hanLo
		t.Logf("%c one %.1f first %.1f second %.1f single %.1f notGiven %v sur %.1f", r, m.ch[i].one, m.ch[i].first, m.ch[i].second, m.ch[i].single, m.notGiven[i], m.surname[i])
	}
}
