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
// never on the value, so they reveal nothing about it. A Conversation holds
// the raw values it has seen (to keep numbering consistent) and prints
// redacted; it is not safe for concurrent use, and is dropped with its
// conversation.
type Conversation struct {
	seen map[string]int // by type, NUL and normalised value
	next Counts         // last number given, per type
}

// NewConversation returns a desensitiser for one conversation.
func NewConversation() *Conversation {
	return &Conversation{seen: make(map[string]int)}
}

// Redact returns text with every span replaced by its placeholder, and the
// spans found by type. Text without personal data is returned as is,
// without allocating.
//
// Context detectors (names after "Mr", addresses after a cue) can see a new
// span once a neighbouring one is replaced, so Redact repeats until no
// detector fires, at most redactPasses times.
func (c *Conversation) Redact(text string) (string, Counts) {
	var total Counts
	for range redactPasses {
		out, n := c.redactOnce(text)
		if n.Total() == 0 {
			break
		}
		total.Add(n)
		text = out
	}
	return text, total
}

// redactPasses bounds Redact's passes; each pass only shrinks what is left
// to find, and real text settles in one or two.
const redactPasses = 4

func (c *Conversation) redactOnce(text string) (string, Counts) {
	var small [8]Span
	spans := appendSpans(small[:0], text)
	if len(spans) == 0 {
		return text, Counts{}
	}
	var counts Counts
	var b strings.Builder
	b.Grow(len(text) + 8*len(spans))
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.Start])
		b.WriteByte('<')
		b.WriteString(string(s.Type))
		b.WriteByte('_')
		b.WriteString(strconv.Itoa(c.number(s.Type, text[s.Start:s.End])))
		b.WriteByte('>')
		counts.inc(s.Type)
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String(), counts
}

// number returns the placeholder number of raw, giving the next one of its
// type to a value not seen before.
func (c *Conversation) number(t Type, raw string) int {
	var buf [128]byte
	k := appendKey(buf[:0], t, raw)
	if n, ok := c.seen[string(k)]; ok { // no allocation for a value seen before
		return n
	}
	c.next.inc(t)
	n := c.next.Get(t)
	c.seen[string(k)] = n
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
	case Phone, BankCard, CNResidentID, QQ:
		n := len(d)
		for p := 0; p < len(raw); {
			if v, w := digitAt(raw, p, len(raw)); w > 0 {
				d = append(d, v)
				p += w
				continue
			}
			if raw[p]|0x20 == 'x' {
				d = append(d, 'X')
			}
			p++
		}
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
	return fmt.Sprintf("pii.Conversation{seen: %d values, values: REDACTED}", len(c.seen))
}

// GoString is String, so %#v is redacted too.
func (c Conversation) GoString() string { return c.String() }

// Format prints String for every verb, so no verb reaches the values.
func (c Conversation) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// LogValue implements slog.LogValuer.
func (c Conversation) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("seen", len(c.seen)), slog.String("values", "REDACTED"))
}
