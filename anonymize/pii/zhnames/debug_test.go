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
