package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/audience"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/synth"
	"github.com/veil-data/veil/tagging"
)

// TestOptOutsNeverReachMerchants runs the pipeline over three generated
// days and checks, against the generator's own truth of who is opted out
// at the end of each day (not veil's registry), that no opted-out consumer
// is in any tag dataset or any audience count or export, including one who
// opts out on a later day after being tagged, and that a consumer who
// withdraws is tagged again.
func TestOptOutsNeverReachMerchants(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, log: slog.New(slog.DiscardHandler)}
	p := paths{landing: filepath.Join(dir, "landing"), warehouse: filepath.Join(dir, "warehouse"), keys: filepath.Join(dir, "keys")}
	if code, _, e := run(t, "keys", "init", "--dir", p.keys); code != 0 {
		t.Fatal(e)
	}
	start, _ := time.Parse(time.DateOnly, defaultStart)
	const days = 3
	if _, err := synth.Generate(ctx, synth.Config{Out: dir, Start: start, Days: days, Events: 90000, Seed: 11, Gzip: true}); err != nil {
		t.Fatal(err)
	}
	r, err := a.runner(&p)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Backfill(ctx, start, start.AddDate(0, 0, days-1), false); err != nil {
		t.Fatal(err)
	}

	// The truth, tokenised the way ingest tokenises user_id.
	set, err := p.keyOpener()(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{} // dt -> token -> opted out at the end of dt
	f, err := os.Open(filepath.Join(dir, "truth", "optouts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			DT       string `json:"dt"`
			UserID   string `json:"user_id"`
			OptedOut bool   `json:"opted_out"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if out[l.DT] == nil {
			out[l.DT] = map[string]bool{}
		}
		out[l.DT][tok.Reversible("user_id", l.UserID)] = l.OptedOut
	}

	spec := tagging.DefaultSpec()
	wh := r.Env.Warehouse
	tagged := map[string]map[string]bool{} // dt -> user_token in consumer_tags
	last := start.AddDate(0, 0, days-1).Format(time.DateOnly)
	var laterOptOut, withdrawn int
	for d := range days {
		dt := start.AddDate(0, 0, d).Format(time.DateOnly)
		if len(out[dt]) == 0 {
			t.Fatalf("the generator made no consent requests up to %s", dt)
		}
		tagged[dt] = map[string]bool{}
		for _, ds := range []string{"consumer_tags", "consumer_merchant_tags"} {
			dataset := spec.ConsumerTags()
			if ds == "consumer_merchant_tags" {
				dataset = spec.ConsumerMerchantTags()
			}
			err := wh.Scan(ctx, r.Env.Mem, dataset, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
				us := rec.Column(0).(*array.String)
				for i := range int(rec.NumRows()) {
					u := us.Value(i)
					if out[dt][u] {
						t.Errorf("%s/dt=%s holds a consumer opted out at the end of that day", ds, dt)
					}
					if ds == "consumer_tags" {
						tagged[dt][u] = true
					}
				}
				return nil
			}, "user_token")
			if err != nil {
				t.Fatal(err)
			}
		}
		if d == 0 {
			continue
		}
		prev := start.AddDate(0, 0, d-1).Format(time.DateOnly)
		for u, o := range out[dt] {
			if o && !out[prev][u] && tagged[prev][u] {
				laterOptOut++ // tagged yesterday, opted out today: gone from today's tags
			}
			if !o && out[prev][u] && tagged[dt][u] {
				withdrawn++ // withdrew: tagged again
			}
		}
	}
	if laterOptOut == 0 || withdrawn == 0 {
		t.Fatalf("the data lacks the cases: %d tagged then opted out, %d withdrawn then tagged", laterOptOut, withdrawn)
	}
	t.Logf("consumers tagged then opted out on a later day: %d; withdrawn and tagged again: %d", laterOptOut, withdrawn)

	// Audiences over every day's tags, asked after the last day: the
	// newest registry applies, so a consumer opted out since is left out
	// of the counts and exports of earlier days too.
	cfg, err := audience.ParseConfig([]byte(`version: 1
min_size: 2
epsilon_per_query: "1"
budget: {epsilon: "10", period: month}
quasi_identifiers: [age_band, country, region]
sensitive: price_tier
platform_reach: [m-everyone]
`), "test", spec)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := p.ledgerFiles(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := &audience.Service{Spec: spec, Config: cfg, Ledger: ledger}
	all, err := audience.Compile(spec, "true")
	if err != nil {
		t.Fatal(err)
	}
	for d := range days {
		dt := start.AddDate(0, 0, d).Format(time.DateOnly)
		data, err := audience.OpenData(ctx, wh, r.Env.Mem, spec, dt)
		if err != nil {
			t.Fatal(err)
		}
		sel, err := data.Select(ctx, "m-everyone", true, all, true, cfg.QuasiIdentifiers, cfg.Sensitive)
		if err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		for u := range tagged[dt] {
			if !out[last][u] {
				want++
			}
		}
		if sel.Count != want || int64(len(sel.Members)) != want {
			t.Errorf("%s: audience of everyone counts %d (%d members), want %d (tagged less opted out by %s)", dt, sel.Count, len(sel.Members), want, last)
		}
		var exported []string
		res, err := svc.Export(ctx, data, audience.Query{Actor: "test", Merchant: "m-everyone", Expr: "true", DT: dt},
			func(m []string) (int64, func() error, error) {
				exported = m
				return int64(len(m)), func() error { return nil }, nil
			})
		if err != nil || !res.Released {
			t.Fatalf("%s: export %+v, %v", dt, res.Entry, err)
		}
		for _, u := range exported {
			if out[last][u] {
				t.Errorf("%s: an export holds a consumer opted out by %s", dt, last)
			}
		}
	}
}
