package serve

import (
	"fmt"
	"strings"
	"sync"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
)

// tokeniser turns a raw event into the features.Event the risk stage reads
// from events_clean: ingest's parser and policy make the row, and the row
// is read column by column as risk/source.go reads events_clean.
type tokeniser struct {
	pol  *policy.Compiled
	tok  *anonymize.Tokenizer
	pool sync.Pool // *ingest.EventParser, each with its own token cache
}

// Columns of events_clean the engine reads (risk's scanColumns).
var (
	colID, colTS, colType = cleanCol("event_id"), cleanCol("ts"), cleanCol("type")
	colLive, colAmount    = cleanCol("live_session_id"), cleanCol("amount")
	colSignup             = cleanCol("signup_ts")
	colSource, colBrowser = cleanCol("source"), cleanCol("browser")
	colEntity             = [features.NEntities]int{cleanCol("user_token"), cleanCol("device_token"), cleanCol("ip_token"), cleanCol("ip_prefix"), cleanCol("card_token")}
)

func cleanCol(name string) int {
	ix := schemas.EventsClean.Schema.FieldIndices(name)
	if len(ix) != 1 {
		panic("serve: events_clean has no column " + name)
	}
	return ix[0]
}

func newTokeniser(f *policy.File, tok *anonymize.Tokenizer) (*tokeniser, error) {
	if f == nil {
		f = policy.Default()
	}
	pol, err := f.Compile(schemas.Events)
	if err != nil {
		return nil, fmt.Errorf("serve: events policy: %w", err)
	}
	if pol.Dataset.Name != schemas.EventsClean.Name {
		return nil, fmt.Errorf("serve: the events policy writes %s, not %s", pol.Dataset.Name, schemas.EventsClean.Name)
	}
	t := &tokeniser{pol: pol, tok: tok}
	if _, err := ingest.NewEventParser(pol, tok.Worker()); err != nil {
		return nil, err
	}
	t.pool.New = func() any {
		p, _ := ingest.NewEventParser(t.pol, t.tok.Worker()) // checked above
		return p
	}
	return t, nil
}

// parsed is one tokenised event with the key columns a model may read.
type parsed struct {
	ev              features.Event
	source, browser string
}

// parse tokenises one JSON event. Errors are *ingest.Rejected: a reason
// and a field name, never a value.
func (t *tokeniser) parse(body string) (parsed, error) {
	p := t.pool.Get().(*ingest.EventParser)
	defer t.pool.Put(p)
	row, err := p.Parse(body)
	if err != nil {
		return parsed{}, err
	}
	str := func(c int) string {
		if !row.Valid[c] {
			return ""
		}
		return strings.Clone(row.S[c]) // the row is the parser's, reused
	}
	e := features.Event{ID: str(colID), TS: row.I[colTS], Type: str(colType), Live: str(colLive)}
	for k, c := range colEntity {
		e.Keys[k] = str(c)
	}
	if row.Valid[colAmount] {
		e.Amount4, e.HasAmount = risk.Amount4(row.F[colAmount]), true
	}
	if row.Valid[colSignup] {
		e.Signup = row.I[colSignup]
	}
	return parsed{ev: e, source: str(colSource), browser: str(colBrowser)}, nil
}
