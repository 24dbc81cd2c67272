package residual

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/anonymize/pii"
)

// raw is one run's raw input values. The phone is there as landed and in
// the stripped forms a caller adds; 543462 is a Taobao-style numeric user
// id that item ids share a range with.
var raw = []string{
	"u00012345", "dev-0a1b2c3d4e5f", "203.0.113.77", "+86 138 1234 5678", "13812345678", "8613812345678",
	"alice.smith@example.com", "543462", "1990-03-07", "浙江省杭州市西湖区文三路100号",
}

func rawNeedles() *Needles { return needlesOf(raw...) }

// tokenizer opens a fresh key set, for real tokens.
func tokenizer(t testing.TB) *anonymize.Tokenizer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	kek, err := keys.InitKEK(filepath.Join(dir, keys.DefaultKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Init(context.Background(), dir, kek); err != nil {
		t.Fatal(err)
	}
	set, err := keys.Open(context.Background(), dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestWellFormedToken(t *testing.T) {
	tok := tokenizer(t)
	var good []string
	for _, v := range append(slices.Clone(raw), "x", "", strings.Repeat("长地址", 200)) {
		good = append(good, tok.Reversible("user_id", v), tok.OneWay("phone", v))
	}
	for _, g := range good {
		if !WellFormedToken(g) {
			t.Errorf("real token %.12s… (len %d) not well-formed", g, len(g))
		}
	}
	g := good[0]
	bad := []string{
		"", "r_", "u00012345", "r_AbCdEf0123", "x_" + g[2:], "r-" + g[2:], g + "=", g[:len(g)-1] + "*",
		g[:2] + "+" + g[3:], "o_" + strings.Repeat("A", 25), "r_" + strings.Repeat("A", 29), // 29 ≡ 1 (mod 4)
		"r_" + strings.Repeat("A", 29) + "B", // 30 characters: last one must have 4 zero bits
		"r_" + strings.Repeat("A", MaxTokenBody+1),
	}
	for _, b := range bad {
		if WellFormedToken(b) {
			t.Errorf("%.20q… is well-formed", b)
		}
	}
}

type check struct {
	class  Class
	column string
	value  string
}

func TestCheckClasses(t *testing.T) {
	tok := tokenizer(t)
	cases := []struct {
		name      string
		check     check
		findings  []string // kinds, sorted
		collision bool
	}{
		{"clean token", check{Token, "user_token", tok.Reversible("user_id", "u00012345")}, nil, false},
		{"clean one-way token", check{Token, "phone_token", tok.OneWay("phone", "13812345678")}, nil, false},
		{"raw id in token column", check{Token, "user_token", "u00012345"}, []string{MalformedToken, RawExact}, false},
		{"malformed token", check{Token, "device_token", "r_dev"}, []string{MalformedToken}, false},
		{"substring in chat", check{Text, "text", "my account is u00012345, please check"}, []string{RawSubstring}, false},
		{"stripped phone in chat", check{Text, "text", "客户回电13812345678谢谢"}, []string{"pii:PHONE", RawSubstring}, false},
		{"address in chat", check{Text, "text", "寄到浙江省杭州市西湖区文三路100号3幢"}, []string{"pii:ADDRESS", RawSubstring}, false},
		{"redacted chat", check{Text, "text", "我的手机号是<PHONE_1>，收件人<PERSON_1>"}, nil, false},
		{"order number in chat", check{Text, "text", "订单号2026013812345678已发货"}, nil, false},
		{"pii pattern in generalised", check{Generalised, "region", "mail me at x.y@example.com"}, []string{"pii:EMAIL"}, false},
		{"raw ip in generalised", check{Generalised, "ip_prefix", "203.0.113.77"}, []string{"pii:IP", RawExact}, false},
		{"network prefix", check{Generalised, "ip_prefix", "203.0.113.0/24"}, nil, false},
		{"full-length prefix", check{Generalised, "ip_prefix", "203.0.113.77/32"}, []string{"pii:IP", RawSubstring}, false},
		{"age band", check{Generalised, "age_band", "35-44"}, nil, false},
		{"numeric id in larger number", check{Generalised, "bucket", "1543462"}, nil, false},
		{"kept item id", check{Kept, "item_id", "1543462"}, nil, false},
		{"kept collision", check{Kept, "item_id", "543462"}, nil, true},
		// Identifiers are not free text: a Luhn-valid digit run in one is
		// not a card (an email cannot pass ingest's id check at all).
		{"luhn-valid digits in a kept id", check{Kept, "conversation_id", "cv-4539578763621486"}, nil, false},
		{"phone-shaped kept id", check{Kept, "live_session_id", "13987654321"}, nil, false},
		{"luhn-valid digits in an identifier", check{Identifier, "merchant_id", "m-4539578763621486"}, nil, false},
		{"raw id as an identifier", check{Identifier, "merchant_id", "u00012345"}, []string{RawExact}, false},
		{"raw id inside an identifier", check{Identifier, "merchant_id", "m-u00012345"}, nil, false},
		{"card in a label", check{Label, "category", "4539578763621486"}, []string{"pii:BANK_CARD"}, false},
		{"card in chat", check{Text, "text", "card 4539 5787 6362 1486 please"}, []string{"pii:BANK_CARD"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewScanner(rawNeedles())
			s.Check("events_clean", c.check.column, c.check.class, c.check.value)
			s.Check("events_clean", c.check.column, c.check.class, c.check.value) // counted once
			r := s.Result()
			var kinds []string
			for _, f := range r.Findings {
				if f.Column != c.check.column || f.Dataset != "events_clean" || f.Count != 1 {
					t.Errorf("finding %+v", f)
				}
				kinds = append(kinds, f.Kind)
			}
			if !slices.Equal(kinds, c.findings) {
				t.Errorf("findings %v, want %v", kinds, c.findings)
			}
			if r.Passed != (len(c.findings) == 0) {
				t.Errorf("passed = %v", r.Passed)
			}
			if got := len(r.Collisions) == 1 && r.Collisions[0].Kind == RawExact; got != c.collision {
				t.Errorf("collisions %+v", r.Collisions)
			}
			if r.Cells != 2 || r.Needles != int64(len(raw)) {
				t.Errorf("cells %d, needles %d", r.Cells, r.Needles)
			}
		})
	}
}

func TestRowCheck(t *testing.T) {
	s := NewScanner(rawNeedles())
	cols := []string{"item_id", "coupon_id"}
	rows := []struct {
		kept, protected []string
		clean           bool
	}{
		{[]string{"1543462", "c-100"}, []string{"543462", "dev-0a1b2c3d4e5f"}, true},            // Taobao: a different number
		{[]string{"543462", "c-100"}, []string{"543462", "dev-0a1b2c3d4e5f"}, false},            // the row's own user id
		{[]string{"i42", "ord-u00012345-1"}, []string{"u00012345", "M"}, false},                 // inside a kept value
		{[]string{"i42", "c-13812345678"}, []string{"+86 138 1234 5678", "13812345678"}, false}, // a stripped form
		{[]string{"i42", ""}, []string{"u00012345", ""}, true},
	}
	for i, r := range rows {
		if got := s.RowCheck("events_clean", cols, r.kept, r.protected); got != r.clean {
			t.Errorf("row %d: clean = %v", i, got)
		}
	}
	want := []Finding{{"events_clean", "coupon_id", RawSubstring, 2}, {"events_clean", "item_id", RawExact, 1}}
	if got := s.Result().Findings; !slices.Equal(got, want) {
		t.Fatalf("findings %+v, want %+v", got, want)
	}
}

func TestScanText(t *testing.T) {
	s := NewScanner(rawNeedles())
	s.ScanText("reports", "run-1.json", `{"records_in": 1543462, "passed": true}`)
	s.ScanText("logs", "ingest.log", "level=WARN msg=\"bad line\" user=u00012345 ip=203.0.113.77 again u00012345\n")
	r := s.Result()
	want := []Finding{{"logs", "ingest.log", RawSubstring, 3}}
	if !slices.Equal(r.Findings, want) || r.Cells != 2 {
		t.Fatalf("result %+v", r)
	}
}

// record builds an events-like batch: a token column, a generalised
// column with nulls, a dictionary-encoded one, a kept one and chat text.
func record(t *testing.T, mem memory.Allocator, tok *anonymize.Tokenizer, leak bool) arrow.RecordBatch {
	t.Helper()
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "user_token", Type: arrow.BinaryTypes.String},
		{Name: "ip_prefix", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "region", Type: dictType, Nullable: true},
		{Name: "item_id", Type: arrow.BinaryTypes.LargeString},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	users := []string{"u00012345", "u00099999", "u00100000"}
	for i := range 3000 {
		u := users[i%len(users)]
		b.Field(0).(*array.StringBuilder).Append(tok.Reversible("user_id", u))
		if i%7 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("203.0.%d.0/24", i%200))
		}
		if i%5 == 0 {
			b.Field(2).AppendNull()
		} else if err := b.Field(2).(*array.BinaryDictionaryBuilder).AppendString([]string{"浙江", "广东", "CN"}[i%3]); err != nil {
			t.Fatal(err)
		}
		b.Field(3).(*array.LargeStringBuilder).Append(fmt.Sprintf("1%06d", i)) // 1000000…: never a needle
		b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("message %d: 请问什么时候发货 <PHONE_1>", i%50))
		b.Field(5).(*array.Int64Builder).Append(int64(i))
	}
	if leak {
		b.Field(0).(*array.StringBuilder).Append("u00012345")
		b.Field(1).(*array.StringBuilder).Append("203.0.113.77")
		if err := b.Field(2).(*array.BinaryDictionaryBuilder).AppendString("x.y@example.com"); err != nil {
			t.Fatal(err)
		}
		b.Field(3).(*array.LargeStringBuilder).Append("543462")
		b.Field(4).(*array.StringBuilder).Append("请寄到浙江省杭州市西湖区文三路100号")
		b.Field(5).(*array.Int64Builder).Append(543462)
	}
	return b.NewRecordBatch()
}

