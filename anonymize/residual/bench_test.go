package residual

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchNeedles makes n raw values shaped like a day of veil's landing data:
// user and device ids, IPs, phones in two forms, e-mails, cards, birth
// dates, addresses, Chinese names and QQ numbers.
func benchNeedles(r *rand.Rand, n int) []string {
	provinces := []string{"浙江省杭州市西湖区", "广东省深圳市南山区", "上海市浦东新区", "北京市朝阳区", "江苏省南京市鼓楼区"}
	roads := []string{"文三路", "科技园路", "世纪大道", "建国路", "中山北路"}
	streets := []string{"Main St", "Oak Avenue", "Elm Road", "Rue de Rivoli", "Via Roma"}
	surnames := []string{"王", "李", "张", "刘", "陈", "杨"}
	given := []string{"伟", "芳", "娜", "敏", "静", "磊", "洋"}
	out := make([]string, 0, n)
	for len(out) < n {
		var v string
		switch r.IntN(12) {
		case 0, 1:
			v = fmt.Sprintf("u%08d", r.IntN(1e8))
		case 2:
			v = fmt.Sprintf("dev-%012x", r.Uint64()&(1<<48-1))
		case 3:
			v = fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), r.IntN(256))
		case 4:
			d := fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1e9))
			out = append(out, d)
			v = "+86 " + d[:3] + " " + d[3:7] + " " + d[7:]
		case 5:
			v = fmt.Sprintf("user.%c%c%d@example.com", 'a'+r.IntN(26), 'a'+r.IntN(26), r.IntN(1e5))
		case 6:
			v = fmt.Sprintf("622202%010d", r.Int64N(1e10))
		case 7:
			v = fmt.Sprintf("%d-%02d-%02d", 1950+r.IntN(55), 1+r.IntN(12), 1+r.IntN(28))
		case 8:
			v = fmt.Sprintf("%s%s%d号%d室", provinces[r.IntN(len(provinces))], roads[r.IntN(len(roads))], 1+r.IntN(999), 101+r.IntN(2000))
		case 9:
			v = fmt.Sprintf("%d %s, Apt %d", 1+r.IntN(9999), streets[r.IntN(len(streets))], 1+r.IntN(99))
		case 10:
			v = surnames[r.IntN(len(surnames))] + given[r.IntN(len(given))] + given[r.IntN(len(given))]
		case 11:
			v = fmt.Sprint(10000 + r.IntN(1e9))
		}
		out = append(out, v)
	}
	return out[:n]
}

// benchShort makes n output values of the kinds a Generalised or Kept
// column holds: bands, regions, prefixes, countries, item ids, UUIDs.
func benchShort(r *rand.Rand, n int) []string {
	fixed := []string{"18-24", "25-34", "35-44", "Zhejiang", "广东省", "CN", "US", "beauty", "digital", "home", "CNY", "female"}
	out := make([]string, n)
	for i := range out {
		switch r.IntN(5) {
		case 0:
			out[i] = fixed[r.IntN(len(fixed))]
		case 1:
			out[i] = fmt.Sprintf("%d.%d.%d.0/24", 1+r.IntN(223), r.IntN(256), r.IntN(256))
		case 2:
			out[i] = fmt.Sprintf("i%07d", r.IntN(1e7))
		case 3:
			out[i] = fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
		case 4:
			out[i] = fmt.Sprintf("m%04d", r.IntN(1e4))
		}
	}
	return out
}

// benchChats makes n redacted chat texts of a few hundred bytes, Chinese
// and English, with order numbers, amounts, dates and placeholders.
func benchChats(r *rand.Rand, n int) []string {
	phrases := []string{
		"您好，请问有什么可以帮您？", "我想问一下这个订单什么时候发货", "亲，订单已经在打包了，预计明天发出哦~",
		"The parcel ships in 3-5 days, order total 129.00 USD.", "好的，谢谢", "退款会在1-7个工作日内原路返回",
		"我的手机号是<PHONE_1>，收件人<PERSON_1>", "please email me at <EMAIL_1> or call <PHONE_2>",
		"what size should I take? I'm 170cm 65kg", "可以开发票吗？税号稍后发您", "寄到<ADDRESS_1>就可以",
		"Is this still available in blue?", "优惠券满300减50可以叠加使用吗", "The coupon code did not work at checkout.",
	}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for b.Len() < 300 {
			b.WriteString(phrases[r.IntN(len(phrases))])
			switch r.IntN(4) {
			case 0:
				fmt.Fprintf(&b, " 订单号%d%09d ", 2026, r.IntN(1e9))
			case 1:
				fmt.Fprintf(&b, " ¥%d.%02d ", r.IntN(2000), r.IntN(100))
			}
		}
		out[i] = b.String()
	}
	return out
}

