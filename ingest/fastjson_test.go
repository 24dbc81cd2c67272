package ingest

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// FuzzFastDecode: wherever the fast path answers, it answers as the
// jsonlite path does: the same rejection, the same field values, the same
// dropped-field counts. Lines the fast path leaves are checked for what
// only the slow path decides: a known reason, and no panic.
func FuzzFastDecode(f *testing.F) {
	for _, s := range []string{
		good, `{}`, ` { } `, `{"event_id":"e1"}`, `{"amount":1e400}`, `{"amount":1e-400}`, `{"amount":-0}`,
		`{"amount":"12"}`, `{"event_id":12}`, `{"event_id":null,"x":true}`, `{"a":{"b":1}}`, `{"event_id":"a\"b"}`,
		`{"event_id":"e1",}`, `{"event_id":"e1"} x`, `{"amount":01}`, `{"amount":1.}`, `{"amount":.5}`, "{\"event_id\":\"\xff\xfe\"}",
		`{"event_id":"e1","event_id":"e2"}`, `{"amount":"x","zz":1,`, `{"type":true}`, `{"type":nul}`, `{"type":nullx}`,
		`{"amount":NaN}`, `{"amount":Infinity,"x":1}`, `{"amount":-Infinity}`, `{"x":NaN}`, `{"amount":+1}`, `{"amount":01,"x":1}`,
		`{"amount":5,"amount":null}`, `{"amount":null,"amount":5}`, `{"x":1,"x":2}`, `{"amount":1e-400}`, `{"amount":-0.0e5}`,
		`{"amount":0e-400}`, `{"x":[NaN]}`, `{"x":[01]}`, `{"amount":12,"event_id":"\u0065"}`, `{"a":[[[[[[1]]]]]]}`, `{"amount":NaNx}`,
	} {
		f.Add(s)
	}
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		f.Fatal(err)
	}
	reasons := map[string]bool{"bad_json": true, "wrong_type": true, "invalid_value": true, "non_finite": true}
	f.Fuzz(func(t *testing.T, line string) {
		var fastStats, slowStats pipeline.Stats
		fastRec, slowRec := pol.NewRecord(), pol.NewRecord()
		var fastSc, slowSc decodeScratch
		fastRej, ok := fastDecode(line, pol, fastRec, &fastStats, &fastSc)
		slowRej := slowDecode(line, pol, slowRec, &slowStats, &slowSc)
		if slowRej != nil && !reasons[slowRej.reason] {
			t.Fatalf("%q: unknown reason %q", line, slowRej.reason)
		}
		if !ok {
			return
		}
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

// FuzzValidJSON holds validJSON to encoding/json, a reader veil did not
// write: on lines without the non-finite literals it accepts exactly the
// JSON objects nested at most maxDepth deep.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{
		good, `{}`, `[]`, `{"a":[1,{"b":null}],"c":"\u00e9"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}",
		`{"a":[1,]}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1}}`, ` {"a":true} `, `{"a":tru}`, strings.Repeat("[", 70) + strings.Repeat("]", 70),
		`{"a":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`, `{"a":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "NaN") || strings.Contains(s, "Infinity") {
			return
		}
		want := json.Valid([]byte(s)) && strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "{") && depth(s) <= maxDepth
		if got := validJSON(s); got != want {
			t.Fatalf("%q: validJSON %v, encoding/json %v", s, got, want)
		}
	})
}

// depth is the nesting depth of valid JSON.
func depth(s string) int {
	dec := json.NewDecoder(strings.NewReader(s))
	d, most := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return most
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			d++
			most = max(most, d)
		case json.Delim('}'), json.Delim(']'):
			d--
		}
	}
}
