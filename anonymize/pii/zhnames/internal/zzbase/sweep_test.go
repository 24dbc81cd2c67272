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
