package pii

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-data/veil/synth"
)

// synthTypes maps the generator's PII types to ours.
var synthTypes = map[string]Type{
	"phone": Phone, "address": Address, "person_name": Person, "email": Email, "bank_card": BankCard,
	"cn_resident_id": CNResidentID, "passport": Passport, "wechat_id": WeChat, "qq_id": QQ,
}

// TestSynthetic measures recall per type on the chats of the synthetic
// generator, against the PII it says it planted (truth/chat_pii.jsonl),
// and precision: a detection that overlaps no planted value is wrong (the
// chats also hold order and tracking numbers, prices, dates, shop names).
// The data is generated into a temporary folder; VEIL_PII_GEN names a
// folder made by "veil gen" to measure that instead.
func TestSynthetic(t *testing.T) {
	dir := os.Getenv("VEIL_PII_GEN")
	if dir == "" {
		dir = t.TempDir()
		cfg := synth.Config{Out: dir, Days: 1, Events: 20000, Seed: 3, ChatRatio: 0.25}
		if _, err := synth.Generate(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
	}
	texts := map[string]string{}
	parts, _ := filepath.Glob(filepath.Join(dir, "landing", "chats", "dt=*", "part-*.jsonl"))
	for _, p := range parts {
		eachJSONLine(t, p, func(b []byte) {
			var m struct {
				ID   string `json:"message_id"`
				Text string `json:"text"`
			}
			if json.Unmarshal(b, &m) == nil && m.ID != "" {
				texts[m.ID] = m.Text
			}
		})
	}
	planted := map[string][][2]string{}
	eachJSONLine(t, filepath.Join(dir, "truth", "chat_pii.jsonl"), func(b []byte) {
		var r struct {
			ID  string `json:"message_id"`
			PII []struct{ Type, Value string }
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		for _, p := range r.PII {
			planted[r.ID] = append(planted[r.ID], [2]string{p.Type, p.Value})
		}
	})
	if len(texts) < 1000 || len(planted) < 200 {
		t.Fatalf("read %d messages and %d with PII; expected more", len(texts), len(planted))
	}
	tl := newTally()
	for id, text := range texts {
		found := Find(text)
		var values [][2]int
		for _, p := range planted[id] {
			typ, ok := synthTypes[p[0]]
			if !ok {
				t.Fatalf("unknown planted type %q", p[0])
			}
			k := strings.Index(text, p[1])
			if k < 0 {
				t.Fatalf("planted %q not in %q", p[1], text)
			}
			values = append(values, [2]int{k, k + len(p[1])})
			tl.label(text, found, typ, k, k+len(p[1]))
		}
		tl.detections(text, found, func(s Span) bool {
			for _, v := range values {
				if overlaps(s, v[0], v[1]) {
					return true
				}
			}
			return false
		})
	}
	tl.report(t, 10)
	// Achieved: 1.000 for every type on seeds 3, 7, 11 and 2024; the brief
	// asks for 0.95 (0.85 for addresses and names).
	tl.floors(t, map[Type]float64{
		Phone: 0.98, Email: 0.98, BankCard: 0.98, CNResidentID: 0.98, Passport: 0.98, QQ: 0.98, WeChat: 0.98,
		Address: 0.97, Person: 0.97,
	}, map[Type]float64{
		Phone: 0.98, Email: 0.98, BankCard: 0.98, CNResidentID: 0.98, Passport: 0.98, QQ: 0.98, WeChat: 0.98,
		Address: 0.98, Person: 0.98,
	})
}

func eachJSONLine(t *testing.T, path string, fn func([]byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fn(sc.Bytes())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
