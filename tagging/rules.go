package tagging

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Rules are the tunable parts of the tag definitions. The zero value means
// the defaults (see DefaultRules); WithDefaults fills each field left zero,
// so a configuration file need only name what it changes.
//
//   - Weights: how much one event of a type adds to the affinity of the
//     event's category; types not listed add nothing. Defaults: view 1,
//     click 1, fav 3, cart 4, purchase 6.
//   - TopInterests: how many categories the interests tag lists, strongest
//     first, ties broken by category name. Default 3.
//   - DiscountMedium, DiscountHigh: lower bounds of the medium and high
//     discount-sensitivity bands, as the share of a consumer's purchases
//     that carried a coupon: low < DiscountMedium <= medium < DiscountHigh
//     <= high. Defaults 0.2 and 0.5.
//   - WindowDays: how many days of events_clean, ending with dt, the tags
//     are computed over. Default 30.
type Rules struct {
	Weights        map[string]int `yaml:"weights" json:"weights"`
	TopInterests   int            `yaml:"top_interests" json:"top_interests"`
	DiscountMedium float64        `yaml:"discount_medium" json:"discount_medium"`
	DiscountHigh   float64        `yaml:"discount_high" json:"discount_high"`
	WindowDays     int            `yaml:"window_days" json:"window_days"`
}

// maxWeight bounds a weight so that a consumer's affinity cannot overflow
// its 32-bit counter in any realistic window (4e9 / 1e4 = 400k events of
// one category).
const maxWeight = 10_000

// DefaultRules returns the default tag rules.
func DefaultRules() Rules {
	return Rules{
		Weights:        map[string]int{"view": 1, "click": 1, "fav": 3, "cart": 4, "purchase": 6},
		TopInterests:   3,
		DiscountMedium: 0.2,
		DiscountHigh:   0.5,
		WindowDays:     30,
	}
}

// WithDefaults returns r with every zero field replaced by its default. A
// nil Weights map takes the default weights; an empty non-nil map means
// no event counts towards interests.
func (r Rules) WithDefaults() Rules {
	d := DefaultRules()
	if r.Weights == nil {
		r.Weights = d.Weights
	}
	if r.TopInterests == 0 {
		r.TopInterests = d.TopInterests
	}
	if r.DiscountMedium == 0 {
		r.DiscountMedium = d.DiscountMedium
	}
	if r.DiscountHigh == 0 {
		r.DiscountHigh = d.DiscountHigh
	}
	if r.WindowDays == 0 {
		r.WindowDays = d.WindowDays
	}
	return r
}

// Validate reports every problem at once.
func (r Rules) Validate() error {
	var errs []error
	for _, t := range slices.Sorted(maps.Keys(r.Weights)) {
		w := r.Weights[t]
		if t == "" || strings.TrimSpace(t) != t {
			errs = append(errs, fmt.Errorf("weights: bad event type %q", t))
		}
		if w < 0 || w > maxWeight {
			errs = append(errs, fmt.Errorf("weights.%s: %d is outside [0, %d]", t, w, maxWeight))
		}
	}
	if r.TopInterests < 1 || r.TopInterests > 20 {
		errs = append(errs, fmt.Errorf("top_interests: %d is outside [1, 20]", r.TopInterests))
	}
	if !(r.DiscountMedium > 0 && r.DiscountMedium <= 1) {
		errs = append(errs, fmt.Errorf("discount_medium: %v is outside (0, 1]", r.DiscountMedium))
	}
	if !(r.DiscountHigh > 0 && r.DiscountHigh <= 1) {
		errs = append(errs, fmt.Errorf("discount_high: %v is outside (0, 1]", r.DiscountHigh))
	}
	if r.DiscountHigh < r.DiscountMedium {
		errs = append(errs, fmt.Errorf("discount_high: %v is below discount_medium %v", r.DiscountHigh, r.DiscountMedium))
	}
	if r.WindowDays < 1 || r.WindowDays > 366 {
		errs = append(errs, fmt.Errorf("window_days: %d is outside [1, 366]", r.WindowDays))
	}
	return errors.Join(errs...)
}

// band names the discount-sensitivity band of a coupon share.
func (r Rules) band(share float64) string {
	switch {
	case share >= r.DiscountHigh:
		return "high"
	case share >= r.DiscountMedium:
		return "medium"
	default:
		return "low"
	}
}

// describe is the Transforms entry of each output field.
func (r Rules) describe() map[string]string {
	var w []string
	for _, t := range slices.Sorted(maps.Keys(r.Weights)) {
		if r.Weights[t] > 0 {
			w = append(w, fmt.Sprintf("%s %d", t, r.Weights[t]))
		}
	}
	window := fmt.Sprintf("events_clean dt-%d..dt with ts <= as_of", r.WindowDays-1)
	return map[string]string{
		"user_token":           "grouping key, copied from events_clean",
		"as_of":                "end of dt (dt+1d-1ms UTC); " + window,
		"age_band":             "most recent non-null age_band",
		"country":              "most recent non-null country",
		"region":               "most recent non-null region",
		"interests":            fmt.Sprintf("top %d categories by affinity (%s), strongest first, ties by name; null if none", r.TopInterests, strings.Join(w, ", ")),
		"discount_sensitivity": fmt.Sprintf("share of purchases with a coupon_id: low < %v <= medium < %v <= high; null if no purchases", r.DiscountMedium, r.DiscountHigh),
		"events":               "count of events",
		"purchases":            "count of purchase events",
	}
}

// describeAudiences is the Transforms entry of each merchant_audiences
// field; invalid is the number of events whose merchant_id could not scope
// a token.
func (r Rules) describeAudiences(invalid int64) map[string]string {
	d := r.describe()
	delete(d, "user_token")
	d["merchant_id"] = fmt.Sprintf("copied from events_clean; one row per merchant_id and consumer with an event of that merchant; %d events with a merchant_id that cannot scope a token (empty, '/' or NUL) added none", invalid)
	d["customer_token"] = "one-way token (HMAC-SHA256 PRF) of user_token in field merchant/<merchant_id>/customer; no user_token is written"
	return d
}

// ConfigFingerprint identifies the effective rules, so that changing them
// makes the stage's outputs due (pipeline.Configured).
func (s Stage) ConfigFingerprint() string {
	b, _ := json.Marshal(s.Rules.WithDefaults()) // maps marshal in key order
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
