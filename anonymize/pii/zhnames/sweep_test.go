package zhnames

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// knobs are the weights TestSweep may set by name.
var knobs = map[string]*float32{
	"nameToken": &nameToken, "margin": &margin, "strongCue": &strongCue, "weakCue": &weakCue,
	"dictName": &dictName, "placeCue": &placeCue, "knownName": &knownName, "titleCue": &titleCue,
	"listSlack": &listSlack, "startCue": &startCue, "dictLong": &dictLong, "dictGivenMax": &dictGivenMax,
	"dictShortCtx": &dictShortCtx, "givenCutoff": &givenCutoff, "nrPenalty": &nrPenalty, "strongSingle": &strongSingle,
	"strongName": &strongName, "strongSur": &strongSur, "strongGiven": &strongGiven,
}

// TestSweep scores settings of the weights on CLUENER's odd lines, where
// they are chosen. Each field of $VEIL_ZH_SWEEP is one setting,
// name=value,name=value ("-" for the defaults); "show:" before it prints
// what the odd lines miss and find wrongly. The held-out even lines are
// scored too only with $VEIL_ZH_EVEN set, to report, not to choose:
//
//	VEIL_ZH_SWEEP="- margin=2.5 show:margin=3.5,nrPenalty=2.5" go test -run Sweep -v ./anonymize/pii/zhnames
func TestSweep(t *testing.T) {
	spec := os.Getenv("VEIL_ZH_SWEEP")
	if spec == "" {
		t.Skip("set VEIL_ZH_SWEEP to sweep the model's weights")
	}
	recs := readCLUENER(t)
	defer func() { tables = load() }()
	for _, set := range strings.Fields(spec) {
		show := strings.HasPrefix(set, "show:")
		set = strings.TrimPrefix(set, "show:")
		saved := map[string]float32{}
		for _, kv := range strings.Split(set, ",") {
			if kv == "" || kv == "-" {
				continue
			}
			name, val, _ := strings.Cut(kv, "=")
			p, ok := knobs[name]
			if !ok {
				t.Fatalf("no weight %q", name)
			}
			saved[name] = *p
			if _, err := fmt.Sscanf(val, "%f", p); err != nil {
				t.Fatalf("%s: %v", kv, err)
			}
		}
		get()
		tables = load() // nrPenalty is read as the tables load
		odd := evalCLUENER(recs, 1)
		line := fmt.Sprintf("%s: odd %v", set, odd)
		if os.Getenv("VEIL_ZH_EVEN") != "" {
			line += fmt.Sprintf(" | even %v", evalCLUENER(recs, 0))
		}
		t.Log(line)
		if show {
			t.Logf("missed: %s", strings.Join(odd.misses, "  "))
			t.Logf("wrongly found: %s", strings.Join(odd.strays, "  "))
		}
		for name, v := range saved {
			*knobs[name] = v
		}
	}
}
