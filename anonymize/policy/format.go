package policy

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/veil-data/veil/ingest/csvfeed"
	"github.com/veil-data/veil/schemas"
)

// FileFormat says how to read landing files whose base name matches
// Match when they are CSV rather than JSON Lines: the column mapping and
// time formats of package csvfeed, plus what the feed lacks.
type FileFormat struct {
	csvfeed.Format `yaml:",inline"`
	// Partition is "event_day" (the default: an event whose time falls
	// outside the landing partition's day is quarantined), "arrival"
	// (the landing date is when the file arrived, and events of any day
	// are accepted into it) or "event_time" (a historical extract whose
	// rows land on their own event days: see historical.go).
	Partition string `yaml:"partition"`
}

// Partition modes.
const (
	PartitionEventDay  = "event_day"
	PartitionArrival   = "arrival"
	PartitionEventTime = "event_time"
)

// Format is a compiled FileFormat.
type Format struct {
	FileFormat
	Decoder *csvfeed.Decoder
	// DeriveID is set when the feed has no event id (absent: [event_id]):
	// ingest derives one as a one-way token of the whole record, so an
	// exact repeat of a row is a declared duplicate.
	DeriveID bool
	// AnyDay accepts event times outside the partition's day.
	AnyDay bool
	// EventTime places each row of a historical file on its event day
	// (partition: event_time).
	EventTime bool
	// ts is the index of the feed's time field (Input.TimeField: ts,
	// or known_at for labels) in a row's values.
	ts int
}

func (ff FileFormat) compile(in schemas.Input) (*Format, error) {
	switch ff.Partition {
	case "", PartitionEventDay, PartitionArrival, PartitionEventTime:
	default:
		return nil, fmt.Errorf("match %q: partition %q: want %s, %s or %s", ff.Match, ff.Partition, PartitionEventDay, PartitionArrival, PartitionEventTime)
	}
	d, err := ff.Format.Compile(in)
	if err != nil {
		return nil, fmt.Errorf("match %q: %w", ff.Match, err)
	}
	day := in.TimeField()
	ts := slices.IndexFunc(in.Fields, func(f schemas.Field) bool { return f.Name == day })
	if ff.Partition == PartitionEventTime && (ts < 0 || !d.Mapped(day)) {
		// The day of a row must come from the row itself.
		return nil, fmt.Errorf("match %q: partition %s needs a column that fills %s", ff.Match, PartitionEventTime, day)
	}
	return &Format{
		FileFormat: ff,
		Decoder:    d,
		DeriveID:   slices.Contains(d.Absent(), "event_id") || slices.Contains(d.Absent(), "message_id"),
		AnyDay:     ff.Partition == PartitionArrival,
		EventTime:  ff.Partition == PartitionEventTime,
		ts:         ts,
	}, nil
}

// Formats returns the feed's compiled file formats, in order.
func (c *Compiled) Formats() []*Format { return c.formats }

// FormatFor returns the first format whose Match fits the file's base
// name, or nil.
func (c *Compiled) FormatFor(file string) *Format {
	for _, f := range c.formats {
		if f.Matches(file) {
			return f
		}
	}
	return nil
}

// formatKeys describes the formats for Fingerprint.
func (c *Compiled) formatKeys() []string {
	var k []string
	for _, f := range c.formats {
		b, _ := json.Marshal(f.FileFormat)
		k = append(k, string(b))
	}
	return k
}