var classes = map[string]Class{"user_token": Token, "ip_prefix": Generalised, "region": Generalised, "item_id": Kept, "text": Text}

func TestScanRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tok := tokenizer(t)

	clean := record(t, mem, tok, false)
	defer clean.Release()
	s := NewScanner(rawNeedles())
	s.ScanRecord("events_clean", clean, classes)
	s.ScanRecord("events_clean", clean, classes) // a second batch repeats every value
	r := s.Result()
	// Per batch: 3000 tokens, 3000-429 prefixes, 2400 regions, 3000 ids, 3000 texts.
	if !r.Passed || len(r.Collisions) != 0 || r.Cells != 2*(3000+2571+2400+3000+3000) {
		t.Fatalf("clean batch: %+v", r)
	}
	// Prefixes 200, regions 3, item ids 3000, texts 50; tokens are not counted.
	if r.Distinct != 200+3+3000+50 {
		t.Fatalf("distinct = %d", r.Distinct)
	}

	leaky := record(t, mem, tok, true)
	defer leaky.Release()
	s = NewScanner(rawNeedles())
	s.ScanRecord("events_clean", leaky, classes)
	r = s.Result()
	want := []Finding{
		{"events_clean", "ip_prefix", "pii:IP", 1},
		{"events_clean", "ip_prefix", RawExact, 1},
		{"events_clean", "region", "pii:EMAIL", 1},
		{"events_clean", "text", "pii:ADDRESS", 1},
		{"events_clean", "text", RawSubstring, 1},
		{"events_clean", "user_token", MalformedToken, 1},
		{"events_clean", "user_token", RawExact, 1},
	}
	if r.Passed || !slices.Equal(r.Findings, want) {
		t.Fatalf("findings %+v\nwant %+v", r.Findings, want)
	}
	if !slices.Equal(r.Collisions, []Finding{{"events_clean", "item_id", RawExact, 1}}) {
		t.Fatalf("collisions %+v", r.Collisions)
	}
}

