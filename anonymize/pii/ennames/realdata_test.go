package ennames

import (
	"encoding/csv"
	"github.com/veil-data/veil/internal/realdata"
	"os"
	"strings"
	"testing"
)

// TestRealTextsWithoutNames runs Append over real shop text that holds no
// English person name: JD.com customer-service chat (Chinese with brands
// and model numbers, already masked by JD with placeholders such as
// [姓名x]) and UCI Online Retail product titles (shouted: "HERB MARKER
// ROSEMARY"). Every detection there is a false positive; a span on a JD
// placeholder would change it.
func TestRealTextsWithoutNames(t *testing.T) {
	b, err := os.ReadFile(realdata.Path(t, "jddc-chat/chat_0.1per.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var turns []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		cols := strings.Split(line, "\t")
		turns = append(turns, cols[len(cols)-1])
	}
	f, err := os.Open(realdata.Path(t, "uci-online-retail/OnlineRetail_first999.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range rows[1:] {
		titles = append(titles, r[2])
	}
	for _, set := range []struct {
		name  string
		texts []string
		most  float64 // detections per text allowed
	}{{"jddc-chat turns", turns, 0.001}, {"uci-online-retail titles", titles, 0.005}} {
		found := 0
		for _, text := range set.texts {
			for _, s := range Append(nil, text) {
				found++
				if strings.ContainsAny(text[s.Start:s.End], "[]") {
					t.Errorf("%s: a span on a placeholder: %q", set.name, text[s.Start:s.End])
				}
				if found <= *showErrors {
					t.Logf("  stray %q in %q", text[s.Start:s.End], text)
				}
			}
		}
		t.Logf("%-26s %5d texts, %d names found (all false)", set.name, len(set.texts), found)
		if float64(found) > set.most*float64(len(set.texts)) {
			t.Errorf("%s: %d false names in %d texts, more than %.1f%%", set.name, found, len(set.texts), 100*set.most)
		}
	}
}
