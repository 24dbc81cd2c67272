package residual

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// spillCase is a day's raw values and the values a run wrote, with leaks,
// collisions and PII planted in every class.
func spillCase() (raw []string, scan func(*Scanner) error) {
	for i := range 1000 {
		raw = append(raw, fmt.Sprintf("u%07d", i*7919), fmt.Sprintf("+86 138%08d", i*104729%100000000),
			fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("10.%d.%d.%d", i%250, i/250, i%7+1))
	}
	raw = append(raw, "r_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") // a token-shaped raw value
	scan = func(sc *Scanner) error {
		for i := range 300 {
			sc.Check("events_clean", "age_band", Generalised, fmt.Sprintf("%d-%d", i%9*10, i%9*10+9))
			sc.Check("events_clean", "user_token", Token, fmt.Sprintf("o_%030d", i))
			sc.Check("events_clean", "event_id", Kept, fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i))
			sc.Check("events_clean", "category", Label, fmt.Sprintf("cat%d", i%50))
		}
		// Leaks: exact and substring in a generalised column, a text, a label
		// that contains a raw value, an identifier equal to one, a raw value
		// in a token column, and a malformed token.
		sc.Check("events_clean", "region", Generalised, "u0007919")
		sc.Check("events_clean", "region", Generalised, "near u0015838 and user12@example.com")
		sc.Check("events_clean", "region", Generalised, "10.3.0.0/16") // a network: exempt
		sc.Check("chats_clean", "text", Text, "call me on +86 13800104729 or mail user7@example.com")
		sc.Check("chats_clean", "text", Text, "u0023757")
		sc.Check("chats_clean", "text", Text, "card 4111 1111 1111 1111")
		sc.Check("events_clean", "category", Label, "u0031676")
		sc.Check("events_clean", "category", Label, "x-user99@example.com")
		sc.Check("events_clean", "item_id", Kept, "u0039595")
		sc.Check("tags", "merchant_id", Identifier, "user5@example.com")
		sc.Check("tags", "merchant_id", Identifier, "m-user5@example.com") // identifiers: exact only
		sc.Check("events_clean", "user_token", Token, "user6@example.com")
		sc.Check("events_clean", "user_token", Token, "r_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		sc.Check("events_clean", "user_token", Token, "o_short")
		sc.ScanText("reports", "run.json", `{"a": "u0000000", "b": "u0000000 +86 13800000000"}`)
		if !sc.RowCheck("events_clean", []string{"item_id"}, []string{"x1234567"}, []string{"1234567"}) {
			return nil
		}
		return nil
	}
	return raw, scan
}

func TestSpillMatchesInMemory(t *testing.T) {
	raw, scan := spillCase()
	n := NewNeedles(DefaultMinLen)
	for _, v := range raw {
		n.Add(v)
	}
	sc := NewScanner(n)
	if err := scan(sc); err != nil {
		t.Fatal(err)
	}
	want := sc.Result()
	if want.Passed || len(want.Findings) < 8 || len(want.Collisions) == 0 {
		t.Fatalf("the in-memory scan should find the planted leaks: %+v", want)
	}
	for _, budget := range []int64{1 << 30, 16 << 10, 1} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			dir := t.TempDir()
			s := NewSpill(budget, dir)
			defer s.Close()
			// Half through Add, half through Merge, each twice: duplicates
			// across flushes must not count twice.
			half := NewNeedles(DefaultMinLen)
			for i, v := range raw {
				if i%2 == 0 {
					if err := s.Add(v); err != nil {
						t.Fatal(err)
					}
				} else {
					half.Add(v)
				}
			}
			for range 2 {
				if err := s.Merge(half); err != nil {
					t.Fatal(err)
				}
			}
			passes := 0
			got, err := s.Scan(func(sc *Scanner) error { passes++; return scan(sc) })
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("budget %d, %d passes:\n got %+v\nwant %+v", budget, passes, got, want)
			}
			if s.TokenShaped() != n.TokenShaped() {
				t.Errorf("token-shaped needles: got %d, want %d", s.TokenShaped(), n.TokenShaped())
			}
			if budget < 1<<20 && (!s.Spilled() || passes < 2) {
				t.Errorf("budget %d: spilled %v in %d passes, want several shards", budget, s.Spilled(), passes)
			}
			if budget == 1 && passes != spillBuckets {
				t.Errorf("budget 1: %d passes, want one per bucket", passes)
			}
			// No raw value in clear on disk.
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					if strings.Contains(string(b), "example.com") {
						t.Errorf("%s holds a raw value in clear", p)
					}
				}
				return nil
			})
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("Close left %d entries", len(entries))
			}
		})
	}
}

func TestBudgetFromEnv(t *testing.T) {
	for in, want := range map[string]int64{"": DefaultBudget, "1024": 1024, "64MiB": 64 << 20, "2 GiB": 2 << 30} {
		t.Setenv("VEIL_RESIDUAL_MEMORY", in)
		if got, err := BudgetFromEnv(); err != nil || got != want {
			t.Errorf("%q: got %d, %v; want %d", in, got, err, want)
		}
	}
	t.Setenv("VEIL_RESIDUAL_MEMORY", "lots")
	if _, err := BudgetFromEnv(); err == nil {
		t.Error("a bad size should be an error")
	}
}
