package synth

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestLuhn(t *testing.T) {
	for _, c := range []struct {
		n  string
		ok bool
	}{
		{"4111111111111111", true},
		{"5555555555554444", true},
		{"6222021234567890", false},
		{"4111111111111112", false},
		{"79927398713", true},
	} {
		if luhnValid(c.n) != c.ok {
			t.Errorf("luhnValid(%s) = %v", c.n, !c.ok)
		}
	}
	r := newRNG(1)
	for i := 0; i < 1000; i++ {
		for _, cn := range []bool{true, false} {
			if c := randomCard(r, cn); len(c) != 16 || !luhnValid(c) {
				t.Fatalf("randomCard = %s", c)
			}
		}
	}
}

func TestResidentID(t *testing.T) {
	// Published sample number.
	if got := residentIDCheck("11010519491231002"); got != 'X' {
		t.Errorf("check of 11010519491231002 = %c, want X", got)
	}
	r := newRNG(2)
	for i := 0; i < 1000; i++ {
		reg := pick(r, cnRegions).code
		id := residentID(reg, "1990-03-07", r.intn(1000), pick(r, []string{"F", "M", "U"}))
		if !validResidentID(id) || id[6:14] != "19900307" {
			t.Fatalf("residentID = %s", id)
		}
	}
	if id := residentID("330106", "1990-03-07", 124, "M"); (id[16]-'0')%2 != 1 {
		t.Errorf("male sequence digit even: %s", id)
	}
	if id := residentID("330106", "1990-03-07", 125, "F"); (id[16]-'0')%2 != 0 {
		t.Errorf("female sequence digit odd: %s", id)
	}
}

func TestAppendTS(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10000; i++ {
		ms := r.Int64N(200 * 365 * msPerDay)
		want := time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
		if got := tsString(ms); got != want {
			t.Fatalf("tsString(%d) = %s, want %s", ms, got, want)
		}
		if got := dateString(ms); got != want[:10] {
			t.Fatalf("dateString(%d) = %s", ms, got)
		}
	}
}

func TestUserIDsUnique(t *testing.T) {
	seen := map[string]int{}
	for _, base := range []int{0, fraudIndexBase} {
		for i := base; i < base+100_000; i++ {
			id := userIDOf(99, i)
			if len(id) != 9 || id[0] != 'u' {
				t.Fatalf("userIDOf(%d) = %s", i, id)
			}
			if j, dup := seen[id]; dup {
				t.Fatalf("users %d and %d share id %s", i, j, id)
			}
			seen[id] = i
		}
	}
}

func TestUUIDUnique(t *testing.T) {
	seen := map[string]bool{}
	for d := uint64(0); d < 3; d++ {
		for i := uint64(0); i < 50_000; i++ {
			id := string(appendUUID(nil, 5, tagEventID, d<<40|i))
			if seen[id] || !reUUID.MatchString(id) {
				t.Fatalf("bad or repeated id %s", id)
			}
			seen[id] = true
		}
	}
}

func TestJSONString(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:        `"plain"`,
		`say "hi"`:     `"say \"hi\""`,
		"a\\b\nc\x01":  `"a\\b\nc\u0001"`,
		"中文地址":         `"中文地址"`,
		"bad \xff utf": `"bad \ufffd utf"`,
	} {
		if got := string(appendJSONString(nil, in)); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}
