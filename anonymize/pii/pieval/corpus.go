// Package pieval scores a PII detector on labelled text and measures the
// redactor's throughput, so that `veil pii eval`, the tests and
// `make bench` use one scorer and one split.
//
// Labelled files come in two formats, detected from their first bytes:
//
//   - presidio-research: a JSON list (or JSON lines) of {"full_text",
//     "spans": [{"entity_type", "entity_value", "start_position",
//     "end_position"}]}, offsets in code points, end exclusive;
//   - CLUENER2020: JSON lines of {"text", "label": {type: {value:
//     [[start, end]]}}}, offsets in code points, end inclusive.
//
// Gold labels keep the file's own names; Map says which veil type, if any,
// a label is scored as. A label Map does not know is not scored for recall
// but still counts as personal data when precision is computed.
package pieval

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/veil-data/veil/anonymize/pii"
)

// Format is the layout of a labelled file.
type Format string

// Formats Read understands.
const (
	Presidio Format = "presidio"
	CLUENER  Format = "cluener"
)

// Gold is one labelled span: Text[Start:End] in bytes, Label as the file
// names it ("PERSON", "name", "STREET_ADDRESS" …).
type Gold struct {
	Label      string
	Start, End int
}

// Record is one labelled text.
type Record struct {
	Text  string
	Spans []Gold
}

// Corpus is a labelled file read whole.
type Corpus struct {
	Format  Format
	Records []Record
	// Labels whose offsets did not hold their value: moved to where the
	// value stands, or dropped when it stands nowhere (see place).
	Relocated, Dropped int
}

// ReadFile reads a labelled file in either format.
func ReadFile(path string) (*Corpus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pieval: %w", err)
	}
	defer f.Close()
	c, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Read reads labelled records, detecting the format: a JSON list is
// presidio-research; JSON lines are presidio-research when a line has
// "full_text", CLUENER otherwise. Errors name the record and span, never
// the labelled value.
func Read(r io.Reader) (*Corpus, error) {
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return nil, err
	}
	c := &Corpus{Format: Presidio}
	if first == '[' {
		var recs []presidioRecord
		if err := json.NewDecoder(br).Decode(&recs); err != nil {
			return nil, fmt.Errorf("pieval: presidio JSON list: %w", err)
		}
		for i, pr := range recs {
			rec, err := pr.record(c)
			if err != nil {
				return nil, fmt.Errorf("pieval: record %d: %w", i, err)
			}
			c.Records = append(c.Records, rec)
		}
		return c, nil
	}
	if first != '{' {
		return nil, errors.New("pieval: not a labelled file: want a JSON list (presidio-research) or JSON lines (CLUENER)")
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var l jsonLine
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("pieval: line %d: %w", line, err)
		}
		format, rec, err := l.record(c)
		if err != nil {
			return nil, fmt.Errorf("pieval: line %d: %w", line, err)
		}
		if len(c.Records) == 0 {
			c.Format = format
		} else if format != c.Format {
			return nil, fmt.Errorf("pieval: line %d: a %s record in a %s file", line, format, c.Format)
		}
		c.Records = append(c.Records, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("pieval: %w", err)
	}
	return c, nil
}

// firstByte returns the first byte after blanks and a UTF-8 byte order
// mark, leaving it unread.
func firstByte(br *bufio.Reader) (byte, error) {
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("pieval: empty labelled file: %w", err)
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return b, br.UnreadByte()
		}
	}
}

type presidioSpan struct {
	Type  string `json:"entity_type"`
	Value string `json:"entity_value"`
	Start int    `json:"start_position"`
	End   int    `json:"end_position"`
}

type presidioRecord struct {
	Text  string         `json:"full_text"`
	Spans []presidioSpan `json:"spans"`
}

func (pr presidioRecord) record(c *Corpus) (Record, error) {
	rec := Record{Text: pr.Text}
	off := runeOffsets(pr.Text)
	for j, s := range pr.Spans {
		g, ok := c.place(pr.Text, off, s.Type, s.Value, s.Start, s.End)
		if !ok && s.Value == "" {
			return rec, fmt.Errorf("span %d (%s): offsets [%d, %d) outside a text of %d characters", j, s.Type, s.Start, s.End, len(off)-1)
		}
		if ok {
			rec.Spans = append(rec.Spans, g)
		}
	}
	return rec, nil
}

// jsonLine is a line of either format.
type jsonLine struct {
	presidioRecord
	Text  *string                        `json:"text"`
	Label map[string]map[string][][2]int `json:"label"`
}

func (l jsonLine) record(c *Corpus) (Format, Record, error) {
	if l.Text == nil {
		rec, err := l.presidioRecord.record(c)
		return Presidio, rec, err
	}
	rec := Record{Text: *l.Text}
	off := runeOffsets(rec.Text)
	for label, values := range l.Label {
		for value, offs := range values {
			for _, o := range offs {
				if g, ok := c.place(rec.Text, off, label, value, o[0], o[1]+1); ok { // inclusive end
					rec.Spans = append(rec.Spans, g)
				}
			}
		}
	}
	// Map iteration order is random; spans are kept in text order so that
	// runs and examples repeat.
	sortGold(rec.Spans)
	return CLUENER, rec, nil
}

