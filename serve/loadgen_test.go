package serve_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/serve/loadgen"
)

// TestLoadgenAgainstService runs the load generator briefly against a
// service continued from a generated day: every request answered 200,
// none late (the generator's times advance), and the report printed.
func TestLoadgenAgainstService(t *testing.T) {
	w := newWorld(t, 1, 2_000)
	_, hs := newServer(t, w, "", decider(t))
	res, err := loadgen.Run(context.Background(), loadgen.Config{URL: hs.URL, Key: testKey, Workers: 8, Rate: 400, Duration: 500 * time.Millisecond, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.Sent == 0 || res.OK+res.Late < res.Sent || len(res.Errors) > 0 {
		t.Fatalf("loadgen: %s", res)
	}
	if !strings.Contains(res.String(), "p99") {
		t.Fatalf("report: %s", res)
	}
}
