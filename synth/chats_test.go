package synth

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/veil-data/veil/schemas"
)

type chatRec struct {
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id"`
	TS             string `json:"ts"`
	MerchantID     string `json:"merchant_id"`
	UserID         string `json:"user_id"`
	Sender         string `json:"sender"`
	Text           string `json:"text"`
}

func TestChats(t *testing.T) {
	users := map[string]bool{}
	birth := map[string]string{}
	for _, e := range validEvents(t) {
		users[e.UserID] = true
		if e.Birth != "" {
			birth[e.UserID] = e.Birth
		}
	}
	declared := map[string]bool{}
	for _, f := range schemas.Chats.Fields {
		declared[f.Name] = true
	}
	msgs := map[string]chatRec{}
	convs := map[string][]chatRec{}
	total := 0
	for dt, lines := range feedLines(t, "chats") {
		for _, line := range lines {
			var raw map[string]any
			if err := json.Unmarshal(line, &raw); err != nil {
				t.Fatalf("dt=%s: %v: %s", dt, err, line)
			}
			for k := range raw {
				if !declared[k] {
					t.Errorf("undeclared chat field %s", k)
				}
			}
			var m chatRec
			json.Unmarshal(line, &m)
			if m.Sender != "buyer" && m.Sender != "seller" && m.Sender != "bot" {
				t.Errorf("sender %q", m.Sender)
			}
			if !users[m.UserID] {
				t.Errorf("chat buyer %s never appears in the events", m.UserID)
			}
			if !reTS.MatchString(m.TS) || !strings.HasPrefix(m.TS, dt) || !reMerchant.MatchString(m.MerchantID) || m.Text == "" {
				t.Errorf("chat %s", line)
			}
			if _, dup := msgs[m.MessageID]; dup {
				t.Errorf("message_id %s repeated", m.MessageID)
			}
			msgs[m.MessageID] = m
			convs[m.ConversationID] = append(convs[m.ConversationID], m)
			total++
		}
	}
	want := fixtureCfg.WithDefaults().ChatRatio * float64(fixtureCfg.Events)
	if total != fixtureSum.Chats || math.Abs(float64(total)-want) > 2 {
		t.Errorf("%d messages, summary says %d, want about %.0f", total, fixtureSum.Chats, want)
	}
	zh := 0
	for id, ms := range convs {
		if len(ms) < 3 || len(ms) > 14 {
			t.Errorf("conversation %s has %d messages", id, len(ms))
		}
		for _, m := range ms[1:] {
			if m.UserID != ms[0].UserID || m.MerchantID != ms[0].MerchantID {
				t.Errorf("conversation %s changes parties", id)
			}
		}
		if hasHan(ms[len(ms)/2].Text) {
			zh++
		}
	}
	if share := float64(zh) / float64(len(convs)); share < 0.35 || share > 0.65 {
		t.Errorf("%.2f of conversations in Chinese, want about half", share)
	}

	// Planted PII: present in its message, consistent with the buyer.
	buyerMsgs, withPII := 0, 0
	types := map[string]int{}
	for _, line := range readLines(t, filepath.Join(fixtureDir, "truth", "chat_pii.jsonl")) {
		var p struct {
			MessageID string    `json:"message_id"`
			PII       []piiSpan `json:"pii"`
		}
		if err := json.Unmarshal(line, &p); err != nil {
			t.Fatal(err)
		}
		m, ok := msgs[p.MessageID]
		if !ok {
			t.Fatalf("truth names unknown message %s", p.MessageID)
		}
		withPII++
		for _, s := range p.PII {
			types[s.Type]++
			if !strings.Contains(m.Text, s.Value) {
				t.Errorf("%s %q not in %q", s.Type, s.Value, m.Text)
			}
			switch s.Type {
			case "bank_card":
				if d := strings.NewReplacer(" ", "", "-", "").Replace(s.Value); !luhnValid(d) {
					t.Errorf("chat card %q fails Luhn", s.Value)
				}
			case "cn_resident_id":
				if !validResidentID(s.Value) {
					t.Errorf("resident ID %s invalid", s.Value)
				}
				if b, ok := birth[m.UserID]; ok && strings.ReplaceAll(b, "-", "") != s.Value[6:14] {
					t.Errorf("resident ID %s does not match %s's birth date %s", s.Value, m.UserID, b)
				}
			}
		}
	}
	for _, m := range msgs {
		if m.Sender == "buyer" {
			buyerMsgs++
		}
	}
	if share := float64(withPII) / float64(buyerMsgs); share < 0.2 || share > 0.4 {
		t.Errorf("%.2f of buyer messages carry PII, want about 0.3", share)
	}
	for _, typ := range []string{"phone", "email", "bank_card", "cn_resident_id", "address", "person_name"} {
		if types[typ] == 0 {
			t.Errorf("no %s planted in chats", typ)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// validResidentID checks an 18-character resident ID independently of the
// generator: known region, plausible date, MOD 11-2 check character.
func validResidentID(id string) bool {
	if len(id) != 18 {
		return false
	}
	region := false
	for _, r := range cnRegions {
		region = region || r.code == id[:6]
	}
	if !region || id[6:8] != "19" && id[6:8] != "20" {
		return false
	}
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
		sum += int(id[i]-'0') * w[i]
	}
	return "10X98765432"[sum%11] == id[17]
}