func benchSet(b *testing.B, n int) *Needles {
	b.Helper()
	set := NewNeedles(0)
	for _, v := range benchNeedles(rand.New(rand.NewPCG(1, 1)), n) {
		set.Add(v)
	}
	set.Contains("build the index") // outside the timed loop
	return set
}

// packed copies vals into one buffer and slices them out of it, as values
// lie in an Arrow string array.
func packed(vals []string) []string {
	buf := strings.Join(vals, "")
	out := make([]string, len(vals))
	off := 0
	for i, v := range vals {
		out[i] = buf[off : off+len(v)]
		off += len(v)
	}
	return out
}

func totalLen(vals []string) (n int64) {
	for _, v := range vals {
		n += int64(len(v))
	}
	return n
}

// BenchmarkContains searches 200k needles in 1M short values and in 10k
// chat texts; an op is one pass over all of them.
func BenchmarkContains(b *testing.B) {
	set := benchSet(b, 200_000)
	for _, bc := range []struct {
		name  string
		texts []string
	}{
		{"short_1M", packed(benchShort(rand.New(rand.NewPCG(2, 2)), 1_000_000))},
		{"chat_10k", packed(benchChats(rand.New(rand.NewPCG(3, 3)), 10_000))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(totalLen(bc.texts))
			b.ReportAllocs()
			found := 0
			for b.Loop() {
				found = 0
				for _, t := range bc.texts {
					if set.Contains(t) {
						found++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(bc.texts)), "ns/value")
			b.ReportMetric(float64(found), "found")
		})
	}
}

