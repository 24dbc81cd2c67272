// Package audience is what merchants get from veil: the size of an audience
// they define over consumer tags, and, when it passes the release checks,
// its members as merchant-scoped customer tokens. It never hands out a
// per-consumer table. The checks, each with its reason when it refuses:
//
//   - the merchant only reaches consumers seen with it in the tag window
//     (unless the config grants platform-wide reach), and never one opted
//     out of marketing, as of the newest opt-out registry;
//   - sizes are noisy: a discrete Laplace sample (audience/dp) with the
//     configured epsilon, drawn once per merchant, expression and data and
//     stored in the ledger, so asking again returns the same number;
//   - a per-merchant privacy budget per period: a query that would exceed
//     it is refused;
//   - a size, or an export, needs a noisy count of at least min_size;
//   - a differencing guard: two exports of one merchant over the same day
//     whose member sets differ by fewer than min_size consumers cannot
//     both be made (the "A and not B" attack);
//   - every export's k-anonymity and l-diversity on the quasi-identifier
//     tags is measured and recorded.
//
// Every query, released or refused, is an entry in the ledger (ledger.go),
// and audience_releases/dt is rebuilt from it.
package audience

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/veil-data/veil/audience/dp"
	"github.com/veil-data/veil/tagging"
)

// Service answers audience queries over one warehouse.
type Service struct {
	Spec   *tagging.Spec
	Config *Config
	Ledger LedgerFiles
	// Noise draws the noise; the zero Sampler uses crypto/rand.
	Noise dp.Sampler
	Now   func() time.Time
}

// Query is one merchant's question.
type Query struct {
	Actor    string // who asks (recorded)
	Merchant string
	Expr     string
	DT       string
}

// Result is what the merchant is told. Noisy is set when a size was
// released; Exported when an export was written.
type Result struct {
	Entry
	Released bool
}

// Exporter stages an export's members (the CLI writes them as
// merchant-scoped customer tokens into a Parquet file beside its
// destination) and returns how many it wrote and a commit that makes the
// file visible; commit is called only once the ledger has recorded the
// release, so no export exists that the ledger does not know of.
type Exporter func(members []string) (n int64, commit func() error, err error)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Size answers a size query: the stored noisy count, or a new one drawn
// and charged to the merchant's budget.
func (s *Service) Size(ctx context.Context, d *Data, q Query) (Result, error) {
	return s.run(ctx, d, q, nil)
}

// Export checks an audience for release and, when it passes, hands its
// members to write.
func (s *Service) Export(ctx context.Context, d *Data, q Query, write Exporter) (Result, error) {
	if write == nil {
		return Result{}, errors.New("audience export: no writer")
	}
	return s.run(ctx, d, q, write)
}

func (s *Service) run(ctx context.Context, d *Data, q Query, write Exporter) (Result, error) {
	l, err := OpenLedger(s.Ledger)
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	now := s.now()
	e := Entry{
		Time: now, Actor: q.Actor, Merchant: q.Merchant, Action: "size", Expression: q.Expr,
		DT: q.DT, Period: s.Config.Period(now),
	}
	if write != nil {
		e.Action = "export"
	}
	refuse := func(reason string) (Result, error) {
		e.Verdict, e.Reason = Refused, reason
		e.SpentMicros = l.Spent(q.Merchant, e.Period) + e.EpsilonMicros
		w, err := l.Append(e)
		return Result{Entry: w}, err
	}
	if q.Actor == "" {
		return Result{}, errors.New("audience: the asking actor is required")
	}
	if !tagging.ValidMerchantID(q.Merchant) {
		return refuse("invalid merchant id")
	}
	expr, err := Compile(s.Spec, q.Expr)
	if err != nil {
		e.ExprHash = exprHash(q.Expr)
		return refuse(err.Error())
	}
	e.ExprHash, e.Data = expr.Hash, d.Fingerprint
	if d.DT != q.DT {
		return Result{}, fmt.Errorf("audience: data of %s opened for a query of %s", d.DT, q.DT)
	}

	noisy, stored := l.Stored(q.Merchant, expr.Hash, q.DT, d.Fingerprint)
	collect := write != nil
	var sel *Selection
	if !stored || collect {
		if sel, err = d.Select(ctx, q.Merchant, s.Config.Reach(q.Merchant), expr, collect, s.Config.QuasiIdentifiers, s.Config.Sensitive); err != nil {
			return Result{}, err
		}
	}
	if stored {
		e.Reused = true
	} else {
		cost := s.Config.Epsilon()
		spent := l.Spent(q.Merchant, e.Period)
		if spent+cost.Micros() > s.Config.BudgetEpsilon().Micros() {
			return refuse(fmt.Sprintf("privacy budget spent: %s of %s used in %s, a query costs %s",
				FormatMicros(spent), s.Config.BudgetEpsilon(), e.Period, cost))
		}
		n, err := s.Noise.NoisyCount(sel.Count, cost)
		if err != nil {
			return Result{}, fmt.Errorf("audience: draw noise: %w", err)
		}
		noisy = max(n, 0) // post-processing: a count is never negative
		e.EpsilonMicros = cost.Micros()
	}
	e.Noisy = &noisy
	if noisy < s.Config.MinSize {
		// The refusal depends only on the noisy count, so it leaks
		// nothing the noise does not cover; the count itself is kept
		// from the merchant (the CLI prints "fewer than k").
		return refuse(fmt.Sprintf("below the minimum size: noisy count under %d", s.Config.MinSize))
	}
	if !collect {
		e.Verdict = Released
		e.SpentMicros = l.Spent(q.Merchant, e.Period) + e.EpsilonMicros
		w, err := l.Append(e)
		return Result{Entry: w, Released: err == nil}, err
	}

	// Export: the differencing guard against this merchant's earlier
	// exports of the same day.
	dig := digests(sel.Members)
	for _, prev := range l.Entries() {
		if prev.Merchant != q.Merchant || prev.Action != "export" || prev.Verdict != Released || prev.DT != q.DT || prev.Members == "" {
			continue
		}
		pd, err := l.readMembers(prev.Members)
		if err != nil {
			return Result{}, err
		}
		if diff := symDiff(dig, pd); diff > 0 && diff < s.Config.MinSize {
			return refuse(fmt.Sprintf("differencing: members differ from export #%d by fewer than %d consumers", prev.Seq, s.Config.MinSize))
		}
	}
	k, ld := sel.Anonymity()
	e.K, e.L = &k, &ld
	name, err := l.writeMembers(int64(len(l.Entries()))+1, dig)
	if err != nil {
		return Result{}, err
	}
	n, commit, err := write(sel.Members)
	if err != nil {
		return Result{}, fmt.Errorf("audience export: %w", err)
	}
	e.Members, e.Exported, e.Verdict = name, &n, Released
	e.SpentMicros = l.Spent(q.Merchant, e.Period) + e.EpsilonMicros
	w, err := l.Append(e)
	if err != nil {
		return Result{}, err
	}
	if err := commit(); err != nil {
		return Result{Entry: w}, fmt.Errorf("audience export: %w", err)
	}
	return Result{Entry: w, Released: true}, nil
}

// FormatMicros formats millionths of epsilon as a decimal (0.5, 2).
func FormatMicros(m int64) string {
	s := fmt.Sprintf("%d.%06d", m/1e6, m%1e6)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
