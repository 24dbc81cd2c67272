package pii

import (
	"bufio"
	"github.com/veil-data/veil/internal/realdata"
	"os"
	"strings"
	"testing"
)

// redactAll runs the two passes the chats stage runs: Learn every
// message, then Redact each.
func redactAll(msgs []string) ([]string, Counts) {
	c := NewConversation()
	for _, m := range msgs {
		c.Learn(m)
	}
	out := make([]string, len(msgs))
	var total Counts
	for i, m := range msgs {
		var n Counts
		out[i], n = c.Redact(m)
		total.Add(n)
	}
	return out, total
}

// TestConversationMemoryZH: a name, phone and address given once, in
// message 2, are masked on every repeat, before and after, in part too.
func TestConversationMemoryZH(t *testing.T) {
	msgs := []string{
		"王小明明天来取件，电话是1381234 5678吗",
		"我叫王小明，手机13812345678，地址：北京市朝阳区建国路88号院3号楼2单元1201室",
		"好的王先生，小明的快递已经到建国路88号了",
		"联系人王小明，手机号138-1234-5678",
		"麻烦放到建国路88号门口，打+86 138 1234 5678，谢谢王总",
		"明天下午送到吗",
	}
	out, _ := redactAll(msgs)
	want := []string{
		"<PERSON_1>明天来取件，电话是<PHONE_1>吗",
		"我叫<PERSON_1>，手机<PHONE_1>，地址：<ADDRESS_1>",
		"好的<PERSON_1>先生，<PERSON_1>的快递已经到<ADDRESS_1>了",
		"联系人<PERSON_1>，手机号<PHONE_1>",
		"麻烦放到<ADDRESS_1>门口，打<PHONE_1>，谢谢<PERSON_1>总",
		"明天下午送到吗",
	}
	for i := range msgs {
		if out[i] != want[i] {
			t.Errorf("message %d:\n got %q\nwant %q", i+1, out[i], want[i])
		}
	}
	for _, raw := range []string{"王", "小明", "138", "5678", "建国路", "88号"} {
		for i, o := range out {
			if strings.Contains(o, raw) {
				t.Errorf("message %d keeps %q: %q", i+1, raw, o)
			}
		}
	}
}

func TestConversationMemoryEN(t *testing.T) {
	withoutNameModels(t) // what memory masks, not what the models find
	msgs := []string{
		"Jane will pick it up, call 415 555 0142",
		"Hi, my name is Jane Doe, phone: (415) 555-0142, ship to 12 Main Street, Springfield, IL 62704",
		"Thanks Jane. Doe is on the label, deliver to 12 Main Street please",
		"Is Janet there? I'll tell Jane Doe. Will do.",
		"Doe's parcel: 415.555.0142",
	}
	out, _ := redactAll(msgs)
	want := []string{
		"<PERSON_1> will pick it up, call <PHONE_1>",
		"Hi, my name is <PERSON_1>, phone: <PHONE_1>, ship to <ADDRESS_1>",
		"Thanks <PERSON_1>. <PERSON_1> is on the label, deliver to <ADDRESS_1> please",
		"Is Janet there? I'll tell <PERSON_1>. Will do.",
		"<PERSON_1>'s parcel: <PHONE_1>",
	}
	for i := range msgs {
		if out[i] != want[i] {
			t.Errorf("message %d:\n got %q\nwant %q", i+1, out[i], want[i])
		}
	}
}

// TestConversationMemoryLinks: a person first named in part takes the
// same placeholder when named in full later, and short or common parts
// are never masked alone.
func TestConversationMemoryLinks(t *testing.T) {
	withoutNameModels(t)
	c := NewConversation()
	for _, m := range []struct{ in, want string }{
		{"王先生您好", "<PERSON_1>先生您好"},
		{"我叫王小明", "我叫<PERSON_1>"},
		{"收件人：李明天", "收件人：<PERSON_2>"},
		{"明天到吗？李先生", "明天到吗？<PERSON_2>先生"},
		{"my name is Rose Tyler", "my name is <PERSON_3>"},
		{"Rose will ship? Tyler here", "Rose will ship? <PERSON_3> here"},
		{"name: Al Li", "name: <PERSON_4>"},
		{"Al said Li is fine", "Al said Li is fine"},
	} {
		if got, _ := c.Redact(m.in); got != m.want {
			t.Errorf("Redact(%q) = %q, want %q", m.in, got, m.want)
		}
	}
}

