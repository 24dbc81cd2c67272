package blacklist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/configs"
)

// policyFile is configs/blacklist.yaml as written.
type policyFile struct {
	Admission struct {
		BlockSeverity string `yaml:"block_severity"`
		Reviews       int    `yaml:"reviews"`
		ReviewWindow  string `yaml:"review_window"`
	} `yaml:"admission"`
	Expiry struct {
		Default string            `yaml:"default"`
		Reasons map[string]string `yaml:"reasons"`
	} `yaml:"expiry"`
}

// Policy decides admission and expiry. It is immutable once parsed.
type Policy struct {
	blockSeverity int   // 0: block flags do not admit at once
	reviews       int   // 0: reviews do not admit
	window        int64 // ms
	expDefault    int64 // ms
	expReason     map[string]int64
}

// severityNames mirror rules.Severity (Low = 1 .. Critical = 4). They are
// repeated here rather than imported so that rules may one day read the
// blacklist without an import cycle.
var severityNames = []string{"low", "medium", "high", "critical"}

// SeverityName is the rules' name of a severity.
func SeverityName(s int) string {
	if s < 1 || s > len(severityNames) {
		return "unknown"
	}
	return severityNames[s-1]
}

var reasonCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// DefaultPolicy is the embedded configs/blacklist.yaml.
func DefaultPolicy() (*Policy, error) {
	p, err := ParsePolicy(configs.DefaultBlacklist)
	if err != nil {
		return nil, fmt.Errorf("configs/blacklist.yaml (embedded): %w", err)
	}
	return p, nil
}

// LoadPolicy reads and checks a policy file.
func LoadPolicy(path string) (*Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("blacklist policy: %w", err)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ParsePolicy loads a policy file (YAML, unknown keys refused), reporting
// every problem at once.
func ParsePolicy(b []byte) (*Policy, error) {
	var f policyFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("blacklist policy: %w", err)
	}
	p, err := f.compile()
	if err != nil {
		return nil, fmt.Errorf("blacklist policy: %w", err)
	}
	return p, nil
}

func (f *policyFile) compile() (*Policy, error) {
	var errs []error
	p := &Policy{reviews: f.Admission.Reviews, expReason: map[string]int64{}}
	if s := strings.TrimSpace(f.Admission.BlockSeverity); s != "none" {
		i := slices.Index(severityNames, s)
		if i < 0 {
			errs = append(errs, fmt.Errorf("admission.block_severity: want none or one of %s, got %q", strings.Join(severityNames, ", "), s))
		}
		p.blockSeverity = i + 1
	}
	if p.reviews < 0 {
		errs = append(errs, errors.New("admission.reviews: must be >= 0"))
	}
	if p.reviews > 0 {
		w, err := parseDuration(f.Admission.ReviewWindow)
		if err != nil {
			errs = append(errs, fmt.Errorf("admission.review_window: %w", err))
		}
		p.window = w
	} else if f.Admission.ReviewWindow != "" {
		errs = append(errs, errors.New("admission.review_window: set, but reviews is 0"))
	}
	if strings.TrimSpace(f.Admission.BlockSeverity) == "none" && p.reviews == 0 {
		errs = append(errs, errors.New("admission: block_severity none and reviews 0 admit nothing"))
	}
	d, err := parseDuration(f.Expiry.Default)
	if err != nil {
		errs = append(errs, fmt.Errorf("expiry.default: %w", err))
	}
	p.expDefault = d
	reasons := make([]string, 0, len(f.Expiry.Reasons))
	for r := range f.Expiry.Reasons {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons) // errors in a stable order
	for _, r := range reasons {
		if !reasonCode.MatchString(r) {
			errs = append(errs, fmt.Errorf("expiry.reasons: %q is not a reason code (A-Z, 0-9, _)", r))
		}
		d, err := parseDuration(f.Expiry.Reasons[r])
		if err != nil {
			errs = append(errs, fmt.Errorf("expiry.reasons.%s: %w", r, err))
		}
		p.expReason[r] = d
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// parseDuration reads "30d" or a Go duration; it must be positive.
func parseDuration(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("missing duration")
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.ParseInt(n, 10, 64)
		if err != nil || d <= 0 || d > 36500 {
			return 0, fmt.Errorf("want a positive number of days (at most 36500), got %q", s)
		}
		return d * 86_400_000, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Millisecond {
		return 0, fmt.Errorf("want a number of days (30d) or a positive duration (12h), got %q", s)
	}
	return d.Milliseconds(), nil
}

// BlockSeverity is the least severity at which a block flag admits at
// once; 0 when block flags admit only through reviews.
func (p *Policy) BlockSeverity() int { return p.blockSeverity }

// Reviews is how many flags from distinct events within ReviewWindow
// admit; 0 when reviews do not admit.
func (p *Policy) Reviews() int { return p.reviews }

// ReviewWindow is the span the review flags must fall in.
func (p *Policy) ReviewWindow() time.Duration { return time.Duration(p.window) * time.Millisecond }

// Expiry is how long an entry for reason stays in force.
func (p *Policy) Expiry(reason string) time.Duration {
	return time.Duration(p.expiry(reason)) * time.Millisecond
}

func (p *Policy) expiry(reason string) int64 {
	if d, ok := p.expReason[reason]; ok {
		return d
	}
	return p.expDefault
}

// Fingerprint changes whenever the policy changes (what it decides, not
// how the file spells it: 30d and 720h are the same policy).
func (p *Policy) Fingerprint() string {
	b, err := json.Marshal(struct {
		BlockSeverity int              `json:"block_severity"`
		Reviews       int              `json:"reviews"`
		WindowMS      int64            `json:"review_window_ms"`
		DefaultMS     int64            `json:"expiry_default_ms"`
		ReasonMS      map[string]int64 `json:"expiry_reasons_ms"` // json sorts map keys
	}{p.blockSeverity, p.reviews, p.window, p.expDefault, p.expReason})
	if err != nil {
		panic(err) // plain fields always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
