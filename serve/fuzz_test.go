package serve_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzDecide posts arbitrary bodies: the service answers 200, 400 or 413,
// never fails, and an error answer never carries more than a field name.
func FuzzDecide(f *testing.F) {
	for _, s := range []string{
		`{"event_id":"e-1","ts":"2026-11-20T10:00:00Z","type":"purchase","user_id":"u-1","ip":"203.0.113.77","amount":1,"currency":"CNY"}`,
		`{"event_id":"e-2","ts":"2026-11-19T10:00:00Z","type":"login","user_id":"u-2"}`,
		`{"a":{"b":[1,2,{"c":null}]}}`, `[]`, `null`, `{"ts":NaN}`, "",
	} {
		f.Add([]byte(s))
	}
	w := newWorld(f, 1, 1_000)
	s, hs := newServer(f, w, "", testDecider{})
	hs.Close()
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/decide", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if rec.Body.Len() > 256 {
				t.Fatalf("error answer of %d bytes", rec.Body.Len())
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
