package dp

import (
	"errors"
	"math/big"
	"testing"
)

func TestParseEpsilon(t *testing.T) {
	for _, c := range []struct {
		in     string
		micros int64 // 0: must be rejected
		str    string
	}{
		{"0.5", 500_000, "0.5"},
		{"1", 1_000_000, "1"},
		{"0.125", 125_000, "0.125"},
		{"0.1", 100_000, "0.1"},
		{"0.000001", 1, "0.000001"},
		{"1.000000", 1_000_000, "1"},
		{"10", 10_000_000, "10"},
		{"10.000000", 10_000_000, "10"},
		{"007.25", 7_250_000, "7.25"},
		{"0", 0, ""},
		{"0.0", 0, ""},
		{"0.0000001", 0, ""}, // seven places, even though nonzero
		{"0.1000000", 0, ""}, // seven places, even though exact
		{"10.000001", 0, ""},
		{"11", 0, ""},
		{"100", 0, ""},
		{"99999999999999999999999", 0, ""},
		{"-0.5", 0, ""},
		{"+0.5", 0, ""},
		{"NaN", 0, ""},
		{"Inf", 0, ""},
		{"1e-3", 0, ""},
		{"0x1p-1", 0, ""},
		{"", 0, ""},
		{".5", 0, ""},
		{"5.", 0, ""},
		{" 0.5", 0, ""},
		{"0.5 ", 0, ""},
		{"0,5", 0, ""},
		{"0.5.1", 0, ""},
		{"1_0", 0, ""},
		{"٣", 0, ""}, // a non-ASCII digit
	} {
		e, err := ParseEpsilon(c.in)
		if c.micros == 0 {
			if err == nil {
				t.Errorf("ParseEpsilon(%q) = %v, want an error", c.in, e)
			} else if !errors.Is(err, ErrEpsilon) {
				t.Errorf("ParseEpsilon(%q): error %v does not wrap ErrEpsilon", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseEpsilon(%q): %v", c.in, err)
			continue
		}
		if e.Micros() != c.micros || e.String() != c.str {
			t.Errorf("ParseEpsilon(%q) = %d µ %q, want %d µ %q", c.in, e.Micros(), e, c.micros, c.str)
		}
		if f, want := e.Float64(), float64(c.micros)/1e6; f != want {
			t.Errorf("ParseEpsilon(%q).Float64() = %v, want %v", c.in, f, want)
		}
	}
}

// The reason Micros exists: in float64, 0.1+0.2 != 0.3.
func TestMicrosExact(t *testing.T) {
	a, b, c := mustEps(t, "0.1"), mustEps(t, "0.2"), mustEps(t, "0.3")
	if a.Micros()+b.Micros() != c.Micros() {
		t.Fatalf("0.1+0.2 = %d µ, want %d µ", a.Micros()+b.Micros(), c.Micros())
	}
	var ledger int64
	for range 10 {
		ledger += a.Micros()
	}
	if one := mustEps(t, "1"); ledger != one.Micros() {
		t.Fatalf("ten spends of 0.1 = %d µ, want %d µ", ledger, one.Micros())
	}
}

func TestEpsilonFromMicros(t *testing.T) {
	for _, m := range []int64{-1, 0, MaxEpsilonMicros + 1} {
		if _, err := EpsilonFromMicros(m); !errors.Is(err, ErrEpsilon) {
			t.Errorf("EpsilonFromMicros(%d): err = %v, want ErrEpsilon", m, err)
		}
	}
	for _, m := range []int64{1, 333_333, MaxEpsilonMicros} {
		e, err := EpsilonFromMicros(m)
		if err != nil || e.Micros() != m {
			t.Errorf("EpsilonFromMicros(%d) = %d, %v", m, e.Micros(), err)
		}
		if back, err := ParseEpsilon(e.String()); err != nil || back != e {
			t.Errorf("ParseEpsilon(%q) = %v, %v; want %d µ", e, back.Micros(), err, m)
		}
	}
}

func TestEpsilonRatio(t *testing.T) {
	for _, c := range []struct {
		in   string
		s, t uint64
	}{
		{"0.5", 1, 2}, {"0.1", 1, 10}, {"1", 1, 1}, {"0.125", 1, 8},
		{"0.000001", 1, 1_000_000}, {"10", 10, 1}, {"0.333333", 333_333, 1_000_000},
		{"2.4", 12, 5},
	} {
		if s, tt := mustEps(t, c.in).ratio(); s != c.s || tt != c.t {
			t.Errorf("ratio(%s) = %d/%d, want %d/%d", c.in, s, tt, c.s, c.t)
		}
	}
}

// FuzzParseEpsilon holds the parser to math/big's reading of the same
// text: whatever it accepts is exactly that rational, in (0, 10].
func FuzzParseEpsilon(f *testing.F) {
	for _, s := range []string{"0.5", "1", "0.125", "10", "0.0000001", "-1", "1e3", "NaN", "00.000100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEpsilon(s)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("ParseEpsilon(%q) accepted what big.Rat rejects", s)
		}
		if want := new(big.Rat).SetFrac64(e.Micros(), 1_000_000); r.Cmp(want) != 0 {
			t.Fatalf("ParseEpsilon(%q) = %d µ, big.Rat reads %v", s, e.Micros(), r)
		}
		if e.Micros() < 1 || e.Micros() > MaxEpsilonMicros {
			t.Fatalf("ParseEpsilon(%q) = %d µ, out of range", s, e.Micros())
		}
		if back, err := ParseEpsilon(e.String()); err != nil || back != e {
			t.Fatalf("round trip of %q via %q: %v, %v", s, e, back, err)
		}
	})
}

func mustEps(t testing.TB, s string) Epsilon {
	t.Helper()
	e, err := ParseEpsilon(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
