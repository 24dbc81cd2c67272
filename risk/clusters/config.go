package clusters

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/configs"
	"github.com/veil-data/veil/risk/outlier"
	"github.com/veil-data/veil/schemas"
)

// Config is configs/clusters.yaml: which risk_entities columns make a
// user's behaviour vector and the DBSCAN and LOF parameters.
type Config struct {
	Features []string `yaml:"features"`
	DBSCAN   struct {
		Eps        float64 `yaml:"eps"`
		MinSamples int     `yaml:"min_samples"`
	} `yaml:"dbscan"`
	LOF struct {
		NNeighbors int `yaml:"n_neighbors"`
		// Contamination is "auto" or a fraction in (0, 0.5].
		Contamination string `yaml:"contamination"`
	} `yaml:"lof"`
	SmallCluster int `yaml:"small_cluster"`
	MinUsers     int `yaml:"min_users"`

	contamination float64 // parsed: 0 is auto
}

// Params is what a run used, recorded in the manifest's stats.
type Params struct {
	Features      []string `json:"features"`
	Eps           float64  `json:"dbscan_eps"`
	MinSamples    int      `json:"dbscan_min_samples"`
	NNeighbors    int      `json:"lof_n_neighbors"`
	Contamination string   `json:"lof_contamination"`
	SmallCluster  int      `json:"small_cluster"`
	MinUsers      int      `json:"min_users"`
	Standardized  bool     `json:"standardized"`
}

func (c *Config) params() Params {
	return Params{Features: c.Features, Eps: c.DBSCAN.Eps, MinSamples: c.DBSCAN.MinSamples,
		NNeighbors: c.LOF.NNeighbors, Contamination: c.LOF.Contamination,
		SmallCluster: c.SmallCluster, MinUsers: c.MinUsers, Standardized: true}
}

func (c *Config) dbscan() outlier.DBSCANParams {
	return outlier.DBSCANParams{Eps: c.DBSCAN.Eps, MinSamples: c.DBSCAN.MinSamples}
}

func (c *Config) lof() outlier.LOFParams {
	return outlier.LOFParams{NNeighbors: c.LOF.NNeighbors, Contamination: c.contamination}
}

// DefaultConfig is the embedded configs/clusters.yaml, parsed once.
var DefaultConfig = sync.OnceValue(func() *Config {
	c, err := ParseConfig(configs.DefaultClusters, "configs/clusters.yaml (embedded)")
	if err != nil {
		panic(err) // a test keeps the embedded file valid
	}
	return c
})

// Fingerprint identifies what the configuration makes the stage compute:
// a change makes risk_clusters partitions due again.
func (c *Config) Fingerprint() string {
	b, err := json.Marshal(c.params())
	if err != nil {
		panic(err) // plain fields always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// LoadConfig reads and checks a clusters file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("clusters: %w", err)
	}
	return ParseConfig(b, path)
}

// ParseConfig decodes (unknown keys are errors) and checks a clusters
// file, reporting every problem at once.
func ParseConfig(b []byte, source string) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("clusters %s: %w", source, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("clusters %s: %w", source, err)
	}
	return &c, nil
}

// Validate checks the features against risk_entities' columns and the
// parameters against what scikit-learn accepts.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Features) == 0 {
		errs = append(errs, errors.New("features: name at least one risk_entities column"))
	}
	seen := map[string]bool{}
	for _, f := range c.Features {
		if seen[f] {
			errs = append(errs, fmt.Errorf("features: %s named twice", f))
		}
		seen[f] = true
		if err := numericColumn(f); err != nil {
			errs = append(errs, fmt.Errorf("features: %w", err))
		}
	}
	if !(c.DBSCAN.Eps > 0) || math.IsInf(c.DBSCAN.Eps, 0) {
		errs = append(errs, errors.New("dbscan.eps: must be a positive number"))
	}
	if c.DBSCAN.MinSamples < 1 {
		errs = append(errs, errors.New("dbscan.min_samples: must be >= 1"))
	}
	if c.LOF.NNeighbors < 1 {
		errs = append(errs, errors.New("lof.n_neighbors: must be >= 1"))
	}
	switch s := strings.TrimSpace(c.LOF.Contamination); {
	case s == "" || s == "auto":
		c.LOF.Contamination, c.contamination = "auto", 0
	default:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && v <= 0.5) {
			errs = append(errs, fmt.Errorf("lof.contamination: want auto or a fraction in (0, 0.5], got %q", s))
		}
		c.contamination = v
	}
	if c.SmallCluster < 1 {
		errs = append(errs, errors.New("small_cluster: must be >= 1"))
	}
	if c.MinUsers < 2 {
		errs = append(errs, errors.New("min_users: must be >= 2"))
	}
	return errors.Join(errs...)
}

// numericColumn checks that name is an int64 or float64 column of
// risk_entities: keys and timestamps are not behaviour.
func numericColumn(name string) error {
	idx := schemas.RiskEntities.Schema.FieldIndices(name)
	if len(idx) == 0 {
		return fmt.Errorf("%s is not a column of %s", name, schemas.RiskEntities.Name)
	}
	switch schemas.RiskEntities.Schema.Field(idx[0]).Type.ID() {
	case arrow.INT64, arrow.FLOAT64:
		return nil
	}
	return fmt.Errorf("%s is not a numeric column of %s", name, schemas.RiskEntities.Name)
}
