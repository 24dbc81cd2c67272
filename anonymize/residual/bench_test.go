package residual

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
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
