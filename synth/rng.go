package synth

import (
	"math"
	"math/bits"
	"sort"
)

// The generator uses its own small RNG (splitmix64) rather than math/rand so
// that the output bytes depend on nothing but the Config: no library version
// can change the stream, and any sub-stream can be re-derived from a key.

const golden = 0x9e3779b97f4a7c15

// mix64 is the splitmix64 finaliser. It is a bijection on uint64, which the
// id generators rely on for uniqueness.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// key combines a base key with further parts into one well-mixed key.
func key(base uint64, parts ...uint64) uint64 {
	h := mix64(base + golden)
	for _, p := range parts {
		h = mix64(h ^ mix64(p+golden))
	}
	return h
}

// Stream tags keep the sub-streams derived from one seed apart.
const (
	tagProfile uint64 = iota + 1
	tagDevice
	tagItem
	tagDay
	tagSessions
	tagLengths
	tagMess
	tagFraud
	tagChat
	tagEventID
	tagMsgID
	tagConvID
	tagUserID
	tagLive
	tagCoupon
	tagAppeal
	tagLabel
	tagMerchant
	tagOptOut
	tagHousehold
	tagNAT
	tagChurn
	tagPromo
	tagLiveBurst
)

type rng struct{ s uint64 }

func newRNG(k uint64) *rng { return &rng{s: k} }

func (r *rng) u64() uint64 {
	r.s += golden
	return mix64(r.s)
}

// intn returns a value in [0, n); n must be > 0.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func (r *rng) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

func (r *rng) chance(p float64) bool { return r.float() < p }

// norm returns a standard normal variate (Box–Muller, one of the pair).
func (r *rng) norm() float64 {
	u := 1 - r.float() // (0, 1]
	v := r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// lognorm returns a log-normal variate with the given median.
func (r *rng) lognorm(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.norm())
}

// msBetween returns a duration in milliseconds, uniform in [lo, hi] seconds.
func (r *rng) msBetween(lo, hi float64) int64 {
	return int64((lo + (hi-lo)*r.float()) * 1000)
}

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// table picks indices with fixed relative weights.
type table struct{ cum []float64 }

func newTable(weights []float64) table {
	cum := make([]float64, len(weights))
	s := 0.0
	for i, w := range weights {
		s += w
		cum[i] = s
	}
	for i := range cum {
		cum[i] /= s
	}
	return table{cum: cum}
}

// zipfTable weights rank i (0-based) by 1/(i+1)^s.
func zipfTable(n int, s float64) table {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return newTable(w)
}

func (t table) pick(r *rng) int { return t.at(r.float()) }

// at maps u in [0, 1) to an index.
func (t table) at(u float64) int {
	i := sort.SearchFloat64s(t.cum, u)
	if i >= len(t.cum) {
		i = len(t.cum) - 1
	}
	for i < len(t.cum)-1 && t.cum[i] <= u {
		i++
	}
	return i
}
