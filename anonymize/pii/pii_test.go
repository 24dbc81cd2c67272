package pii

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// found renders the spans of text as "TYPE:text" for comparison.
func found(text string) []string {
	var out []string
	for _, s := range Find(text) {
		out = append(out, string(s.Type)+":"+text[s.Start:s.End])
	}
	return out
}

func TestFind(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// E-mail.
		{"mail me at alice.smith+shop@example.co.uk.", []string{"EMAIL:alice.smith+shop@example.co.uk"}},
		{"邮箱:zhang_san@qq.com谢谢", []string{"EMAIL:zhang_san@qq.com"}},
		{"13812345678@163.com", []string{"EMAIL:13812345678@163.com"}},
		{"a@b.c, x@localhost, @foo.com, bar@", nil},
		{"two: a@x.io,b@y.io", []string{"EMAIL:a@x.io", "EMAIL:b@y.io"}},
		// Chinese mobiles.
		{"我的手机号13812345678，谢谢", []string{"PHONE:13812345678"}},
		{"call +86 138 1234 5678 now", []string{"PHONE:+86 138 1234 5678"}},
		{"call +8613812345678", []string{"PHONE:+8613812345678"}},
		{"(+86)139-1234-5678", []string{"PHONE:(+86)139-1234-5678"}},
		{"0086 13912345678", []string{"PHONE:0086 13912345678"}},
		{"电话：１３８１２３４５６７８", []string{"PHONE:１３８１２３４５６７８"}},
		{"12812345678", nil},        // 12x is not a mobile prefix
		{"138123456789", nil},       // 12 digits
		{"订单号913812345678901", nil}, // a mobile inside a longer run
		{"SKU13812345678", nil},
		{"订单号20240115138123456789", nil},
		{"SKU4111111111111111", nil}, // glued to ASCII letters
		{"13812345678abc", nil},      // glued to ASCII letters
		{"2024-01-15 13812345678", []string{"PHONE:13812345678"}},
		{"1.13812345678", nil}, // a decimal
		// North American and international phones.
		{"+1 415-555-0142", []string{"PHONE:+1 415-555-0142"}},
		{"(415) 555-0142", []string{"PHONE:(415) 555-0142"}},
		{"call (579)888-3058x123 today", []string{"PHONE:(579)888-3058x123"}},
		{"1-800-555-0199", []string{"PHONE:1-800-555-0199"}},
		{"001-518-640-0854", []string{"PHONE:001-518-640-0854"}},
		{"259.735.7502x459", []string{"PHONE:259.735.7502x459"}},
		{"+44 20 7946 0958", []string{"PHONE:+44 20 7946 0958"}},
		{"+46 (0)8 928 571 38", []string{"PHONE:+46 (0)8 928 571 38"}},
		{"+447700677662", []string{"PHONE:+447700677662"}},
		{"(08) 8747 6301", []string{"PHONE:(08) 8747 6301"}},
		{"0490 75 40 81", []string{"PHONE:0490 75 40 81"}},
		{"03.93.92.16.85", []string{"PHONE:03.93.92.16.85"}},
		{"010-12345678", []string{"PHONE:010-12345678"}},
		{"+1 415-555-0142 4111 1111 1111 1111", []string{"PHONE:+1 415-555-0142", "BANK_CARD:4111 1111 1111 1111"}},
		// Not phones.
		{"on 2024-01-15 at 10:30", nil},
		{"on 15.01.2024 12:30", nil},
		{"2024-01-15 12:30", nil},
		{"from 1998-2005", nil},
		{"ip 192.168.10.25", nil},
		{"price 3.1415926", nil},
		{"+123", nil},
		{"12 34 5", nil},
		{"9498777106", nil}, // bare 10 digits: an order number as often as a phone
		// Bank cards.
		{"card 4111 1111 1111 1111 thanks", []string{"BANK_CARD:4111 1111 1111 1111"}},
		{"card 4111-1111-1111-1111", []string{"BANK_CARD:4111-1111-1111-1111"}},
		{"卡号6222021234567890128", []string{"BANK_CARD:6222021234567890128"}},
		{"amex 3782 822463 10005", []string{"BANK_CARD:3782 822463 10005"}},
		{"4111111111111111", []string{"BANK_CARD:4111111111111111"}},
		{"4111111111111112", nil}, // Luhn fails
		// Mixed separators or a foreign layout: not a card (the leading
		// groups still read as a national phone number).
		{"4111 1111-1111 1111", []string{"PHONE:4111 1111-1111"}},
		{"41111 11111 11111 1", []string{"PHONE:41111 11111"}},
		{"0000000000000000", nil},  // Luhn-valid filler
		{"41111111111111110", nil}, // Luhn fails with the extra digit
		{"x4111111111111111", nil}, // glued to a letter
		{"(4111111111111111)", []string{"BANK_CARD:4111111111111111"}},
		// Resident IDs.
		{"身份证号110101199003074258", []string{"CN_RESIDENT_ID:110101199003074258"}},
		{"ID 44011320141005001x.", []string{"CN_RESIDENT_ID:44011320141005001x"}},
		{"ID 44011320141005001X", []string{"CN_RESIDENT_ID:44011320141005001X"}},
		{"110101199003074257", nil},  // checksum fails
		{"990426199112010074", nil},  // no province 99
		{"360426199113010079", nil},  // month 13
		{"1101011990030742581", nil}, // 19 digits, not Luhn-valid
		{"44011320141005001xy", nil}, // glued
		{"no pii here, 只有中文和 12 个数字", nil},
		{"[电话x] [姓名x] [身份证号x] [数字x]-[数字x]5", nil},
		// Mixed.
		{"手机13812345678 邮箱a@b.cn 卡4111111111111111 身份证110101199003074258",
			[]string{"PHONE:13812345678", "EMAIL:a@b.cn", "BANK_CARD:4111111111111111", "CN_RESIDENT_ID:110101199003074258"}},
	}
	for _, tt := range tests {
		if got := found(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestValidators(t *testing.T) {
	for _, s := range []string{"4111111111111111", "79927398713", "0"} {
		if ValidLuhn(s) != (s != "0") {
			t.Errorf("ValidLuhn(%q) = %v", s, !(s != "0"))
		}
	}
	if ValidLuhn("4111-1111") || ValidLuhn("") {
		t.Error("ValidLuhn accepted a non-digit or empty string")
	}
	for s, want := range map[string]bool{
		"110101199003074258": true, "11010119900307425X": false, "110101190002294258": false,
		"110101200002290018": true, "11010120000229001": false,
	} {
		if got := ValidCNResidentID(s); got != want {
			t.Errorf("ValidCNResidentID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestRedactConsistent(t *testing.T) {
	c := NewConversation()
	msgs := []struct{ in, want string }{
		{"我的电话是13812345678，邮箱 Bob@Example.com", "我的电话是<PHONE_1>，邮箱 <EMAIL_1>"},
		{"换个号码 13987654321 吧", "换个号码 <PHONE_2> 吧"},
		{"还是打 +86 138-1234-5678 吧，或者 bob@example.com", "还是打 <PHONE_1> 吧，或者 <EMAIL_1>"},
		{"card 4111 1111 1111 1111 and 4111111111111111", "card <BANK_CARD_1> and <BANK_CARD_1>"},
		{"ID 44011320141005001x / 44011320141005001X", "ID <CN_RESIDENT_ID_1> / <CN_RESIDENT_ID_1>"},
		{"nothing here", "nothing here"},
	}
	var total Counts
	for _, m := range msgs {
		got, n := c.Redact(m.in)
		if got != m.want {
			t.Errorf("Redact(%q) = %q, want %q", m.in, got, m.want)
		}
		if n.Total() != strings.Count(got, "<") {
			t.Errorf("Redact(%q) counts %+v, %d placeholders", m.in, n, strings.Count(got, "<"))
		}
		total.Add(n)
	}
	want := Counts{Email: 2, Phone: 3, BankCard: 2, CNResidentID: 2}
	if total != want {
		t.Errorf("total counts = %+v, want %+v", total, want)
	}
	if m := total.Map(); m[Phone] != 3 || len(m) != 4 {
		t.Errorf("Map() = %v", m)
	}
	// Another conversation numbers from 1 again: placeholders do not link
	// conversations.
	if got, _ := NewConversation().Redact("换个号码 13987654321 吧"); got != "换个号码 <PHONE_1> 吧" {
		t.Errorf("new conversation: %q", got)
	}
}

func TestRedactNoAllocWithoutPII(t *testing.T) {
	c := NewConversation()
	for _, text := range []string{
		"您好，请问有什么可以帮您？",
		"The parcel ships in 3-5 days, order total 129.00",
		"[订单x]还请您稍等，正在为您查询~ 过程大概需要[数字x]-[数字x]天.",
	} {
		if n := testing.AllocsPerRun(100, func() { c.Redact(text) }); n != 0 {
			t.Errorf("Redact(%q) allocates %.0f times", text, n)
		}
	}
}

func TestConversationRedacted(t *testing.T) {
	c := NewConversation()
	c.Redact("call 13812345678 or alice@example.com")
	for _, v := range []any{c, *c} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "1381234") || strings.Contains(out, "alice") || !strings.Contains(out, "REDACTED") {
				t.Errorf("%s = %q: not redacted", verb, out)
			}
		}
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("c", "conv", c)
	if strings.Contains(b.String(), "1381234") || !strings.Contains(b.String(), "REDACTED") {
		t.Errorf("slog = %q: not redacted", b.String())
	}
}
