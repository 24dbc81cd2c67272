package ingest

import (
	"testing"

	"github.com/veil-data/veil/pipeline"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		in   string
		want msgClass
	}{
		{"", classEmpty}, {"  ？？ ~", classEmpty}, {"😊", classEmpty},
		{"您好", classGreeting}, {"亲，在吗？", classGreeting}, {"好的谢谢~", classGreeting}, {"嗯嗯", classGreeting},
		{"Hi!", classGreeting}, {"thanks a lot", classContent}, {"OK, thank you", classGreeting}, {"hello there :)", classGreeting},
		{"在吗？我的快递呢", classContent}, {"好的，几号到？", classContent}, {"where is my parcel", classContent},
		{"<PHONE_1>", classContent}, {"123", classContent},
	} {
		if got := classify(c.in); got != c.want {
			t.Errorf("classify(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestStripOpener(t *testing.T) {
	for in, want := range map[string]string{
		"亲，您好，已经帮您查询了":                 "已经帮您查询了",
		"在吗？包裹显示已签收":                   "包裹显示已签收",
		"Hi there, where is my order?": "where is my order?",
		"Yes, you can":                 "Yes, you can",
		"您好吗":                          "您好吗",
		"Hiking boots?":                "Hiking boots?",
		"您好":                           "您好",
	} {
		if got := stripOpener(in); got != want {
			t.Errorf("stripOpener(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"我的快递什么时候到":                     "zh",
		"Where is my parcel <PHONE_1>?": "en",
		"这个iPhone有货吗，今天能发吗":             "zh",
		"I want 退款 please":              "mixed",
		"12345 <PHONE_1>":               "und",
	} {
		if got := language(in); got != want {
			t.Errorf("language(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMakePairs(t *testing.T) {
	msgs := []turnMsg{
		{false, "您好，我是小店的智能客服"}, // an answer to nothing
		{true, "在吗"},
		{false, "亲，在的"}, // greeting question: dropped with its answer
		{true, "我的订单<PHONE_1>怎么还没发货？"},
		{true, "麻烦查一下"}, // merged into the question
		{false, "亲，稍等"},
		{false, "已经发货了，电话<PHONE_1>"}, // merged into the answer
		{true, "好的谢谢"},
		{false, "不客气"},     // greeting
		{true, "还有，能开发票吗"}, // no answer
	}
	var st pipeline.PairStats
	got := makePairs(msgs, &st)
	if len(got) != 1 {
		t.Fatalf("%d pairs: %+v", len(got), got)
	}
	p := got[0]
	if p.turn != 3 || p.q != "我的订单<PHONE_1>怎么还没发货？\n麻烦查一下" || p.a != "稍等\n已经发货了，电话<PHONE_1>" ||
		p.lang != "zh" || p.placeholders != 2 {
		t.Errorf("pair %+v", p)
	}
	if st.Dropped[dropGreeting] != 2 || st.Dropped[dropNoAnswer] != 1 || len(st.Dropped) != 2 {
		t.Errorf("dropped %v", st.Dropped)
	}
	// The same pair, numbered otherwise, is a duplicate within a merchant
	// and not across merchants.
	q := chatPair{q: "我的订单<PHONE_2>怎么 还没发货? 麻烦查一下!", a: p.a}
	if dedupKey("m1", p) != dedupKey("m1", q) || dedupKey("m1", p) == dedupKey("m2", q) {
		t.Error("dedup keys")
	}
}
