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
	seen map[seenKey]int
	next Counts // last number given, per type
}

type seenKey struct {
	t     Type
	value string // normalised
}

// NewConversation returns a desensitiser for one conversation.
func NewConversation() *Conversation {
	return &Conversation{seen: make(map[seenKey]int)}
}

// Redact returns text with every span replaced by its placeholder, and the
// spans found by type. Text without personal data is returned as is,
// without allocating.
func (c *Conversation) Redact(text string) (string, Counts) {
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
	k := seenKey{t, normalise(t, raw)}
	if n, ok := c.seen[k]; ok {
		return n
	}
	c.next.inc(t)
	n := c.next.Get(t)
	c.seen[k] = n
	return n
}

// normalise maps the spellings of one value to one key: e-mails lower-cased,
// numbers reduced to their digits (and X), Chinese mobiles without +86.
func normalise(t Type, raw string) string {
	if t == Email {
		return strings.ToLower(raw)
	}
	d := make([]byte, 0, len(raw))
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
		switch {
		case len(d) == 13 && string(d[:2]) == "86" && mobileCN(d[2:]):
			d = d[2:]
		case len(d) == 15 && string(d[:4]) == "0086" && mobileCN(d[4:]):
			d = d[4:]
		}
	}
	return string(d)
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
