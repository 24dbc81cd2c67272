package dp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Epsilon bounds.
const (
	microsPerUnit = 1_000_000
	// MaxEpsilonMicros is 10: at ε = 10 the noise is already 0 with
	// probability 0.9999, so a larger value protects nothing and is likelier
	// a typo than a decision.
	MaxEpsilonMicros = 10 * microsPerUnit
	maxFracDigits    = 6
)

// ErrEpsilon is wrapped by every invalid-epsilon error.
var ErrEpsilon = errors.New("invalid epsilon")

// Epsilon is a privacy parameter: a rational in (0, 10] with at most six
// decimal places, held exactly as an integer count of millionths. The zero
// value is not a valid Epsilon; build one with [ParseEpsilon] or
// [EpsilonFromMicros].
type Epsilon struct {
	micros int64
}

// ParseEpsilon parses a plain decimal such as "0.5", "1" or "0.125".
// Signs, exponents, spaces, more than six decimal places, zero and values
// above 10 are rejected: a budget written in a config must mean exactly
// what it says.
func ParseEpsilon(s string) (Epsilon, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return Epsilon{}, fmt.Errorf("%w %q: want a decimal like 0.5", ErrEpsilon, s)
	}
	if len(frac) > maxFracDigits {
		return Epsilon{}, fmt.Errorf("%w %q: more than %d decimal places", ErrEpsilon, s, maxFracDigits)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 2 { // ≥ 100; also keeps ParseInt far from overflow
		return Epsilon{}, fmt.Errorf("%w %q: above 10", ErrEpsilon, s)
	}
	// Both are short runs of ASCII digits, so ParseInt cannot fail.
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt("0"+frac+strings.Repeat("0", maxFracDigits-len(frac)), 10, 64)
	e, err := EpsilonFromMicros(w*microsPerUnit + f)
	if err != nil {
		return Epsilon{}, fmt.Errorf("%q: %w", s, err)
	}
	return e, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// EpsilonFromMicros returns the Epsilon of micros millionths, for values a
// ledger has stored; it must be in [1, MaxEpsilonMicros].
func EpsilonFromMicros(micros int64) (Epsilon, error) {
	switch {
	case micros <= 0:
		return Epsilon{}, fmt.Errorf("%w: %d millionths is not positive", ErrEpsilon, micros)
	case micros > MaxEpsilonMicros:
		return Epsilon{}, fmt.Errorf("%w: %d millionths is above 10", ErrEpsilon, micros)
	}
	return Epsilon{micros: micros}, nil
}

// Micros returns ε in millionths: the exact amount a ledger adds per draw.
func (e Epsilon) Micros() int64 { return e.micros }

// Float64 returns ε as a float, for reports and tail bounds only; the
// sampler never uses it.
func (e Epsilon) Float64() float64 { return float64(e.micros) / microsPerUnit }

// String returns ε in the shortest decimal that parses back to it: "0.5",
// "1", "0.125". The zero value prints "0".
func (e Epsilon) String() string {
	s := strconv.FormatInt(e.micros/microsPerUnit, 10)
	if f := e.micros % microsPerUnit; f != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", f), "0")
	}
	return s
}

// valid reports whether e came from a constructor, not the zero value.
func (e Epsilon) valid() error {
	if e.micros <= 0 || e.micros > MaxEpsilonMicros {
		return fmt.Errorf("%w: %d millionths (use ParseEpsilon)", ErrEpsilon, e.micros)
	}
	return nil
}

// ratio returns ε = s/t in lowest terms.
func (e Epsilon) ratio() (s, t uint64) {
	s, t = uint64(e.micros), microsPerUnit
	for a, b := s, t; ; {
		if b == 0 {
			return s / a, t / a
		}
		a, b = b, a%b
	}
}
