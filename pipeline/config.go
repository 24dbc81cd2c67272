package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

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
	// Clusters is the risk_clusters features and parameters; empty means
	// the embedded configs/clusters.yaml.
	Clusters string `yaml:"clusters"`
	// Rules is the risk rule file; empty means the embedded
	// configs/rules.yaml.
	Rules string `yaml:"rules"`
	// Blacklist is the blacklist admission and expiry policy; empty means
	// the embedded configs/blacklist.yaml.
	Blacklist string `yaml:"blacklist"`
	// Schedules maps a stage name to a standard five-field cron spec or a
	// descriptor such as @hourly, evaluated in UTC.
	Schedules map[string]string `yaml:"schedules"`
	// MetricsAddr is where `veil run` serves /metrics (host:port); empty
	// serves none. The --metrics-addr flag overrides it.
	MetricsAddr string `yaml:"metrics_addr"`
	// Pushgateway is the Prometheus Pushgateway URL that one-shot commands
	// (once, backfill) push their metrics to; empty pushes nothing. The
	// --pushgateway flag overrides it.
	Pushgateway string `yaml:"pushgateway"`
}

// LoadConfig reads and validates a config file.
func LoadConfig(path string, stages []string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(stages); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// unknownKey matches yaml's message for a key the struct lacks.
var unknownKey = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)

// ParseConfig decodes a config without validating it. Unknown keys are
// errors naming the key and its line, so that a misspelt key (schedual:)
// is not silently ignored.
func ParseConfig(b []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, err
		}
		errs := make([]error, len(te.Errors))
		for i, e := range te.Errors {
			if m := unknownKey.FindStringSubmatch(e); m != nil {
				e = fmt.Sprintf("line %s: unknown key %q", m[1], m[2])
			}
			errs[i] = errors.New(e)
		}
		return nil, errors.Join(errs...)
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
	errs = append(errs, pathProblems(c.Landing, c.Warehouse, c.Keys)...)
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

// CheckPaths refuses a warehouse inside the landing zone or the keys
// folder, a landing zone or keys folder inside the warehouse, and any two
// of them the same: veil would write pseudonymous data among raw PII (and
// read its own outputs as landing), or publish keys with the data. Paths
// are compared absolute and cleaned, with symlinks resolved as far as the
// path exists. Empty paths are not checked.
func CheckPaths(landing, warehouse, keys string) error {
	return errors.Join(pathProblems(landing, warehouse, keys)...)
}

func pathProblems(landing, warehouse, keys string) []error {
	type role struct{ name, path, abs string }
	roles := map[string]*role{}
	for _, r := range []role{{name: "landing", path: landing}, {name: "warehouse", path: warehouse}, {name: "keys", path: keys}} {
		if r.path == "" {
			continue
		}
		abs, err := resolvePath(r.path)
		if err != nil {
			return []error{fmt.Errorf("%s: %w", r.name, err)}
		}
		r.abs = abs
		roles[r.name] = &r
	}
	why := map[string]string{
		"landing":   "veil would write pseudonymous data into the raw landing zone",
		"keys":      "veil would write data beside the keys",
		"warehouse": "veil would publish raw data or keys with the warehouse",
	}
	var errs []error
	same := map[string]bool{}
	for _, p := range [][2]string{{"warehouse", "landing"}, {"warehouse", "keys"}, {"landing", "warehouse"}, {"keys", "warehouse"}} {
		in, out := roles[p[0]], roles[p[1]]
		if in == nil || out == nil || !within(in.abs, out.abs) {
			continue
		}
		if in.abs == out.abs {
			pair := min(p[0], p[1]) + "+" + max(p[0], p[1])
			if !same[pair] {
				same[pair] = true
				errs = append(errs, fmt.Errorf("%s %s and %s %s are the same directory: they must be apart", in.name, in.path, out.name, out.path))
			}
			continue
		}
		errs = append(errs, fmt.Errorf("%s %s is inside %s %s: %s", in.name, in.path, out.name, out.path, why[out.name]))
	}
	return errs
}

// resolvePath makes p absolute and clean and resolves symlinks in the
// longest prefix of it that exists.
func resolvePath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest), nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
