// Package testtags generates the synthetic world of the tags and audience
// benchmarks: a 30-day window of events_clean for N consumers and an
// opt-out registry, committed through the real sinks. Records are built
// directly from integers (no per-row allocation, every string but the
// event id and the token reused), on all cores, so that 10M consumers
// (~40M events) take about a minute and a half to generate. It is imported
// only from _test.go files.
package testtags

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/sinks"

	"github.com/veil-data/veil/internal/worldgen"
)

const (
	// DT is the day the tags are computed for; the window is the 30 days
	// ending with it.
	DT = "2026-11-19"
	// DefaultConsumers keeps a `-benchtime 1x` run of every benchmark in
	// CI to a few seconds.
	DefaultConsumers = 20_000
	// Days of events generated, ending with DT.
	Days = 30
	// version changes when the generator does, so that a kept world is
	// not reused by a different generator.
	version = 2
	seed    = 7
)

// World is a generated window, ready for the tags stage.
type World struct {
	Warehouse *sinks.Warehouse `json:"-"`
	Day       time.Time        `json:"-"` // DT at UTC midnight
	Consumers int              // distinct consumers with an event (all N)
	Events    int64
	Pairs     int64 // distinct consumer and merchant relationships
	OptedOut  int   // consumers the registry has opted out
	Merchants int
	// Largest is the merchant with the most consumers.
	Largest          string
	LargestConsumers int64
}

