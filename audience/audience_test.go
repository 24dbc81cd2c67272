package audience

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"

	"github.com/veil-data/veil/audience/dp"
	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/tagging"
)

const dt = "2026-11-19"

// testConfig is the default release policy with a smaller minimum size
// and budget, so that small fixtures reach every path.
const testConfig = `
version: 1
min_size: 10
epsilon_per_query: "1"
budget: {epsilon: "3", period: month}
quasi_identifiers: [age_band, country, region]
sensitive: price_tier
platform_reach: [m-wide]
`

// commitRegistry commits optout_registry/day with the given opted-out
// consumers.
func commitRegistry(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, day string, out ...string) {
	tb.Helper()
	var entries []consent.Entry
	for _, tok := range out {
		since := testwarehouse.Day(tb, day)
		entries = append(entries, consent.Entry{UserToken: tok, OptedOut: true, Since: since, FirstOptOut: since, Changes: 1})
	}
	testwarehouse.WriteRegistry(tb, w, mem, day, entries)
}

// world: 120 consumers of merchant m-a (u000..u119): the first 60 buy
// beauty with a coupon every time, the rest buy tea without; 30 more
// (u120..u149) only shop at m-b. u000 opted out before dt.
type world struct {
	w    *sinks.Warehouse
	mem  memory.Allocator
	spec *tagging.Spec
	cfg  *Config
	svc  *Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(t)
	day := testwarehouse.Day(t, dt)
	var evs []testwarehouse.Event
	for i := range 150 {
		u := fmt.Sprintf("r_u%03d", i)
		m, cat, coupon := "m-a", "beauty", "c"
		if i >= 60 {
			cat, coupon = "tea", ""
		}
		if i >= 120 {
			m = "m-b"
		}
		evs = append(evs, testwarehouse.Event{
			TS: day.Add(time.Duration(i) * time.Minute), Type: "purchase", User: u, Device: "d", Merchant: m,
			Category: cat, Coupon: coupon, Amount: float64(10 + i%7), AgeBand: []string{"18-24", "25-34"}[i%2], Country: "CN",
		})
	}
	testwarehouse.WriteEvents(t, w, mem, dt, evs)
	commitRegistry(t, w, mem, dt, "r_u000")
	spec := tagging.DefaultSpec()
	s := tagging.Stage{Spec: spec}
	job := testwarehouse.Job(t, w, mem, s, day, "tags-1")
	if err := s.Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig([]byte(testConfig), "test", spec)
	if err != nil {
		t.Fatal(err)
	}
	svc := &Service{Spec: spec, Config: cfg, Ledger: testLedger(t),
		Noise: dp.Sampler{Rand: rand.NewChaCha8([32]byte{1})},
		Now:   func() time.Time { return time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC) }}
	return &world{w: w, mem: mem, spec: spec, cfg: cfg, svc: svc}
}