// TestNothingRaw plants every kind of leak and checks that no needle
// appears in anything the package prints, marshals or logs.
func TestNothingRaw(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tok := tokenizer(t)
	n := rawNeedles()
	s := NewScanner(n)
	rec := record(t, mem, tok, true)
	defer rec.Release()
	s.ScanRecord("events_clean", rec, classes)
	s.RowCheck("events_clean", []string{"item_id"}, []string{"543462"}, []string{"543462"})
	s.ScanText("logs", "ingest.log", "user=u00012345")
	r := s.Result()
	if len(r.Findings) < 6 {
		t.Fatalf("planted leaks not found: %+v", r)
	}

	var out bytes.Buffer
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	for _, v := range []any{r, r.Findings, r.Findings[0], r.Collisions, s, n, Text, Class(9)} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
	}
	log := slog.New(slog.NewJSONHandler(&out, nil))
	log.Info("scan", "scanner", s, "needles", n, "result", r)
	log = slog.New(slog.NewTextHandler(&out, nil))
	log.Info("scan", "scanner", s, "needles", n)

	for _, v := range raw {
		if len(v) >= DefaultMinLen && strings.Contains(out.String(), v) {
			t.Errorf("output holds raw value %q", v)
		}
	}
	if !strings.Contains(out.String(), "residual.Needles{len: 10") || !strings.Contains(out.String(), `"kind":"raw_exact"`) {
		t.Fatalf("output lacks what it should say:\n%s", out.String())
	}
}

