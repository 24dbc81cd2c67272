package pipeline

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Config is the scheduler's configuration (configs/veil.yaml). Relative
// paths are relative to the working directory.
type Config struct {
	Landing   string `yaml:"landing"`
	Warehouse string `yaml:"warehouse"`
	Keys      string `yaml:"keys"`
	// KEK is the key-encryption key file; empty means $VEIL_KEK or
	// <keys>/kek.json.
	KEK string `yaml:"kek"`
	// Policy is the field policy file; empty means the embedded default
	// (configs/policy.yaml).
	Policy string `yaml:"policy"`
	// Tags is the tag file; empty means the embedded configs/tags.yaml.
	Tags string `yaml:"tags"`
	// Audience is the audience release policy; empty means the embedded
	// configs/audience.yaml.
	Audience string `yaml:"audience"`
	// Schedules maps a stage name to a standard five-field cron spec or a
	// descriptor such as @hourly, evaluated in UTC.
	Schedules map[string]string `yaml:"schedules"`
}

// LoadConfig reads and validates a config file.
func LoadConfig(path string, stages []string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(stages); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Validate reports every problem at once.
func (c *Config) Validate(stages []string) error {
	var errs []error
	for name, v := range map[string]string{"landing": c.Landing, "warehouse": c.Warehouse, "keys": c.Keys} {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s: path is required", name))
		}
	}
	known := map[string]bool{}
	for _, s := range stages {
		known[s] = true
		if _, ok := c.Schedules[s]; !ok {
			errs = append(errs, fmt.Errorf("schedules.%s: missing (every stage needs a schedule)", s))
		}
	}
	names := make([]string, 0, len(c.Schedules))
	for n := range c.Schedules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !known[n] {
			errs = append(errs, fmt.Errorf("schedules.%s: unknown stage", n))
			continue
		}
		if _, err := cron.ParseStandard(c.Schedules[n]); err != nil {
			errs = append(errs, fmt.Errorf("schedules.%s: %w", n, err))
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}