// ConsumersFromEnv is $VEIL_BENCH_CONSUMERS (underscores allowed, as in
// 10_000_000), or def.
func ConsumersFromEnv(tb testing.TB, def int) int {
	tb.Helper()
	s := os.Getenv("VEIL_BENCH_CONSUMERS")
	if s == "" {
		return def
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil || n < 100 || n >= 1<<30 {
		tb.Fatalf("VEIL_BENCH_CONSUMERS=%q: want an integer in [100, 2^30)", s)
	}
	return int(n)
}

// Open returns the world of n consumers. It is generated in a temporary
// directory, or, when $VEIL_BENCH_DIR is set, in its subdirectory
// world-<n>, where a world made by this generator is reused: the tags
// benchmark and then the audience benchmark read one world without either
// paying for the other's generation.
func Open(tb testing.TB, mem memory.Allocator, n int) *World {
	tb.Helper()
	dir := tb.TempDir()
	if d := os.Getenv("VEIL_BENCH_DIR"); d != "" {
		dir = filepath.Join(d, fmt.Sprintf("world-%d", n))
	}
	wh, err := sinks.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	wh.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	marker := filepath.Join(dir, "_bench_world.json")
	var saved struct {
		Version int
		World
	}
	if b, err := os.ReadFile(marker); err == nil && json.Unmarshal(b, &saved) == nil && saved.Version == version && saved.Consumers == n {
		w := saved.World
		w.Warehouse, w.Day = wh, day(0)
		return &w
	}
	t0 := time.Now()
	w, err := generate(wh, mem, n)
	if err != nil {
		tb.Fatal(err)
	}
	saved.Version, saved.World = version, *w
	b, err := json.Marshal(saved)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(marker, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("generated %d consumers, %d events, %d merchants in %s (%s)", w.Consumers, w.Events, w.Merchants, time.Since(t0).Round(time.Millisecond), dir)
	return w
}

// day is DT+offset at UTC midnight.
func day(offset int) time.Time {
	d, _ := time.Parse(time.DateOnly, DT)
	return d.AddDate(0, 0, offset)
}

// Every random choice about a consumer is a function of a hash of its
// number, so the generator can revisit a consumer on any day without
// storing anything about it.

// unit maps a hash to a float in (0, 1].
func unit(h uint64) float64 { return float64(h>>11+1) / (1 << 53) }

func profile(u uint32) uint64 { return worldgen.Mix(uint64(u)*0x9e3779b97f4a7c15 + seed) }

// activity is a consumer's events in the window: 1 plus a Lomax (Pareto
// II) draw, mean ~4; a few consumers have thousands.
func activity(h uint64) int {
	x := 3.5 * (math.Pow(unit(worldgen.Mix(h^0xa1)), -1/2.0) - 1)
	return 1 + int(min(x, 5000))
}

// token writes u's user_token: like a Tink AES-SIV token of a short user
// id, "r_" and 40 base64url characters, the first few (the key prefix)
// shared by all. The bytes after the prefix start with worldgen.Mix(u), so tokens
// are distinct.
func token(dst []byte, u uint32) []byte {
	var raw [30]byte
	copy(raw[:5], []byte{0x01, 0x2a, 0x5c, 0x33, 0x07})
	h := worldgen.Mix(uint64(u) ^ 0x5eed)
	binary.BigEndian.PutUint64(raw[5:], h)
	binary.BigEndian.PutUint64(raw[13:], worldgen.Mix(h+1))
	binary.BigEndian.PutUint64(raw[21:], worldgen.Mix(h+2))
	raw[29] = byte(worldgen.Mix(h + 3))
	dst = append(dst, "r_"...)
	n := len(dst)
	dst = append(dst, make([]byte, 40)...)
	base64.RawURLEncoding.Encode(dst[n:], raw[:])
	return dst
}

// Token is consumer u's user_token.
func Token(u uint32) string { return string(token(nil, u)) }

// The shape of the world.
var (
	categories = []string{"beauty", "apparel", "electronics", "home", "food", "books", "toys", "sports",
		"tea", "baby", "pets", "jewelry", "shoes", "bags", "outdoor", "auto", "garden", "music", "games",
		"office", "health", "snacks", "wine", "furniture", "lighting", "kitchen", "camera", "phones",
		"computers", "watches", "cosmetics", "skincare", "haircare", "fitness", "travel", "crafts",
		"stationery", "tools", "bedding", "luggage"}
	categoryLaw = worldgen.ZipfLaw(len(categories), 0.8)
	ageBands    = []string{"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}
	ageLaw      = worldgen.NewLaw(18, 32, 24, 14, 8, 4)
	genders     = []string{"F", "M", "U"}
	regions     = []string{"Guangdong", "Zhejiang", "Jiangsu", "Shandong", "Henan", "Sichuan", "Hubei",
		"Fujian", "Hunan", "Shanghai", "Beijing", "Anhui", "Hebei", "Shaanxi", "Liaoning", "Jiangxi",
		"Chongqing", "Yunnan", "Guangxi", "Shanxi", "Tianjin", "Guizhou", "Heilongjiang", "Jilin",
		"Xinjiang", "Inner Mongolia", "Gansu", "Hainan", "Ningxia", "Qinghai", "Tibet"}
	regionLaw = worldgen.ZipfLaw(len(regions), 0.7)
	// A few consumers abroad: their region is the country.
	countries  = []string{"CN", "HK", "SG", "US"}
	countryLaw = worldgen.NewLaw(96, 2, 1, 1)
	coupons    = func() []string {
		c := make([]string, 300)
		for i := range c {
			c[i] = fmt.Sprintf("cp-%03d", i)
		}
		return c
	}()
	// A consumer's price level (budget, mid, premium) and coupon habit
	// (rare, sometimes, mostly).
	priceLevels  = [3]float64{0.6, 1, 1.8}
	couponHabits = [3]float64{0.05, 0.3, 0.75}

	// Events with a merchant, and events without (sign-ins, payments).
	merchantTypes = []string{"view", "click", "fav", "cart", "purchase", "coupon_redeem", "refund"}
	merchantLaw   = worldgen.NewLaw(60, 18, 5, 7, 8, 1, 1)
	otherTypes    = []string{"login", "login_failed", "register", "payment", "payment_failed"}
	otherLaw      = worldgen.NewLaw(70, 5, 3, 18, 4)
	// A consumer's events go to its first, second, third favourite
	// merchant, or to none.
	slotLaw = worldgen.NewLaw(45, 30, 15, 10)
)

// shape is the merchants of a world of n consumers: one per thousand
// consumers (at least 50), popularity Zipf(1.05).
type shape struct {
	merchants []string
	law       worldgen.Law
}

func newShape(n int) *shape {
	m := max(50, n/1000)
	s := &shape{merchants: make([]string, m), law: worldgen.ZipfLaw(m, 1.05)}
	for i := range s.merchants {
		s.merchants[i] = fmt.Sprintf("m-%05d", i)
	}
	return s
}

// favourite is consumer h's merchant in slot 0..2; merchant i sells
// mostly category i mod len(categories), so the largest sells beauty.
func (s *shape) favourite(h uint64, slot uint32) int {
	return s.law.Pick(unit(worldgen.Mix(h + 0x100 + uint64(slot))))
}

// favourites is how many of the three slots a consumer uses: 1 to 3.
func favourites(h uint64) uint32 { return 1 + uint32(worldgen.Mix(h^0xf0)%3) }

// eventSlot draws the j-th event's day and merchant slot (3: none).
func eventSlot(h uint64, j int, nfav uint32) (day int, slot uint32) {
	r := worldgen.Mix(h + 0x10000 + uint64(j))
	day = int(r % Days)
	slot = uint32(slotLaw.Pick(unit(worldgen.Mix(r))))
	if slot < 3 && slot >= nfav {
		slot = 0
	}
	return day, slot
}
