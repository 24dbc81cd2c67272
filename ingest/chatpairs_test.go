package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

func chatLine(conv, msg, ts, merchant, sender, text string) string {
	return fmt.Sprintf(`{"conversation_id":%q,"message_id":%q,"ts":"2026-11-19T%sZ","merchant_id":%q,"user_id":"u-%s","sender":%q,"text":%q}`,
		conv, msg, ts, merchant, conv, sender, text)
}

// chatFixture is a day of four conversations over two files: conversation
// zh-1 is split between them and out of time order.
func chatFixture() map[string]string {
	a := []string{
		chatLine("conv-zh-1", "a1", "09:00:00", "shop-0001", "bot", "您好，我是小店的智能客服，请问有什么可以帮您？"),
		chatLine("conv-zh-1", "a2", "09:00:10", "shop-0001", "buyer", "王小明明天来取件可以吗"),
		chatLine("conv-zh-1", "a4", "09:01:00", "shop-0001", "seller", "好的王先生，建国路88号已经备注了"),
		chatLine("conv-zh-1", "a4", "09:01:00", "shop-0001", "seller", "replayed"), // duplicate
		chatLine("conv-en-1", "b1", "10:00:00", "shop-0002", "buyer", "Hi"),
		chatLine("conv-en-1", "b2", "10:00:05", "shop-0002", "seller", "Hello, how can I help?"),
		chatLine("conv-en-1", "b3", "10:00:30", "shop-0002", "buyer", "Where is my parcel?"),
		chatLine("conv-en-1", "b4", "10:01:00", "shop-0002", "seller", "It ships tomorrow."),
		chatLine("conv-en-1", "b5", "10:01:30", "shop-0002", "buyer", "Thanks!"),
		chatLine("conv-en-1", "b6", "10:01:40", "shop-0002", "seller", "  "),
		`{"conversation_id":"conv-en-1","message_id":"b7","ts":"not a time"}`, // quarantined
	}
	b := []string{
		chatLine("conv-zh-1", "a3", "09:00:40", "shop-0001", "buyer", "我叫王小明，手机13812345678，地址：北京市朝阳区建国路88号院3号楼2单元1201室"),
		chatLine("conv-zh-1", "a5", "09:02:00", "shop-0001", "buyer", "电话138-1234-5678打不通的话，小明说放门口"),
		chatLine("conv-zh-1", "a6", "09:02:30", "shop-0001", "buyer", "还有发票"),
		chatLine("conv-en-2", "c1", "11:00:00", "shop-0002", "buyer", "Where is my  parcel"), // same as conv-en-1's: duplicate
		chatLine("conv-en-2", "c2", "11:00:10", "shop-0002", "bot", "It ships tomorrow!"),
		chatLine("conv-en-3", "d1", "12:00:00", "shop-0003", "buyer", "Where is my parcel?"), // another merchant: kept
		chatLine("conv-en-3", "d2", "12:00:10", "shop-0003", "bot", "It ships tomorrow."),
		chatLine("conv-en-3", "d3", "12:00:20", "shop-0003", "buyer", "我想退款，可以吗 please, my name is Jane Doe"),
		chatLine("conv-en-3", "d4", "12:00:30", "shop-0003", "seller", "OK Jane, refund sent to card 4111 1111 1111 1111"),
	}
	return map[string]string{"part-00000.jsonl": strings.Join(a, "\n") + "\n", "part-00001.jsonl": strings.Join(b, "\n") + "\n"}
}

var chatFixtureRaw = []string{"王小明", "小明", "王先生", "13812345678", "138-1234-5678", "1234", "建国路", "88号", "北京市朝阳区",
	"Jane", "Doe", "4111", "conv-zh-1", "conv-en-1", "conv-en-2", "conv-en-3", "shop-000", "u-conv"}

