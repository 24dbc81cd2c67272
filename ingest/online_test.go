package ingest

import (
	"errors"
	"testing"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/schemas"
)

func TestEventParser(t *testing.T) {
	e := newEnv(t)
	pol, err := policy.Default().Compile(schemas.Events)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anonymize.NewTokenizer(e.set)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := NewEventParser(pol, tok.Worker())
	if err != nil {
		t.Fatal(err)
	}
	user := schemas.EventsClean.Schema.FieldIndices("user_token")[0]
	// Any day: there is no partition.
	// The same user gives the same token; the stage's equality is
	// serve's TestServiceMatchesBatch.
	var toks []string
	for _, line := range []string{
		`{"event_id":"e1","ts":"2031-01-02T03:04:05Z","type":"login","user_id":"u1","ip":"192.0.2.1"}`,
		`{"event_id":"e2","ts":"2020-01-02T03:04:05Z","type":"login","user_id":"u1"}`,
	} {
		row, err := ep.Parse(line)
		if err != nil || !row.Valid[user] || row.S[user] == "" || row.S[user] == "u1" {
			t.Fatalf("row %v, %v", row.S, err)
		}
		toks = append(toks, row.S[user])
	}
	if toks[0] != toks[1] {
		t.Fatal("one user, two tokens")
	}
	for line, want := range map[string]Rejected{
		`{"event_id":"e1","ts":"2031-01-02T03:04:05Z","type":"login","user_id":"u1","shoe_size":"44"}`: {"unknown_field", "shoe_size"},
		`{"event_id":"e1","ts":"2031-01-02T03:04:05Z","type":"login"}`:                                 {"missing_field", "user_id"},
		`{"event_id":"e1",`: {"bad_json", ""},
	} {
		_, err := ep.Parse(line)
		rj, ok := errors.AsType[*Rejected](err)
		if !ok || *rj != want {
			t.Errorf("%s: %v, want %v", line, err, want)
		}
	}
	if _, err := NewEventParser(mustCompile(t, schemas.Chats), tok.Worker()); err == nil {
		t.Error("a chats policy was accepted")
	}
}

func mustCompile(t *testing.T, in schemas.Input) *policy.Compiled {
	t.Helper()
	c, err := policy.Default().Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