// place converts the code-point offsets [start, end) of a labelled value
// to bytes. Real files hold a few labels whose offsets are off by a
// character or two: such a label moves to the nearest place where its
// value stands (counted in Relocated), or is dropped (Dropped) when the
// value is nowhere in the text. Without a value, offsets are taken as
// they are.
func (c *Corpus) place(text string, off []int, label, value string, start, end int) (Gold, bool) {
	if 0 <= start && start <= end && end < len(off) {
		g := Gold{Label: label, Start: off[start], End: off[end]}
		if value == "" || text[g.Start:g.End] == value {
			return g, true
		}
	}
	if value == "" {
		return Gold{}, false
	}
	want := off[min(max(start, 0), len(off)-1)]
	best := -1
	for i := 0; ; {
		k := strings.Index(text[i:], value)
		if k < 0 {
			break
		}
		if best < 0 || abs(i+k-want) < abs(best-want) {
			best = i + k
		}
		i += k + 1
	}
	if best < 0 {
		c.Dropped++
		return Gold{}, false
	}
	c.Relocated++
	return Gold{Label: label, Start: best, End: best + len(value)}, true
}

func abs(x int) int { return max(x, -x) }

func sortGold(g []Gold) {
	slices.SortFunc(g, func(a, b Gold) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), strings.Compare(a.Label, b.Label))
	})
}

// runeOffsets returns the byte offset of every code point of s and len(s).
func runeOffsets(s string) []int {
	off := make([]int, 0, utf8.RuneCountInString(s)+1)
	for i := range s {
		off = append(off, i)
	}
	return append(off, len(s))
}

// labelTypes maps gold labels, upper-cased, to the veil type they are
// scored as. Types veil may not have yet (IBAN, US_SSN, DATE_OF_BIRTH) are
// named by string so that a detector reporting them is scored as soon as
// it exists. Every pii.Types name maps to itself (see Map).
var labelTypes = map[string]pii.Type{
	"PERSON": pii.Person, "PER": pii.Person, "NAME": pii.Person,
	"STREET_ADDRESS": pii.Address, "ADDRESS": pii.Address,
	"PHONE_NUMBER": pii.Phone, "PHONE": pii.Phone, "MOBILE": pii.Phone,
	"EMAIL_ADDRESS": pii.Email, "EMAIL": pii.Email,
	"CREDIT_CARD": pii.BankCard, "BANK_CARD": pii.BankCard,
	"IP_ADDRESS": pii.IP, "IP": pii.IP,
	"IBAN_CODE": "IBAN", "IBAN": "IBAN",
	"US_SSN":        "US_SSN",
	"DATE_OF_BIRTH": "DATE_OF_BIRTH", "DOB": "DATE_OF_BIRTH", "BIRTHDAY": "DATE_OF_BIRTH",
	"ID_CARD": pii.CNResidentID,
}

// Map returns the veil type a gold label is scored as, and false for a
// label that is not scored for recall (GPE, ORGANIZATION, DATE_TIME, …).
func Map(label string) (pii.Type, bool) {
	u := strings.ToUpper(label)
	if t, ok := labelTypes[u]; ok {
		return t, true
	}
	for _, t := range pii.Types {
		if string(t) == u {
			return t, true
		}
	}
	return "", false
}

// Split selects records by a hash of their text, so that a model trained
// on the train split and the evaluation of the held-out split agree
// without sharing a file: FNV-1a 64 of the text, held out when the hash is
// 0 mod 5 (a fifth).
type Split string

// Splits.
const (
	All     Split = "all"
	Train   Split = "train"
	HeldOut Split = "heldout"
)

// ParseSplit reads "all", "train" or "heldout".
func ParseSplit(s string) (Split, error) {
	switch sp := Split(s); sp {
	case All, Train, HeldOut:
		return sp, nil
	}
	return "", fmt.Errorf("pieval: split %q: want all, train or heldout", s)
}

// IsHeldOut reports whether text belongs to the held-out split: FNV-1a 64
// of its UTF-8 bytes is 0 mod 5.
func IsHeldOut(text string) bool {
	h := fnv.New64a()
	io.WriteString(h, text)
	return h.Sum64()%5 == 0
}

// Keep reports whether text belongs to split s.
func (s Split) Keep(text string) bool {
	switch s {
	case Train:
		return !IsHeldOut(text)
	case HeldOut:
		return IsHeldOut(text)
	}
	return true
}

// Select returns the records of c in split s.
func (c *Corpus) Select(s Split) []Record {
	var out []Record
	for _, r := range c.Records {
		if s.Keep(r.Text) {
			out = append(out, r)
		}
	}
	return out
}
