package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/serve"
)

// TestLiftPassesDecide: a blacklisted user is blocked by POST /v1/decide;
// once an appeal's lift is decided, the service folds it in and the user
// passes; a decision log that fails verification keeps the entry.
func TestLiftPassesDecide(t *testing.T) {
	w := newWorld(t, 1, 2_000)
	d, enf := w.enforced(t, dayOf(0))
	var lifts []blacklist.Lift
	var liftErr error
	enf.Lifts = func(context.Context, int64) ([]blacklist.Lift, error) { return lifts, liftErr }
	s, hs := newEnforcedServer(t, w, dayOf(0), d, enf)
	at := synth0(t).Add(8 * time.Hour)
	n := 0
	ask := func() serve.Response {
		t.Helper()
		n++
		body := fmt.Sprintf(`{"event_id":"lift-%d","ts":%q,"type":"login","user_id":"u-appellant","device_id":"d-appellant","ip":"198.51.100.9"}`,
			n, at.Add(time.Duration(n)*time.Minute).Format(time.RFC3339Nano))
		code, b := post(t, hs.Client(), hs.URL+"/v1/decide", testKey, body)
		if code != http.StatusOK {
			t.Fatalf("status %d: %s", code, b)
		}
		var r serve.Response
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := ask()
	if r.Decision != "allow" {
		t.Fatalf("before any entry: %s %v", r.Decision, r.Reasons)
	}
	// The user is blacklisted (as a card-testing hit would admit them).
	pol := enf.Policy
	flag := blacklist.Flag{Entity: features.User, Token: r.Tokens.User, Reason: "CARD_TESTING", Severity: 4, Block: true,
		Source: "rule:card_testing@v1", EventID: "x", At: at.Add(90 * time.Second).UnixMilli()}
	if _, err := enf.List.Fold(pol, "test", []blacklist.Flag{flag}, nil); err != nil {
		t.Fatal(err)
	}
	if r := ask(); r.Decision != "block" || !slices.Contains(r.Reasons, decide.ReasonBlacklisted) {
		t.Fatalf("blacklisted: %s %v", r.Decision, r.Reasons)
	}
	// A lift from a log that fails verification is not taken.
	liftAt := at.Add(150 * time.Second).UnixMilli()
	lifts, liftErr = []blacklist.Lift{{Entity: features.User, Token: r.Tokens.User, At: liftAt, Case: "ap-1"}}, fmt.Errorf("tampered")
	if err := s.RefreshLifts(context.Background()); err == nil {
		t.Fatal("a failing decision log was not reported")
	}
	if r := ask(); r.Decision != "block" {
		t.Fatalf("after a refused lift: %s %v", r.Decision, r.Reasons)
	}
	liftErr = nil
	if err := s.RefreshLifts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := ask(); r.Decision != "allow" {
		t.Fatalf("after the lift: %s %v", r.Decision, r.Reasons)
	}
}

func synth0(t *testing.T) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, dayOf(1))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
