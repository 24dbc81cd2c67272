package cli

import (
	"context"

	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/risklist"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/sinks"
)

// riskParts are what the risk-list and review stages read beside the
// warehouse: the rules, the blacklist policy, the model registry and the
// appeals decision log.
type riskParts struct {
	rules  *rules.Set
	policy *blacklist.Policy
	models string
	lifts  func(ctx context.Context, asOf int64) ([]blacklist.Lift, error)
	cases  func(ctx context.Context, asOf int64) ([]appeals.Case, error)
}

// loadRules reads the rule file (or the embedded default).
func (p *paths) loadRules() (*rules.Set, error) { return loadRules(p.rules) }

// loadBlacklistPolicy reads the blacklist policy (or the embedded default).
func (p *paths) loadBlacklistPolicy() (*blacklist.Policy, error) {
	return loadBlacklistPolicy(p.blacklist)
}

func (a *app) riskParts(p *paths, wh *sinks.Warehouse) (riskParts, error) {
	rs, err := p.loadRules()
	if err != nil {
		return riskParts{}, err
	}
	pol, err := p.loadBlacklistPolicy()
	if err != nil {
		return riskParts{}, err
	}
	return riskParts{
		rules: rs, policy: pol, models: risklist.ModelsDir(wh),
		lifts: func(_ context.Context, asOf int64) ([]blacklist.Lift, error) { return loadLifts(p, asOf) },
		cases: func(ctx context.Context, asOf int64) ([]appeals.Case, error) { return loadCases(ctx, p, wh, asOf) },
	}, nil
}
