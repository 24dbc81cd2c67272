package cli

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/audience"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/tagging"
)

// demoAudiences plays a merchant team on the demo's last day: a few
// audience sizes at the merchants with the most customers, an export, and
// refusals (an audience too small, and a differencing pair), through the
// same service `veil audience` uses.
func (a *app) demoAudiences(ctx context.Context, r *pipeline.Runner, p *paths, day time.Time) error {
	spec, err := p.loadTags()
	if err != nil {
		return err
	}
	cfg, err := audience.DefaultConfig(spec)
	if err != nil {
		return err
	}
	wh := r.Env.Warehouse
	dt := day.Format(time.DateOnly)
	data, err := audience.OpenData(ctx, wh, r.Env.Mem, spec, dt)
	if err != nil {
		return err
	}
	top, err := topMerchants(ctx, r.Env, spec, dt, 3)
	if err != nil {
		return err
	}
	ledger, err := p.ledgerFiles(ctx, wh.Root)
	if err != nil {
		return err
	}
	svc := &audience.Service{Spec: spec, Config: cfg, Ledger: ledger}
	fmt.Fprintf(a.stdout, "\naudiences on %s (min size %d, epsilon %s a query, budget %s a %s; merchants see only these lines):\n",
		dt, cfg.MinSize, cfg.Epsilon(), cfg.BudgetEpsilon(), cfg.Budget.Period)
	ask := func(merchant, expr string, export string) error {
		q := audience.Query{Actor: "demo", Merchant: merchant, Expr: expr, DT: dt}
		var res audience.Result
		var err error
		if export != "" {
			res, err = svc.Export(ctx, data, q, a.exportWriter(ctx, p, merchant, export))
		} else {
			res, err = svc.Size(ctx, data, q)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "  %-8s %s\n           ", merchant, expr)
		printResult(a, cfg, res)
		return nil
	}
	const beauty = `interests.exists(i, i == "beauty") && discount_sensitivity == "high"`
	for _, m := range top {
		for _, e := range []string{`membership == "member"`, beauty} {
			if err := ask(m, e, ""); err != nil {
				return err
			}
		}
	}
	if len(top) > 0 {
		m := top[0]
		out := filepath.Join(filepath.Dir(wh.Root), "exports", m+"-members.parquet")
		if err := mkdirFor(out); err != nil {
			return err
		}
		if err := ask(m, `membership == "member"`, out); err != nil {
			return err
		}
		// A narrow audience is refused; exporting "the members but not
		// the narrow group" would single out the narrow group by
		// difference with the first export, and is refused too.
		if err := ask(m, `membership == "member" && age_band == "25-34"`, ""); err != nil {
			return err
		}
		if err := ask(m, `membership == "member" && age_band != "25-34"`, out+".diff"); err != nil {
			return err
		}
	}
	if _, err := audience.PublishReleases(ctx, wh, r.Env.Mem, svc.Ledger, dt); err != nil {
		return err
	}
	// The day's report covers audience_releases: it is due again.
	return a.reportFailures(r, r.Backfill(ctx, day, day, false))
}

// topMerchants are the n merchants with the most consumers in
// consumer_merchant_tags/dt, most first.
func topMerchants(ctx context.Context, env *pipeline.Env, spec *tagging.Spec, dt string, n int) ([]string, error) {
	counts := map[string]int{}
	err := env.Warehouse.Scan(ctx, env.Mem, spec.ConsumerMerchantTags(), sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		ms := rec.Column(0).(*array.String)
		for i := range int(rec.NumRows()) {
			counts[ms.Value(i)]++
		}
		return nil
	}, "merchant_id")
	if err != nil {
		return nil, err
	}
	var ids []string
	for m := range counts {
		ids = append(ids, m)
	}
	slices.SortFunc(ids, func(x, y string) int { return cmp.Or(cmp.Compare(counts[y], counts[x]), cmp.Compare(x, y)) })
	return ids[:min(n, len(ids))], nil
}

func mkdirFor(path string) error { return os.MkdirAll(filepath.Dir(path), 0o700) }