func TestChatPairs(t *testing.T) {
	e := newEnv(t)
	e.land("chats", chatFixture())
	p := sinks.Partition{DT: "2026-11-19"}
	var prints []string
	for run := 0; run < 2; run++ {
		if err := e.run(Chats{}); err != nil {
			t.Fatal(err)
		}
		fp := ""
		for _, ds := range []schemas.Dataset{schemas.ChatsClean, schemas.ChatPairs} {
			m, err := e.wh.Manifest(ds, p)
			if err != nil {
				t.Fatal(err)
			}
			fp += m.Fingerprint()
		}
		prints = append(prints, fp)
	}
	if prints[0] != prints[1] {
		t.Error("a re-run wrote different chats_clean or chat_pairs files")
	}

	clean := e.rows(schemas.ChatsClean, p)
	if len(clean) != 18 {
		t.Fatalf("chats_clean: %d rows, want 18", len(clean))
	}
	byMsg := map[string]string{}
	for _, r := range clean {
		byMsg[r["message_id"]] = r["text"]
	}
	for id, want := range map[string]string{
		"a2": "<PERSON_1>明天来取件可以吗", // masked by what message a3 said
		"a4": "好的<PERSON_1>先生，<ADDRESS_1>已经备注了",
		"a5": "电话<PHONE_1>打不通的话，<PERSON_1>说放门口",
	} {
		if byMsg[id] != want {
			t.Errorf("%s: %q, want %q", id, byMsg[id], want)
		}
	}

	pairs := e.rows(schemas.ChatPairs, p)
	type pair struct{ q, a, lang string }
	var got []pair
	merchants := map[string]bool{}
	for _, r := range pairs {
		got = append(got, pair{r["question"], r["answer"], r["language"]})
		merchants[r["merchant_token"]] = true
		for _, col := range []string{"conversation_token", "merchant_token"} {
			if !residual.WellFormedToken(r[col]) {
				t.Errorf("%s not a token", col)
			}
		}
	}
	want := []pair{
		{"<PERSON_1>明天来取件可以吗\n我叫<PERSON_1>，手机<PHONE_1>，地址：<ADDRESS_1>", "好的<PERSON_1>先生，<ADDRESS_1>已经备注了", "zh"},
		{"Where is my parcel?", "It ships tomorrow.", "en"},
		{"Where is my parcel?", "It ships tomorrow.", "en"},
		{"我想退款，可以吗 please, my name is <PERSON_1>", "OK <PERSON_1>, refund sent to card <BANK_CARD_1>", "mixed"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pairs:\n got %q\nwant %q", got, want)
	}
	if len(merchants) != 3 {
		t.Errorf("%d merchant tokens, want 3", len(merchants))
	}
	if pairs[0]["turn_index"] != "1" || pairs[0]["pii_placeholders"] != "6" {
		t.Errorf("first pair: turn %s, %s placeholders", pairs[0]["turn_index"], pairs[0]["pii_placeholders"])
	}

	st := e.stats(schemas.ChatPairs, p)
	if st.Pairs == nil || st.Pairs.Made != 4 || !st.Balanced() || st.Duplicates != 1 || st.QuarantinedTotal() != 1 {
		t.Fatalf("stats %+v", st)
	}
	// conv-zh-1: 还有发票 has no answer; conv-en-1: Hi (greeting), Thanks
	// (greeting); conv-en-2: a duplicate.
	if d := st.Pairs.Dropped; d[dropNoAnswer] != 1 || d[dropGreeting] != 2 || d[dropDuplicate] != 1 || len(d) != 3 {
		t.Errorf("dropped %v", d)
	}

	// No raw value of the fixture reaches chat_pairs, in any column.
	for _, r := range pairs {
		for col, v := range r {
			for _, raw := range chatFixtureRaw {
				if strings.Contains(v, raw) {
					t.Errorf("chat_pairs.%s holds a raw value (%d bytes)", col, len(raw))
				}
			}
		}
	}
}

// BenchmarkChats runs the chats stage over a day of 12,000 messages in
// 2,000 conversations: grouping, Learn and Redact, pairs, both commits.
func BenchmarkChats(b *testing.B) {
	e := newEnv(b)
	var sb strings.Builder
	texts := []struct{ sender, text string }{
		{"buyer", "你好，我的订单什么时候发货？"},
		{"seller", "亲，今天下午发货哦"},
		{"buyer", "我叫王小明，电话13812345678，地址：北京市朝阳区建国路88号院3号楼"},
		{"seller", "好的王先生，已经帮您备注了"},
		{"buyer", "Thanks, Jane Doe will pick it up at 12 Main Street, Springfield"},
		{"bot", "感谢您的咨询，请对本次服务进行评价~"},
	}
	n := 0
	for c := 0; c < 2000; c++ {
		for i, m := range texts {
			sb.WriteString(chatLine(fmt.Sprintf("conv-%05d", c), fmt.Sprintf("m-%05d-%d", c, i),
				fmt.Sprintf("%02d:%02d:%02d", c/120, c%60, i*7), fmt.Sprintf("shop-%03d", c%50), m.sender, m.text))
			sb.WriteByte('\n')
			n++
		}
	}
	e.land("chats", map[string]string{"part-00000.jsonl": sb.String()})
	b.ReportAllocs()
	for b.Loop() {
		if err := e.run(Chats{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
