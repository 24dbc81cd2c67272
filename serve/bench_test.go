package serve_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkDecide is one POST /v1/decide through the handler, without the
// network: tokenising, scoring, deciding, logging and encoding the answer.
func BenchmarkDecide(b *testing.B) {
	w := newWorld(b, 1, 2_000)
	s, hs := newServer(b, w, "", testDecider{})
	hs.Close()
	h := s.Handler()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		body := fmt.Sprintf(`{"event_id":"b-%d","ts":"%s","type":"purchase","user_id":"u-%d","device_id":"d-%d","ip":"203.0.%d.%d","payment_card":"4111111111%06d","amount":%d.5,"currency":"CNY"}`,
			i, day.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), i%2000, i%1500, i%200, i%250, i%2000, i%300)
		req := httptest.NewRequest(http.MethodPost, "/v1/decide", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
