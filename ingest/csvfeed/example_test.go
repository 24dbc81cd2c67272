package csvfeed_test

import (
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/ingest/csvfeed"
	"github.com/veil-data/veil/schemas"
)

// A format from YAML, compiled against the events input, reading a file:
// each record becomes one Row, accepted or rejected, never lost.
func Example() {
	var f csvfeed.Format
	err := yaml.Unmarshal([]byte(`
match: "UserBehavior*.csv"
absent: [event_id]
columns:
  - {index: 0, field: user_id}
  - {index: 3, field: type, values: {pv: view, buy: purchase}}
  - {index: 4, field: ts, time: unix}
`), &f)
	if err != nil {
		panic(err)
	}
	dec, err := f.Compile(schemas.Events)
	if err != nil {
		panic(err)
	}
	fr, err := dec.Open(strings.NewReader("543462,1715,1464116,pv,1511658000\n1,2,3,zap,1511658001\n"))
	if err != nil {
		panic(err)
	}
	in := dec.Input()
	for {
		row, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		if row.Reject != nil {
			fmt.Printf("line %d rejected: %s\n", row.Line, row.Reject)
			continue
		}
		for i, fd := range in.Fields {
			if row.Present[i] {
				fmt.Printf("line %d %s=%s\n", row.Line, fd.Name, row.Values[i])
			}
		}
		fmt.Printf("line %d missing %v, dropped %v\n", row.Line, row.Missing, row.Dropped)
	}
	// Output:
	// line 1 ts=2017-11-26T01:00:00Z
	// line 1 type=view
	// line 1 user_id=543462
	// line 1 missing [event_id], dropped [#1 #2]
	// line 2 rejected: invalid_value: column #3: field type: value not listed in values
}
