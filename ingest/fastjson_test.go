package ingest

import (
	"maps"
	"slices"
	"testing"

	"github.com/parquet-go/jsonlite"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// FuzzFastDecode: wherever the fast path answers, it answers as jsonlite
// does: the same rejection, the same field values, the same dropped-field
// counts.
func FuzzFastDecode(f *testing.F) {
	for _, s := range []string{
		good, `{}`, ` { } `, `{"event_id":"e1"}`, `{"amount":1e400}`, `{"amount":1e-400}`, `{"amount":-0}`,
		`{"amount":"12"}`, `{"event_id":12}`, `{"event_id":null,"x":true}`, `{"a":{"b":1}}`, `{"event_id":"a\"b"}`,
		`{"event_id":"e1",}`, `{"event_id":"e1"} x`, `{"amount":01}`, `{"amount":1.}`, `{"amount":.5}`, "{\"event_id\":\"\xff\xfe\"}",
		`{"event_id":"e1","event_id":"e2"}`, `{"amount":"x","zz":1,`, `{"type":true}`, `{"type":nul}`, `{"type":nullx}`,
	} {
		f.Add(s)
	}
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var fastStats, slowStats pipeline.Stats
		fastRec, slowRec := pol.NewRecord(), pol.NewRecord()
		var dropped []string
		fastRej, ok := fastDecode(line, pol, fastRec, &fastStats, &dropped)
		if !ok {
			return
		}
		slowRej := decodeRecord(jsonlite.Iterate(line), pol, slowRec, &slowStats)
		if (fastRej == nil) != (slowRej == nil) || fastRej != nil && *fastRej != *slowRej {
			t.Fatalf("%q: fast %v, jsonlite %v", line, fastRej, slowRej)
		}
		if fastRej != nil {
			return // values after a rejection do not matter
		}
		if !slices.Equal(fastRec.Vals, slowRec.Vals) || !slices.Equal(fastRec.Present, slowRec.Present) {
			t.Fatalf("%q: fast %q %v, jsonlite %q %v", line, fastRec.Vals, fastRec.Present, slowRec.Vals, slowRec.Present)
		}
		if !maps.Equal(fastStats.DroppedFields, slowStats.DroppedFields) {
			t.Fatalf("%q: dropped fast %v, jsonlite %v", line, fastStats.DroppedFields, slowStats.DroppedFields)
		}
	})
}
