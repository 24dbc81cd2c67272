package pii

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Conversation desensitises the messages of one conversation. Each piece of
// personal data becomes a typed placeholder, "<PHONE_1>", "<EMAIL_1>",
// numbered per type in order of first appearance, so the same phone number
// gets the same placeholder in every message of the conversation and the
// text still reads as a dialogue. Placeholders depend only on that order,
// never on the value, so they reveal nothing about it.
//
// A Conversation remembers every value it has numbered (see memory) and
// replaces it wherever it recurs, partial repeats included: once "我叫王小明"
// is read, 王小明, 小明 and 王先生 are masked in any message; once a phone is
// read, it is masked with any separators. To mask earlier messages too,
// read the whole conversation twice: Learn each message in order, then
// Redact each. A literal "<PHONE_1>" in the input is escaped first (see
// EscapeForged), so it never collides with veil's.
//
// A Conversation holds the raw values it has seen and prints redacted; it
// is not safe for concurrent use, and is dropped with its conversation.
type Conversation struct {
	seen map[string]int // by type, NUL and normalised value
	next Counts         // last number given, per type
	mem  memory
	// learned keeps what Learn made of a text with personal data, and
	// the state it was made in: Redact returns it while nothing new has
	// been learned since, instead of reading the text again.
	learned map[string]learnedText
}

type learnedText struct {
	out   string
	found Counts
	state int
}

// state grows with every value numbered and form remembered; the same
// state and text give the same redaction.
func (c *Conversation) state() int { return len(c.seen) + c.mem.size() }

// NewConversation returns a desensitiser for one conversation.
func NewConversation() *Conversation {
	return &Conversation{seen: make(map[string]int)}
}

// Learn reads text for personal data and remembers and numbers what it
// finds, so that a later Redact of any message of the conversation
// replaces it. Learning the messages in order numbers the placeholders in
// order of first appearance.
func (c *Conversation) Learn(text string) {
	out, found := c.Redact(text)
	if found.Total() == 0 {
		return // Redact reads such a text again cheaply
	}
	if c.learned == nil {
		c.learned = map[string]learnedText{}
	}
	c.learned[text] = learnedText{out: out, found: found, state: c.state()}
}

// Redact returns text with every span a detector finds, and every value
// the conversation remembers, replaced by its placeholder, and the spans
// replaced by type. Text without personal data or remembered values is
// returned as is, without allocating.
//
// One pass is enough: Find is a fixpoint (what it finds, replaced, bounds
// nothing new; TestFixpoint), and the values a text holds are numbered and
// remembered before the text is searched for remembered values, so a
// value's partial repeats in its own text are found in the same pass.
func (c *Conversation) Redact(text string) (string, Counts) {
	if l, ok := c.learned[text]; ok && l.state == c.state() {
		return l.out, l.found
	}
	return c.redactOnce(EscapeForged(text))
}

// redactOnce replaces the detectors' spans and the remembered values of
// text. Where the two overlap the longer wins (the remembered on a tie):
// "王小明" found by a cue beats the remembered 小明 inside it.
func (c *Conversation) redactOnce(text string) (string, Counts) {
	var small [8]Span
	spans := appendSpans(small[:0], text)
	// Number the values first, so their partial repeats in this text are
	// found below; an address waits, as it may take a remembered one's
	// number.
	var nsmall [8]int
	nums := nsmall[:0]
	for _, s := range spans {
		n := 0
		if s.Type != Address {
			n = c.number(s.Type, text[s.Start:s.End])
		}
		nums = append(nums, n)
	}
	var msmall [8]mspan
	var mem []mspan
	if c.mem.size() > 0 {
		mem = c.mem.find(text, msmall[:0])
	}
	if len(spans) == 0 && len(mem) == 0 {
		return text, Counts{}
	}
	var o placeholders
	o.b.Grow(len(text) + 8*(len(spans)+len(mem)))
	// Walk both lists in order; a run of overlapping spans and values
	// becomes one placeholder over their union, that of the longest (the
	// remembered value on a tie: it carries the number of the value it is
	// part of), so no part of either stays in clear.
	i, j := 0, 0
	for i < len(spans) || j < len(mem) {
		start, end := len(text), 0
		from := j           // the cluster's remembered values are mem[from:j]
		det, best := -1, -1 // the winner: a span's index, or a value's
		size := -1
		for {
			switch {
			case i < len(spans) && (end == 0 || spans[i].Start < end) && (j == len(mem) || spans[i].Start <= mem[j].start || end > 0):
				s := spans[i]
				if s.End-s.Start > size {
					det, best, size = i, -1, s.End-s.Start
				}
				start, end = min(start, s.Start), max(end, s.End)
				i++
				continue
			case j < len(mem) && (end == 0 || mem[j].start < end):
				m := mem[j]
				if n := m.end - m.start; n > size || n == size && det >= 0 {
					det, best, size = -1, j, m.end-m.start
				}
				start, end = min(start, m.start), max(end, m.end)
				j++
				continue
			}
			break
		}
		if det >= 0 {
			s, n := spans[det], nums[det]
			if s.Type == Address {
				if n = sameType(mem, from, j, Address); n > 0 {
					// An address read with more around it ("已经备注建国路88号")
					// holds a remembered one: the same place.
					c.bind(s.Type, text[s.Start:s.End], n)
				} else {
					n = c.number(s.Type, text[s.Start:s.End])
				}
			}
			o.put(text, s.Type, start, end, n)
		} else {
			m := mem[best]
			o.put(text, m.typ, start, end, m.n)
		}
	}
	o.b.WriteString(text[o.last:])
	return o.b.String(), o.counts
}