// TestConcurrent runs every entry point from many goroutines; run it with
// -race.
func TestConcurrent(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tok := tokenizer(t)
	rec := record(t, mem, tok, true)
	defer rec.Release()

	// Workers build their own sets, then merge.
	parts := make([]*Needles, 4)
	var wg sync.WaitGroup
	for w := range parts {
		wg.Go(func() {
			parts[w] = NewNeedles(0)
			for i, v := range raw {
				if i%len(parts) == w {
					parts[w].Add(v)
				}
			}
		})
	}
	wg.Wait()
	n := NewNeedles(0)
	for _, p := range parts {
		n.Merge(p)
	}

	s := NewScanner(n)
	for w := range 8 {
		wg.Go(func() {
			s.ScanRecord("events_clean", rec, classes)
			s.Check("events_clean", "text", Text, fmt.Sprintf("worker %d u00012345", w))
			s.RowCheck("events_clean", []string{"item_id"}, []string{"543462"}, []string{"543462"})
			s.ScanText("logs", "log", "u00012345")
			_ = s.Result()
		})
	}
	wg.Wait()
	r := s.Result()
	if r.Needles != int64(len(raw)) {
		t.Fatalf("merged needles = %d", r.Needles)
	}
	for _, f := range r.Findings {
		want := int64(1) // distinct values, whichever worker saw them first
		switch f.Column {
		case "text":
			if f.Kind == RawSubstring {
				want = 1 + 8
			}
		case "item_id", "log":
			want = 8 // rows and texts
		}
		if f.Count != want {
			t.Errorf("%+v, want count %d", f, want)
		}
	}
}

// TestUUIDHasNoPII holds the premise of isUUID: pii finds nothing in a
// canonical UUID, even one made mostly of digits.
func TestUUIDHasNoPII(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const digits, hex = "0123456789", "0123456789abcdefABCDEF"
	for i := range 200_000 {
		alphabet := hex
		if i%2 == 0 {
			alphabet = digits
		}
		b := []byte("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
		for j := range b {
			if b[j] == 'x' {
				b[j] = alphabet[r.IntN(len(alphabet))]
			}
		}
		if i%3 == 0 {
			copy(b[24:], "13812345678") // a mobile number's digits
		}
		v := string(b)
		if !isUUID(v) {
			t.Fatalf("%s is not a UUID", v)
		}
		if spans := pii.Find(v); len(spans) > 0 {
			t.Fatalf("pii finds %s in UUID %s", spans[0].Type, v)
		}
	}
	for _, v := range []string{"", "d37feb2e-9912-4248-a1b3-0c5e7d2f9a1", "d37feb2e_9912-4248-a1b3-0c5e7d2f9a10", "g37feb2e-9912-4248-a1b3-0c5e7d2f9a10"} {
		if isUUID(v) {
			t.Errorf("%q is a UUID", v)
		}
	}
}

// TestLabelClass: in a kept label column, a value equal to a raw value is
// a collision (category ids and user ids share a number range); one that
// contains a raw value is a leak.
func TestLabelClass(t *testing.T) {
	n := NewNeedles(0)
	n.Add("2355072")
	n.Add("u42424242")
	s := NewScanner(n)
	s.Check("events_clean", "category", Label, "2355072")
	s.Check("events_clean", "category", Label, "promo-u42424242")
	r := s.Result()
	if len(r.Collisions) != 1 || r.Collisions[0].Kind != RawExact {
		t.Errorf("collisions %+v, want one raw_exact", r.Collisions)
	}
	if len(r.Findings) != 1 || r.Findings[0].Kind != RawSubstring {
		t.Errorf("findings %+v, want one raw_substring", r.Findings)
	}
}
