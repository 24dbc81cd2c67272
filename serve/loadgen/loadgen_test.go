package loadgen

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunPacesAndCounts runs against a stub service: the schedule's
// requests are all sent, bodies are events of the service's day, late
// answers are counted, and the percentiles are ordered.
func TestRunPacesAndCounts(t *testing.T) {
	var n, bad atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"day":"2026-11-21"}`) })
	mux.HandleFunc("POST /v1/decide", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if r.Header.Get("Authorization") != "Bearer k" || json.NewDecoder(r.Body).Decode(&m) != nil {
			bad.Add(1)
		}
		if ts, _ := m["ts"].(string); len(ts) < 10 || ts[:10] != "2026-11-21" {
			bad.Add(1)
		}
		if n.Add(1)%2 == 0 {
			io.WriteString(w, `{"decision":"allow","late":true,"folded":false}`)
			return
		}
		io.WriteString(w, `{"decision":"allow","late":false,"folded":true}`)
	})
	hs := httptest.NewServer(mux)
	defer hs.Close()
	res, err := Run(context.Background(), Config{URL: hs.URL, Key: "k", Workers: 4, Rate: 200, Duration: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent+res.Missed != 50 || res.OK != res.Sent || bad.Load() != 0 || len(res.Errors) != 0 {
		t.Fatalf("%+v, %d bad requests", res, bad.Load())
	}
	if res.Late != res.Sent/2 || res.LateFolded != 0 {
		t.Errorf("late %d (folded %d) of %d", res.Late, res.LateFolded, res.Sent)
	}
	for _, p := range []Percentiles{res.Service, res.Due} {
		if !(p.P50 <= p.P90 && p.P90 <= p.P99 && p.P99 <= p.Max && p.P50 > 0) {
			t.Errorf("percentiles out of order: %+v", p)
		}
	}
	if _, err := Run(context.Background(), Config{URL: hs.URL}); err == nil {
		t.Error("no key, no rate: accepted")
	}
}
