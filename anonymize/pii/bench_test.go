package pii

import "testing"

// benchMessages is a mix of chat lines: most without personal data, some
// with numbers that are not personal data, a few with phones, e-mails,
// cards and IDs.
var benchMessages = []string{
	"您好，请问有什么可以帮您？",
	"我想问一下这个订单什么时候发货",
	"亲，订单已经在打包了，预计明天发出哦~",
	"The parcel ships in 3-5 days, order total 129.00 USD.",
	"好的，谢谢",
	"退款会在1-7个工作日内原路返回",
	"我的手机号是13812345678，收件人张三",
	"please email me at alice.smith@example.com or call (415) 555-0142",
	"卡号 6222 0212 3456 7890 128 尾号没错吧",
	"身份证号110101199003074258",
	"what size should I take? I'm 170cm 65kg",
	"可以开发票吗？税号稍后发您",
}

// BenchmarkRedact reports messages and bytes per second through
// Conversation.Redact.
func BenchmarkRedact(b *testing.B) {
	c := NewConversation()
	var size int
	for _, m := range benchMessages {
		size += len(m)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, m := range benchMessages {
			c.Redact(m)
		}
		n += len(benchMessages)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	b.SetBytes(int64(size))
}
