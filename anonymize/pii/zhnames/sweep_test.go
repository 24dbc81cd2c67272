package zhnames

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSweep scores weights on CLUENER's odd lines, where they are chosen,
// beside the held-out even lines. Each field of $VEIL_ZH_SWEEP is
// nameToken,margin,strongCue,weakCue,dictName,placeCue,knownName,titleCue;
// "show:" before one prints what the odd lines miss and find wrongly:
//
//	VEIL_ZH_SWEEP="5.3,4,4,1,0,2,2,8 5.3,3,4,1,0,2,2,8" go test -run Sweep -v ./anonymize/pii/zhnames
func TestSweep(t *testing.T) {
	spec := os.Getenv("VEIL_ZH_SWEEP")
	if spec == "" {
		t.Skip("set VEIL_ZH_SWEEP to sweep the model's weights")
	}
	recs := readCLUENER(t)
	saved := [...]float32{nameToken, margin, strongCue, weakCue, dictName, placeCue, knownName, titleCue}
	defer func() {
		nameToken, margin, strongCue, weakCue, dictName, placeCue, knownName, titleCue = saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], saved[6], saved[7]
	}()
	for _, v := range strings.Fields(spec) {
		show := strings.HasPrefix(v, "show:")
		v = strings.TrimPrefix(v, "show:")
		if _, err := fmt.Sscanf(v, "%f,%f,%f,%f,%f,%f,%f,%f", &nameToken, &margin, &strongCue, &weakCue, &dictName, &placeCue, &knownName, &titleCue); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		tuned := evalCLUENER(recs, 1)
		t.Logf("%s: odd %v | even %.3f %.3f %.3f", v, tuned, evalCLUENER(recs, 0).recallA(), evalCLUENER(recs, 0).recallB(), evalCLUENER(recs, 0).precision())
		if show {
			t.Logf("missed: %s", strings.Join(tuned.misses, "  "))
			t.Logf("wrongly found: %s", strings.Join(tuned.strays, "  "))
		}
	}
}

// knobs are the weights TestKnobs may set by name.
var knobs = map[string]*float32{
	"nameToken": &nameToken, "margin": &margin, "strongCue": &strongCue, "weakCue": &weakCue,
	"dictName": &dictName, "placeCue": &placeCue, "knownName": &knownName, "titleCue": &titleCue,
	"listSlack": &listSlack, "startCue": &startCue, "dictGivenMax": &dictGivenMax, "givenCutoff": &givenCutoff, "foreignNeed": &foreignNeed, "nrPenalty": &nrPenalty, "dictLong": &dictLong, "dictShortCtx": &dictShortCtx,
}

// TestKnobs scores settings on CLUENER's odd lines, where weights are
// chosen; each field of $VEIL_ZH_KNOBS is name=value,name=value (one
// setting), with "show:" before it to print the odd lines' misses and
// wrong finds. The held-out even lines print only with $VEIL_ZH_EVEN.
func TestKnobs(t *testing.T) {
	spec := os.Getenv("VEIL_ZH_KNOBS")
	if spec == "" {
		t.Skip("set VEIL_ZH_KNOBS to score settings")
	}
	recs := readCLUENER(t)
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
				t.Fatalf("no knob %q", name)
			}
			saved[name] = *p
			if _, err := fmt.Sscanf(val, "%f", p); err != nil {
				t.Fatalf("%s: %v", kv, err)
			}
		}
		tables = load() // for the weights read at load time
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
		tables = load()
	}
}
