package policy

import (
	"encoding/json"
	"errors"

	"github.com/veil-data/veil/schemas"
)

// FileFormat says how to read landing files whose base name matches Match
// when they are not JSON Lines.
type FileFormat struct {
	Match string `yaml:"match"`
}

// Format is a compiled FileFormat.
type Format struct{ FileFormat }

func (ff FileFormat) compile(in schemas.Input) (*Format, error) {
	return nil, errors.New("CSV formats are not supported yet")
}

// Formats returns the feed's compiled file formats, in order.
func (c *Compiled) Formats() []*Format { return c.formats }

// formatKeys describes the formats for Fingerprint.
func (c *Compiled) formatKeys() []string {
	var k []string
	for _, f := range c.formats {
		b, _ := json.Marshal(f.FileFormat)
		k = append(k, string(b))
	}
	return k
}
