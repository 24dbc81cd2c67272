package audience

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/audience/dp"
	"github.com/veil-data/veil/configs"
	"github.com/veil-data/veil/tagging"
)

// Config is the release policy (configs/audience.yaml).
type Config struct {
	Version          int      `yaml:"version"`
	MinSize          int64    `yaml:"min_size"`
	EpsilonPerQuery  string   `yaml:"epsilon_per_query"`
	Budget           Budget   `yaml:"budget"`
	QuasiIdentifiers []string `yaml:"quasi_identifiers"`
	Sensitive        string   `yaml:"sensitive"`
	PlatformReach    []string `yaml:"platform_reach"`

	eps, budget dp.Epsilon
}

// Budget is a merchant's privacy budget per period.
type Budget struct {
	Epsilon string `yaml:"epsilon"`
	Period  string `yaml:"period"` // day, week or month (UTC)
}

// DefaultConfig parses the embedded configs/audience.yaml against spec.
func DefaultConfig(spec *tagging.Spec) (*Config, error) {
	return ParseConfig(configs.DefaultAudience, "configs/audience.yaml (embedded)", spec)
}

// LoadConfig reads a release policy and checks it against spec's tags.
func LoadConfig(path string, spec *tagging.Spec) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audience config: %w", err)
	}
	return ParseConfig(b, path, spec)
}

// ParseConfig decodes (unknown keys are errors) and validates a release
// policy, reporting every problem at once.
func ParseConfig(b []byte, source string, spec *tagging.Spec) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("audience config %s: %w", source, err)
	}
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("audience config %s: "+format, append([]any{source}, a...)...))
	}
	if c.Version != 1 {
		bad("version: %d is not supported (want 1)", c.Version)
	}
	if c.MinSize < 2 {
		bad("min_size: %d is below 2", c.MinSize)
	}
	var err error
	if c.eps, err = dp.ParseEpsilon(c.EpsilonPerQuery); err != nil {
		bad("epsilon_per_query: %v", err)
	}
	if c.budget, err = dp.ParseEpsilon(c.Budget.Epsilon); err != nil {
		bad("budget.epsilon: %v", err)
	}
	if err == nil && c.eps.Micros() > c.budget.Micros() {
		bad("epsilon_per_query %s exceeds budget.epsilon %s", c.EpsilonPerQuery, c.Budget.Epsilon)
	}
	switch c.Budget.Period {
	case "day", "week", "month":
	default:
		bad("budget.period: %q is not day, week or month", c.Budget.Period)
	}
	consumer := map[string]string{}
	for _, t := range spec.Consumer {
		consumer[t.Name] = t.Type()
	}
	if len(c.QuasiIdentifiers) == 0 {
		bad("quasi_identifiers: none (k-anonymity needs at least one tag)")
	}
	for _, q := range c.QuasiIdentifiers {
		if _, ok := consumer[q]; !ok {
			bad("quasi_identifiers: %q is not a consumer tag of %s", q, spec.Source)
		}
	}
	if c.Sensitive != "" {
		if _, ok := consumer[c.Sensitive]; !ok {
			bad("sensitive: %q is not a consumer tag of %s", c.Sensitive, spec.Source)
		} else if slices.Contains(c.QuasiIdentifiers, c.Sensitive) {
			bad("sensitive: %q is also a quasi-identifier", c.Sensitive)
		}
	}
	for _, m := range c.PlatformReach {
		if !tagging.ValidMerchantID(m) {
			bad("platform_reach: %q is not a merchant id", m)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &c, nil
}

// Epsilon is the cost of one size query.
func (c *Config) Epsilon() dp.Epsilon { return c.eps }

// BudgetEpsilon is a merchant's budget per period.
func (c *Config) BudgetEpsilon() dp.Epsilon { return c.budget }

// Reach reports whether merchant may reach every consumer.
func (c *Config) Reach(merchant string) bool { return slices.Contains(c.PlatformReach, merchant) }

// Period names the budget period t falls in: 2026-12-06, 2026-W49 or
// 2026-12.
func (c *Config) Period(t time.Time) string {
	t = t.UTC()
	switch c.Budget.Period {
	case "day":
		return t.Format(time.DateOnly)
	case "week":
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	default:
		return t.Format("2006-01")
	}
}