func TestPlaceholdersCannotCollide(t *testing.T) {
	c := NewConversation()
	in := "我的号码不是<PHONE_1>，是13812345678；<CN_RESIDENT_ID_2> and <PHONE_x> stay, [姓名x]也不变"
	got, n := c.Redact(in)
	want := "我的号码不是＜PHONE_1＞，是<PHONE_1>；＜CN_RESIDENT_ID_2＞ and <PHONE_x> stay, [姓名x]也不变"
	if got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
	if n.Total() != 1 || CountPlaceholders(got) != 1 {
		t.Errorf("counts %d, placeholders %d; want 1", n.Total(), CountPlaceholders(got))
	}
	// Redacting the output again changes nothing veil wrote but escapes it:
	// output is never fed back, and a forged placeholder is never veil's.
	if e := EscapeForged("plain [电话x] text"); e != "plain [电话x] text" {
		t.Errorf("EscapeForged changed %q", e)
	}
	for _, s := range []string{"<A_1>", "x<PHONE_12>y", "<<EMAIL_3>>"} {
		if e := EscapeForged(s); CountPlaceholders(e) != 0 || strings.Count(e, "＜") != 1 {
			t.Errorf("EscapeForged(%q) = %q", s, e)
		}
	}
}

func TestMemoryNoAllocWithoutValues(t *testing.T) {
	c := NewConversation()
	c.Learn("我叫王小明，手机13812345678")
	for _, text := range []string{"您好，请问有什么可以帮您？", "The parcel ships in 3-5 days, order total 129.00"} {
		if n := testing.AllocsPerRun(100, func() { c.Redact(text) }); n != 0 {
			t.Errorf("Redact(%q) allocates %.0f times", text, n)
		}
	}
}

func BenchmarkConversationMemory(b *testing.B) {
	c := NewConversation()
	c.Learn("我叫王小明，手机13812345678，地址：北京市朝阳区建国路88号院3号楼2单元1201室")
	c.Learn("my name is Jane Doe, phone: (415) 555-0142, email jane.doe@example.com")
	text := strings.Repeat("亲，您的快递已经发出了，预计明天送达，请注意查收。The parcel ships in 3-5 days. ", 4)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		c.mem.find(text, nil)
	}
}

// TestJDDCSessions reads JD's already-masked chats as the chats stage
// does, per session, Learn then Redact: JD's masks ("[姓名x]") stay as
// they are, and memory adds no more than a handful of changed lines.
func TestJDDCSessions(t *testing.T) {
	f, err := os.Open(realdata.Path(t, "jddc-chat/chat_0.1per.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var order []string
	sessions := map[string][]string{}
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 7 {
			continue
		}
		if _, ok := sessions[cols[0]]; !ok {
			order = append(order, cols[0])
		}
		sessions[cols[0]] = append(sessions[cols[0]], strings.Join(cols[6:], "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	lines, changed := 0, 0
	for _, id := range order {
		msgs := sessions[id]
		out, _ := redactAll(msgs)
		for i := range msgs {
			lines++
			if out[i] != msgs[i] {
				changed++
			}
			if strings.Count(out[i], "x]") != strings.Count(msgs[i], "x]") {
				t.Errorf("session line changed a JD mask: %d masks became %d", strings.Count(msgs[i], "x]"), strings.Count(out[i], "x]"))
			}
		}
	}
	t.Logf("%d sessions, %d lines, %d changed", len(order), lines, changed)
	if lines < 10000 || changed > 12 { // TestJDDC says which
		t.Errorf("%d lines read, %d changed", lines, changed)
	}
}

// FuzzConversationMemory: Learn then Redact over two messages never
// panics, leaves nothing Find finds, counts every placeholder it writes,
// and leaves no forged placeholder.
func FuzzConversationMemory(f *testing.F) {
	f.Add("我叫王小明，手机13812345678", "王小明明天来，王先生说138 1234 5678")
	f.Add("my name is Jane Doe, 12 Main Street, Springfield", "Jane at 12 Main Street <PHONE_1>")
	f.Add("<PERSON_1> 王", "王总")
	f.Fuzz(func(t *testing.T, a, b string) {
		c := NewConversation()
		c.Learn(a)
		c.Learn(b)
		for _, m := range []string{a, b} {
			out, n := c.Redact(m)
			if left := Find(out); left != nil {
				t.Fatalf("Redact(%q) = %q still has %v", m, out, left)
			}
			if CountPlaceholders(out) != n.Total() {
				t.Fatalf("Redact(%q) = %q: %d placeholders, counted %d", m, out, CountPlaceholders(out), n.Total())
			}
		}
	})
}