// placeholders writes a text with its spans replaced.
type placeholders struct {
	b      strings.Builder
	counts Counts
	last   int // end of the last span written
}

// put writes text up to start, then the placeholder of (t, n) in place
// of text[start:end].
func (o *placeholders) put(text string, t Type, start, end, n int) {
	o.b.WriteString(text[o.last:start])
	o.b.WriteByte('<')
	o.b.WriteString(string(t))
	o.b.WriteByte('_')
	o.b.WriteString(strconv.Itoa(n))
	o.b.WriteByte('>')
	o.counts.inc(t)
	o.last = end
}

// sameType returns the number of the first of mem[from:to] of type t, or 0.
func sameType(mem []mspan, from, to int, t Type) int {
	for _, m := range mem[from:to] {
		if m.typ == t {
			return m.n
		}
	}
	return 0
}

// bind gives value raw of type t the number n, if it has none.
func (c *Conversation) bind(t Type, raw string, n int) {
	var buf [128]byte
	k := appendKey(buf[:0], t, raw)
	if _, ok := c.seen[string(k)]; !ok {
		c.seen[string(k)] = n
	}
}

// number returns the placeholder number of raw, giving the next one of its
// type to a value not seen before.
func (c *Conversation) number(t Type, raw string) int {
	var buf [128]byte
	k := appendKey(buf[:0], t, raw)
	if n, ok := c.seen[string(k)]; ok { // no allocation for a value seen before
		return n
	}
	n := 0
	if a, ok := c.mem.lookup(raw); ok && a.typ == t && a.cut == len(a.pat) {
		n = a.n // a part remembered as such: "建国路88号" of an address
	} else if t == Person {
		n = c.mem.personNumber(raw)
	}
	if n == 0 {
		c.next.inc(t)
		n = c.next.Get(t)
	}
	c.seen[string(k)] = n
	c.mem.learn(t, raw, n)
	if t == Person {
		c.mem.notePartial(raw, n)
	}
	return n
}

// appendKey appends the type and the normalised value of raw, which maps
// the spellings of one value to one key: numbers reduced to their digits
// (and X), Chinese mobiles without +86; other values without blanks and
// punctuation, ASCII letters in lower case ("Bob@Example.com",
// "Jane  Doe", "wxid_ABC") or, for passports, upper case.
func appendKey(d []byte, t Type, raw string) []byte {
	d = append(d, t...)
	d = append(d, 0)
	switch t {
	case Phone, BankCard, CNResidentID, QQ, USSSN:
		n := len(d)
		d = appendDigits(d, raw)
		if t == Phone {
			switch v := d[n:]; {
			case len(v) == 13 && string(v[:2]) == "86" && mobileCN(v[2:]):
				d = append(d[:n], v[2:]...)
			case len(v) == 15 && string(v[:4]) == "0086" && mobileCN(v[4:]):
				d = append(d[:n], v[4:]...)
			}
		}
		return d
	}
	for p := 0; p < len(raw); p++ {
		c := raw[p]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == ',' || c == '.' && t != Email && t != IP:
			continue
		case c >= 'A' && c <= 'Z' && t != Passport:
			c |= 0x20
		case c >= 'a' && c <= 'z' && t == Passport:
			c &^= 0x20
		}
		d = append(d, c)
	}
	return d
}

// String returns a summary without the values seen.
func (c Conversation) String() string {
	return fmt.Sprintf("pii.Conversation{seen: %d values, remembered: %d forms, values: REDACTED}", len(c.seen), c.mem.size())
}

// GoString is String, so %#v is redacted too.
func (c Conversation) GoString() string { return c.String() }

// Format prints String for every verb, so no verb reaches the values.
func (c Conversation) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// LogValue implements slog.LogValuer.
func (c Conversation) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("seen", len(c.seen)), slog.String("values", "REDACTED"))
}