// BenchmarkNeedlesBuild adds 200k values (each twice, as workers see
// repeats) and builds the substring index.
func BenchmarkNeedlesBuild(b *testing.B) {
	vals := benchNeedles(rand.New(rand.NewPCG(1, 1)), 200_000)
	b.ReportAllocs()
	for b.Loop() {
		set := NewNeedles(0)
		for range 2 {
			for _, v := range vals {
				set.Add(v)
			}
		}
		set.Contains("x")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/needle")
}

// BenchmarkHas is the exact lookup of a Kept value.
func BenchmarkHas(b *testing.B) {
	set := benchSet(b, 200_000)
	vals := benchShort(rand.New(rand.NewPCG(2, 2)), 100_000)
	for b.Loop() {
		for _, v := range vals {
			set.Has(v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/value")
}

// fakeToken is well-formed like a real token, without the cost of making
// 200k real ones.
func fakeToken(r *rand.Rand, prefix string) string {
	b := make([]byte, 30)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// eventBatches builds rows of events_clean's string columns in batches of
// 64k, at the proportions of the ingest benchmark scaled to rows: one user
// per 5 events, tokens per user, most optional columns null.
func eventBatches(b *testing.B, rows int) ([]arrow.RecordBatch, map[string]Class) {
	b.Helper()
	r := rand.New(rand.NewPCG(4, 4))
	cols := []struct {
		name  string
		class Class
	}{
		{"event_id", Kept}, {"type", Generalised}, {"user_token", Token}, {"device_token", Token},
		{"ip_token", Token}, {"ip_prefix", Generalised}, {"merchant_id", Kept}, {"item_id", Kept},
		{"category", Generalised}, {"currency", Generalised}, {"coupon_id", Kept}, {"live_session_id", Kept},
		{"card_token", Token}, {"age_band", Generalised}, {"gender", Generalised}, {"region", Generalised},
		{"country", Generalised}, {"phone_token", Token}, {"email_token", Token},
	}
	classes := map[string]Class{}
	var fields []arrow.Field
	for _, c := range cols {
		classes[c.name] = c.class
		fields = append(fields, arrow.Field{Name: c.name, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	users := rows / 5
	type user struct{ tok, dev, ip, prefix, card, phone, email, age, region string }
	us := make([]user, users)
	ages := []string{"18-24", "25-34", "35-44", "45-54", "55+"}
	regions := []string{"Zhejiang", "Guangdong", "Shanghai", "Beijing", "Jiangsu", "California", "Bavaria"}
	for i := range us {
		us[i] = user{fakeToken(r, "r_"), fakeToken(r, "r_"), fakeToken(r, "o_"),
			fmt.Sprintf("%d.%d.%d.0/24", 1+r.IntN(223), r.IntN(256), r.IntN(256)),
			fakeToken(r, "r_"), fakeToken(r, "o_"), fakeToken(r, "o_"), ages[r.IntN(len(ages))], regions[r.IntN(len(regions))]}
	}
	types := []string{"view", "view", "view", "click", "fav", "cart", "purchase", "login", "payment"}
	cats := []string{"beauty", "digital", "home", "apparel", "food", "sports", "books", "toys"}
	var out []arrow.RecordBatch
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	str := func(i int, v string) {
		if v == "" {
			bld.Field(i).AppendNull()
		} else {
			bld.Field(i).(*array.StringBuilder).Append(v)
		}
	}
	for row := range rows {
		u := us[r.IntN(users)]
		typ := types[r.IntN(len(types))]
		buy := typ == "purchase" || typ == "payment"
		opt := func(ok bool, v string) string {
			if ok {
				return v
			}
			return ""
		}
		str(0, fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1)))
		str(1, typ)
		str(2, u.tok)
		str(3, u.dev)
		str(4, u.ip)
		str(5, u.prefix)
		str(6, fmt.Sprintf("m%04d", r.IntN(2000)))
		str(7, fmt.Sprintf("%d", 1+r.IntN(rows/10)))
		str(8, cats[r.IntN(len(cats))])
		str(9, opt(buy, "CNY"))
		str(10, opt(buy && r.IntN(4) == 0, fmt.Sprintf("cp-%05d", r.IntN(5000))))
		str(11, opt(r.IntN(10) == 0, fmt.Sprintf("live-%04d", r.IntN(300))))
		str(12, opt(typ == "payment", u.card))
		str(13, opt(buy, u.age))
		str(14, opt(buy, []string{"F", "M"}[r.IntN(2)]))
		str(15, opt(buy, u.region))
		str(16, opt(buy, "CN"))
		str(17, opt(typ == "login", u.phone))
		str(18, opt(typ == "login", u.email))
		if (row+1)%65536 == 0 || row == rows-1 {
			out = append(out, bld.NewRecordBatch())
		}
	}
	return out, classes
}

// BenchmarkScanRecord scans 256k events_clean-like rows with the classes
// the ingest policy gives them; an op is the whole scan.
func BenchmarkScanRecord(b *testing.B) {
	const rows = 1 << 18
	set := benchSet(b, 200_000)
	batches, classes := eventBatches(b, rows)
	defer func() {
		for _, rec := range batches {
			rec.Release()
		}
	}()
	b.ReportAllocs()
	var res Result
	for b.Loop() {
		s := NewScanner(set)
		for _, rec := range batches {
			s.ScanRecord("events_clean", rec, classes)
		}
		res = s.Result()
	}
	if !res.Passed {
		b.Fatalf("clean batches have findings: %+v", res.Findings)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	b.ReportMetric(float64(res.Cells)/rows, "cells/row")
}

// BenchmarkRowCheck is the per-row check of three kept values against
// three protected raw values.
func BenchmarkRowCheck(b *testing.B) {
	s := NewScanner(NewNeedles(0))
	cols := []string{"event_id", "merchant_id", "item_id"}
	kept := []string{"d37feb2e-9912-4248-a1b3-0c5e7d2f9a10", "m0042", "1543462"}
	protected := []string{"u00543462", "dev-0a1b2c3d4e5f", "203.0.113.77"}
	for b.Loop() {
		s.RowCheck("events_clean", cols, kept, protected)
	}
}
