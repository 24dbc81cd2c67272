package ennames

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// names returns the names Append finds in text, joined by '|'.
func names(text string) string {
	var out []string
	for _, s := range Append(nil, text) {
		out = append(out, text[s.Start:s.End])
	}
	return strings.Join(out, "|")
}

func TestAppendNames(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Follow up with Satsita Umkhayev", "Satsita Umkhayev"},
		{"Jane Doe will pick it up", "Jane Doe"},
		{"Please send it to Michael O'Connor tomorrow", "Michael O'Connor"},
		{"Alice, Bob and Carol", "Alice|Bob|Carol"},
		{"Invite Alice, Bob and Carol to the call.", "Alice|Bob|Carol"},
		{"Tomas Svoboda\n12 Main Street\nSpringfield", "Tomas Svoboda"},
		{"Karen said the parcel never came", "Karen"},
		{"I asked Dr. Priya Raman about the refund", "Priya Raman"},
		{"Send it to Jean-Luc Picard", "Jean-Luc Picard"},
		{"ask Ludwig van Beethoven", "Ludwig van Beethoven"},
		{"It was Ana's order", "Ana"},
		{"Please ask Wojciech Kowalczyk to call <PHONE_1>.", "Wojciech Kowalczyk"},
		{"Contact Mei Ling at <EMAIL_1> about the Samsung Galaxy", "Mei Ling"},
		{"您好，客服 Sarah Connor 会跟进", "Sarah Connor"},
		{"pls ask jennifer about the refund", "jennifer"},
		{"the parcel is for katarzyna nowak, she lives upstairs", "katarzyna nowak"},
		{"mr. dubois never got the parcel", "dubois"},
	} {
		if got := names(c.text); got != c.want {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}

func TestAppendNotNames(t *testing.T) {
	for _, text := range []string{
		"Thank You",
		"Thank You for your order!",
		"New York",
		"Ship it to 12 Main Street, New York",
		"Main Street",
		"Apple iPhone 15 Pro",
		"I bought the Apple iPhone 15 Pro on Monday",
		"Order Status",
		"Order Status: Shipped",
		"Monday",
		"See you Monday",
		"Amazon Prime",
		"Is this covered by Amazon Prime?",
		"Customer Service",
		"Please contact Customer Service.",
		"Dear Customer,",
		"Hello, I want a refund",
		"Thanks, I got it",
		"<PHONE_1> <PERSON_2> <EMAIL_3>",
		"我想退货，订单号是 12345",
		"I'm not happy. I'll return it.",
		"Write to JaneDoe@example.com or visit www.Contoso.com today",
		"OK",
		"",
		"where is my order? will you ship it today",
		"may i get a refund for the black shoes",
		"i want to return the nike shoes, the size is wrong",
		"grace period for returns is 30 days",
	} {
		if got := names(text); got != "" {
			t.Errorf("%q: found %q, want nothing", text, got)
		}
	}
}

// TestAppendSpans checks offsets: in order, without overlaps, on rune
// boundaries, appended after what dst held.
func TestAppendSpans(t *testing.T) {
	text := "Hi Anna Kowalska, María José García and 王小明 asked Peter about <PHONE_1>."
	dst := Append([]Span{{0, 1}}, text)
	if len(dst) < 2 || dst[0] != (Span{0, 1}) {
		t.Fatalf("Append dropped or missed: %v", dst)
	}
	for i, s := range dst[1:] {
		if s.Start >= s.End || s.End > len(text) || i > 0 && s.Start < dst[i].End {
			t.Errorf("bad span %v in %v", s, dst)
		}
	}
	if got, want := names(text), "Anna Kowalska|María José García|Peter"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendAllocs(t *testing.T) {
	text := "hi, where is my order? I paid on Monday and it still says Processing. Thanks!"
	dst := make([]Span, 0, 8)
	if n := testing.AllocsPerRun(100, func() { dst = Append(dst[:0], text) }); n != 0 {
		t.Errorf("Append allocates %.0f times per call", n)
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"Jane Doe will pick it up", "O'", "A 'B", "Ana’s", "<X", "É\xff", "Mr. J.", "van de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, s := range Append(nil, text) {
			split := utf8.ValidString(text) && // a span must not cut a rune in two
				(!utf8.RuneStart(text[s.Start]) || s.End < len(text) && !utf8.RuneStart(text[s.End]))
			if s.Start < prev || s.Start >= s.End || s.End > len(text) || split {
				t.Fatalf("bad span %v in %q", s, text)
			}
			prev = s.End
		}
	})
}