func (wd *world) data(t *testing.T) *Data {
	t.Helper()
	d, err := OpenData(context.Background(), wd.w, wd.mem, wd.spec, dt)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const beautyHigh = `interests.exists(i, i == "beauty") && discount_sensitivity == "high" && membership == "member"`

func TestSelectHonoursRelationshipAndOptOuts(t *testing.T) {
	wd := newWorld(t)
	d := wd.data(t)
	e, err := Compile(wd.spec, beautyHigh)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := d.Select(context.Background(), "m-a", false, e, true, wd.cfg.QuasiIdentifiers, wd.cfg.Sensitive)
	if err != nil {
		t.Fatal(err)
	}
	// u001..u059: u000 opted out before dt and is not even tagged.
	if sel.Count != 59 || len(sel.Members) != 59 || sel.Members[0] != "r_u001" {
		t.Fatalf("count %d, members %d (first %v)", sel.Count, len(sel.Members), sel.Members[:1])
	}
	if sel.Candidates != 119 {
		t.Errorf("candidates %d, want 119 (m-a's consumers less the opted out)", sel.Candidates)
	}
	// m-b's consumers are nobody's beauty audience at m-a; a merchant with
	// platform reach sees every consumer, its merchant tags null.
	all, err := Compile(wd.spec, `true`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		merchant string
		reach    bool
		want     int64
	}{{"m-a", false, 119}, {"m-b", false, 30}, {"m-wide", true, 149}, {"m-none", false, 0}} {
		s, err := d.Select(context.Background(), tc.merchant, tc.reach, all, false, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if s.Count != tc.want {
			t.Errorf("%s reach %v: %d, want %d", tc.merchant, tc.reach, s.Count, tc.want)
		}
	}
	k, l := sel.Anonymity()
	if k < 29 || l < 2 {
		t.Errorf("k %d, l %d", k, l)
	}

	// An opt-out that arrives after dt is honoured by a later query about dt.
	commitRegistry(t, wd.w, wd.mem, "2026-11-20", "r_u000", "r_u001", "r_u002")
	d2 := wd.data(t)
	sel2, err := d2.Select(context.Background(), "m-a", false, e, true, wd.cfg.QuasiIdentifiers, wd.cfg.Sensitive)
	if err != nil {
		t.Fatal(err)
	}
	if sel2.Count != 57 || sel2.OptedOut != 2 || sel2.Members[0] != "r_u003" {
		t.Errorf("after later opt-outs: count %d, opted out %d", sel2.Count, sel2.OptedOut)
	}
	if d2.Fingerprint == d.Fingerprint {
		t.Error("a new registry must change the data fingerprint (no stored answer reused)")
	}
}

func q(expr string) Query {
	return Query{Actor: "tester", Merchant: "m-a", Expr: expr, DT: dt}
}

func TestSizeStoredAndBudget(t *testing.T) {
	wd := newWorld(t)
	d := wd.data(t)
	ctx := context.Background()
	first, err := wd.svc.Size(ctx, d, q(beautyHigh))
	if err != nil {
		t.Fatal(err)
	}
	if !first.Released || first.Noisy == nil || first.EpsilonMicros != 1e6 {
		t.Fatalf("first size: %+v", first.Entry)
	}
	again, err := wd.svc.Size(ctx, d, q("  "+beautyHigh+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if *again.Noisy != *first.Noisy || !again.Reused || again.EpsilonMicros != 0 {
		t.Errorf("repeat: noisy %d (first %d), reused %v, charged %d", *again.Noisy, *first.Noisy, again.Reused, again.EpsilonMicros)
	}
	// Two more distinct queries spend the budget of 3; the next is refused.
	for _, e := range []string{`membership == "member"`, `lifecycle == "new"`} {
		r, err := wd.svc.Size(ctx, d, q(e))
		if err != nil || !r.Released {
			t.Fatalf("%s: %+v, %v", e, r.Entry, err)
		}
	}
	r, err := wd.svc.Size(ctx, d, q(`price_tier == "mid"`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Released || !strings.HasPrefix(r.Reason, "privacy budget spent") || r.Noisy != nil {
		t.Errorf("over budget: %+v", r.Entry)
	}
	// The stored answer is still served once the budget is spent.
	if r, err := wd.svc.Size(ctx, d, q(beautyHigh)); err != nil || !r.Released || *r.Noisy != *first.Noisy {
		t.Errorf("stored answer after the budget: %+v, %v", r.Entry, err)
	}
	// Another merchant has its own budget.
	other := q(`true`)
	other.Merchant = "m-b"
	if r, err := wd.svc.Size(ctx, d, other); err != nil || !r.Released {
		t.Errorf("m-b: %+v, %v", r.Entry, err)
	}
}

func TestRefusals(t *testing.T) {
	wd := newWorld(t)
	d := wd.data(t)
	ctx := context.Background()
	for _, tc := range []struct{ expr, reason string }{
		{`interests.exists(i, i == "beauty") &&`, "bad audience expression"},
		{`discount_sensitivty == "high"`, "undeclared reference"},
		{`discount_sensitivity`, "want bool"},
		// 3 consumers: the noisy count is nowhere near 10.
		{`interests.exists(i, i == "beauty") && age_band == "25-34" && price_tier == "budget" && lifecycle == "old"`, "below the minimum size"},
	} {
		r, err := wd.svc.Size(ctx, d, q(tc.expr))
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if r.Released || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("%s: released %v, reason %q, want %q", tc.expr, r.Released, r.Reason, tc.reason)
		}
	}
	l, err := OpenLedger(wd.svc.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if n := len(l.Entries()); n != 4 {
		t.Errorf("ledger has %d entries, want every refusal recorded", n)
	}
}

func TestExportAndDifferencingGuard(t *testing.T) {
	wd := newWorld(t)
	d := wd.data(t)
	ctx := context.Background()
	var got [][]string
	writer := func(members []string) (int64, func() error, error) {
		got = append(got, members)
		return int64(len(members)), func() error { return nil }, nil
	}
	a, err := wd.svc.Export(ctx, d, q(beautyHigh), writer)
	if err != nil || !a.Released {
		t.Fatalf("export A: %+v, %v", a.Entry, err)
	}
	if *a.Exported != 59 || *a.K < 29 || a.Members == "" {
		t.Errorf("export A: exported %d, k %d", *a.Exported, *a.K)
	}
	// A and not u003: differs by one consumer: refused.
	diff := beautyHigh + ` && !(age_band == "18-24" && price_tier == "budget")`
	b, err := wd.svc.Export(ctx, d, q(diff), writer)
	if err != nil {
		t.Fatal(err)
	}
	if b.Released || !strings.Contains(b.Reason, "differencing") {
		t.Errorf("differencing pair: %+v", b.Entry)
	}
	if len(got) != 1 {
		t.Errorf("the refused export reached the writer")
	}
	// The same audience again is the same set: allowed.
	c, err := wd.svc.Export(ctx, d, q(beautyHigh), writer)
	if err != nil || !c.Released || !c.Reused {
		t.Errorf("same export again: %+v, %v", c.Entry, err)
	}
	// audience_releases holds every entry of the day.
	n, err := PublishReleases(ctx, wd.w, wd.mem, wd.svc.Ledger, dt)
	if err != nil || n != 3 {
		t.Errorf("published %d rows, %v", n, err)
	}
}

func TestLedgerTamperDetected(t *testing.T) {
	wd := newWorld(t)
	d := wd.data(t)
	ctx := context.Background()
	for _, e := range []string{beautyHigh, `membership == "member"`} {
		if _, err := wd.svc.Size(ctx, d, q(e)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(wd.svc.Ledger.Dir, "ledger.jsonl")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(orig), "\n")
	// Recomputed without the key: the first format's SHA-256 chain.
	var rehashed string
	prev := zeroHash
	for _, line := range lines[:2] {
		var e Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		e.Prev, e.Key, e.MAC, e.EpsilonMicros = prev, 0, "", 0
		e.Hash = legacyHash(e)
		prev = e.Hash
		b, _ := json.Marshal(e)
		rehashed += string(b) + "\n"
	}
	for name, tampered := range map[string]string{
		"edited spend":                           strings.Replace(string(orig), `"epsilon_micros":1000000`, `"epsilon_micros":0`, 1),
		"entry removed":                          lines[1],
		"reordered":                              lines[1] + lines[0],
		"emptied":                                "",
		"last entry cut":                         lines[0],
		"spend zeroed, rehashed without the key": rehashed,
	} {
		if err := os.WriteFile(path, []byte(tampered), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := wd.svc.Size(ctx, d, q(`lifecycle == "new"`)); err == nil {
			t.Errorf("%s: query answered over a tampered ledger", name)
		}
	}
	// Deleted whole: a fresh ledger would be a fresh budget.
	os.Remove(path)
	if _, err := wd.svc.Size(ctx, d, q(`lifecycle == "new"`)); err == nil || !strings.Contains(err.Error(), "wiped") {
		t.Errorf("deleted ledger: %v", err)
	}
	os.WriteFile(path, orig, 0o600)
	if _, err := wd.svc.Size(ctx, d, q(`lifecycle == "new"`)); err != nil {
		t.Errorf("restored ledger: %v", err)
	}
}

// testLedger is a ledger folder with a fresh key and the anchor veil keys
// init would make.
func testLedger(t *testing.T) LedgerFiles {
	t.Helper()
	h, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mac.New(h)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	f := LedgerFiles{Dir: filepath.Join(root, "_audience"), Anchor: filepath.Join(root, "keys", LedgerAnchorFile), Key: m}
	os.MkdirAll(filepath.Dir(f.Anchor), 0o700)
	if _, err := InitLedgerAnchor(f.Anchor, m); err != nil {
		t.Fatal(err)
	}
	return f
}

// v1Entry is a ledger line of the first, unkeyed format, as it was
// written: the same fields, then the hash.
type v1Entry struct {
	Seq           int64     `json:"seq"`
	Time          time.Time `json:"time"`
	Actor         string    `json:"actor"`
	Merchant      string    `json:"merchant"`
	Action        string    `json:"action"`
	Expression    string    `json:"expression"`
	ExprHash      string    `json:"expr_hash"`
	DT            string    `json:"dt"`
	Data          string    `json:"data,omitempty"`
	EpsilonMicros int64     `json:"epsilon_micros"`
	Noisy         *int64    `json:"noisy,omitempty"`
	Reused        bool      `json:"reused,omitempty"`
	Exported      *int64    `json:"exported,omitempty"`
	K             *int64    `json:"k,omitempty"`
	L             *int64    `json:"l,omitempty"`
	Verdict       string    `json:"verdict"`
	Reason        string    `json:"reason,omitempty"`
	Period        string    `json:"period"`
	SpentMicros   int64     `json:"spent_micros"`
	Members       string    `json:"members,omitempty"`
	Prev          string    `json:"prev"`
	Hash          string    `json:"hash"`
}

// TestLedgerLegacyPrefix: a ledger of the first format keeps answering;
// its spend still counts; the first keyed entry chains to it and from
// then on covers it.
func TestLedgerLegacyPrefix(t *testing.T) {
	wd := newWorld(t)
	d := wd.data(t)
	ctx := context.Background()
	os.MkdirAll(wd.svc.Ledger.Dir, 0o700)
	noisy := int64(70)
	old := v1Entry{Seq: 1, Time: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Actor: "alice", Merchant: "m-a", Action: "size",
		Expression: "true", ExprHash: "abc", DT: dt, EpsilonMicros: 1_000_000, Noisy: &noisy, Verdict: Released,
		Period: "2026-12", SpentMicros: 1_000_000, Prev: zeroHash}
	b, _ := json.Marshal(old)
	sum := sha256.Sum256(b)
	old.Hash = hex.EncodeToString(sum[:])
	b, _ = json.Marshal(old)
	path := filepath.Join(wd.svc.Ledger.Dir, "ledger.jsonl")
	os.WriteFile(path, append(b, '\n'), 0o600)
	r, err := wd.svc.Size(ctx, d, q(beautyHigh))
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 2 || r.Prev != old.Hash || r.MAC == "" || r.SpentMicros != 2_000_000 {
		t.Fatalf("entry after a legacy one: %+v", r.Entry)
	}
	// Rewriting the legacy entry, its hash recomputed, now breaks the
	// chain: the keyed entry after it covers it.
	all, _ := os.ReadFile(path)
	ls := strings.SplitAfter(string(all), "\n")
	old.EpsilonMicros, old.Hash = 0, ""
	b, _ = json.Marshal(old)
	sum = sha256.Sum256(b)
	old.Hash = hex.EncodeToString(sum[:])
	b, _ = json.Marshal(old)
	os.WriteFile(path, []byte(string(b)+"\n"+ls[1]), 0o600)
	if _, err := OpenLedger(wd.svc.Ledger); err == nil || !strings.Contains(err.Error(), "line 2: out of sequence") {
		t.Errorf("a rewritten legacy entry: %v", err)
	}
}

func TestOpenDataChecks(t *testing.T) {
	wd := newWorld(t)
	if _, err := OpenData(context.Background(), wd.w, wd.mem, wd.spec, "2026-11-18"); !errors.Is(err, ErrNoTags) {
		t.Errorf("missing day: %v", err)
	}
	b, err := os.ReadFile("../configs/tags.yaml")
	if err != nil {
		t.Fatal(err)
	}
	other, err := tagging.ParseSpec([]byte(strings.Replace(string(b), "window_days: 30", "window_days: 14", 1)), "other.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenData(context.Background(), wd.w, wd.mem, other, dt); !errors.Is(err, ErrNoTags) {
		t.Errorf("another tag file: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	spec := tagging.DefaultSpec()
	if _, err := DefaultConfig(spec); err != nil {
		t.Fatalf("embedded config: %v", err)
	}
	_, err := ParseConfig([]byte(`version: 1
min_size: 1
epsilon_per_query: "0"
budget: {epsilon: "x", period: year}
quasi_identifiers: [age_band, shoe_size]
sensitive: age_band
platform_reach: ["a/b"]
`), "bad.yaml", spec)
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"min_size", "epsilon_per_query", "budget.epsilon", "budget.period", "shoe_size", "sensitive", "platform_reach"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s:\n%v", want, err)
		}
	}
}
