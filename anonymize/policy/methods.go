package policy

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/schemas"
)

// method is a compiled generalisation: its parameters are checked once,
// at load, and it runs per record.
type method struct {
	name     string
	out      arrow.Type
	describe string
	// external: the stage applies it (chat redaction works a whole
	// conversation at a time).
	external bool
	str      func(v string, r *Record) (string, error)
	ts       func(v string, r *Record) (int64, error)
}

// methodSpec builds a method from its parameters for a field.
type methodSpec struct {
	doc    string
	kinds  []schemas.Kind // field kinds it accepts
	params []string
	build  func(in schemas.Input, fd schemas.Field, p params) (*method, error)
}

// Methods lists the generalisation methods by name.
var methods = map[string]methodSpec{
	"age_band": {
		doc:    "age band from a birth date (as of the event time) or an age in years; params: edges (ascending ages, default 18,25,35,45,55,65)",
		kinds:  []schemas.Kind{schemas.Date, schemas.Number},
		params: []string{"edges"},
		build: func(_ schemas.Input, fd schemas.Field, p params) (*method, error) {
			edges, err := p.ints("edges", []int{18, 25, 35, 45, 55, 65})
			if err != nil {
				return nil, err
			}
			b, err := anonymize.NewAgeBander(edges)
			if err != nil {
				return nil, err
			}
			m := &method{out: arrow.STRING, describe: fmt.Sprintf("age_band(edges %v)", edges)}
			if fd.Kind == schemas.Date {
				m.str = func(v string, r *Record) (string, error) { return b.FromBirthDate(v, r.TS) }
			} else {
				m.str = func(v string, _ *Record) (string, error) {
					f, err := strconv.ParseFloat(v, 64)
					if err != nil || f != math.Trunc(f) || f < 0 || f > 150 {
						return "", errors.New("not an age in whole years")
					}
					return b.FromAge(int(f))
				}
			}
			return m, nil
		},
	},
	"ip_prefix": {
		doc:    "network prefix of an IP address; params: ipv4_bits (default 24), ipv6_bits (default 48)",
		kinds:  []schemas.Kind{schemas.String},
		params: []string{"ipv4_bits", "ipv6_bits"},
		build: func(_ schemas.Input, _ schemas.Field, p params) (*method, error) {
			v4, err := p.int("ipv4_bits", 24)
			if err != nil {
				return nil, err
			}
			v6, err := p.int("ipv6_bits", 48)
			if err != nil {
				return nil, err
			}
			if v4 < 0 || v4 > 32 || v6 < 0 || v6 > 128 {
				return nil, errors.New("ipv4_bits must be 0-32 and ipv6_bits 0-128")
			}
			return &method{out: arrow.STRING, describe: fmt.Sprintf("ip_prefix(/%d IPv4, /%d IPv6)", v4, v6),
				str: func(v string, _ *Record) (string, error) { return anonymize.IPPrefix(v, v4, v6) }}, nil
		},
	},
	"ip_country": {
		doc:   "country (ISO 3166-1 alpha-2) of an IP address from the embedded geolocation database; empty when unknown",
		kinds: []schemas.Kind{schemas.String},
		build: func(schemas.Input, schemas.Field, params) (*method, error) {
			return &method{out: arrow.STRING, describe: "ip_country", str: func(v string, _ *Record) (string, error) { return anonymize.IPCountry(v) }}, nil
		},
	},
	"address": {
		doc:    "address reduced to a level (country, province, city), English or Chinese; params: level (default province), country_field (default country)",
		kinds:  []schemas.Kind{schemas.String},
		params: []string{"level", "country_field"},
		build: func(in schemas.Input, _ schemas.Field, p params) (*method, error) {
			level, err := p.str("level", "province")
			if err != nil {
				return nil, err
			}
			g, err := anonymize.NewAddressGeneraliser(level)
			if err != nil {
				return nil, err
			}
			cf, err := p.str("country_field", "country")
			if err != nil {
				return nil, err
			}
			if _, ok := in.Field(cf); !ok {
				return nil, fmt.Errorf("country_field %q is not a field of the feed", cf)
			}
			m := &method{out: arrow.STRING, describe: fmt.Sprintf("address(level %s)", level)}
			m.str = func(v string, r *Record) (string, error) {
				return g.Generalise(v, r.Value(cf)), nil
			}
			return m, nil
		},
	},
	"truncate_time": {
		doc:    "timestamp truncated to a unit; params: unit (second, minute, hour, day)",
		kinds:  []schemas.Kind{schemas.Timestamp},
		params: []string{"unit"},
		build: func(_ schemas.Input, _ schemas.Field, p params) (*method, error) {
			unit, err := p.str("unit", "")
			if err != nil {
				return nil, err
			}
			tr, err := anonymize.NewTimeTruncator(unit)
			if err != nil {
				return nil, err
			}
			return &method{out: arrow.TIMESTAMP, describe: "truncate_time(" + unit + ")",
				ts: func(v string, _ *Record) (int64, error) {
					t, err := time.Parse(time.RFC3339Nano, v)
					if err != nil {
						return 0, errors.New("not an RFC 3339 time")
					}
					return tr.Truncate(t).UnixMilli(), nil
				}}, nil
		},
	},
	"amount_bucket": {
		doc:    "amount replaced by its bucket; params: edges (ascending)",
		kinds:  []schemas.Kind{schemas.Number},
		params: []string{"edges"},
		build: func(_ schemas.Input, _ schemas.Field, p params) (*method, error) {
			edges, err := p.floats("edges")
			if err != nil {
				return nil, err
			}
			b, err := anonymize.NewAmountBuckets(edges)
			if err != nil {
				return nil, err
			}
			return &method{out: arrow.STRING, describe: fmt.Sprintf("amount_bucket(edges %v)", edges),
				str: func(v string, _ *Record) (string, error) {
					f, err := strconv.ParseFloat(v, 64)
					if err != nil {
						return "", errors.New("not a number")
					}
					return b.Bucket(f), nil
				}}, nil
		},
	},
	"redact_pii": {
		doc:   "free text with PII replaced by typed placeholders, consistent within a conversation (applied by the chats stage)",
		kinds: []schemas.Kind{schemas.String},
		build: func(schemas.Input, schemas.Field, params) (*method, error) {
			return &method{out: arrow.STRING, describe: "redact_pii", external: true}, nil
		},
	},
}

// MethodNames returns the generalisation methods, sorted.
func MethodNames() []string {
	var n []string
	for k := range methods {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// MethodDoc describes a method and its parameters.
func MethodDoc(name string) string { return methods[name].doc }

func newMethod(name string, in schemas.Input, fd schemas.Field, raw map[string]any) (*method, error) {
	spec, ok := methods[name]
	if !ok {
		if name == "" {
			return nil, fmt.Errorf("generalize needs a method (one of %s)", strings.Join(MethodNames(), ", "))
		}
		return nil, fmt.Errorf("unknown method %q (want one of %s)", name, strings.Join(MethodNames(), ", "))
	}
	if !slices.Contains(spec.kinds, fd.Kind) {
		return nil, fmt.Errorf("method %s does not apply to a %s field", name, fd.Kind)
	}
	for k := range raw {
		if !slices.Contains(spec.params, k) {
			return nil, fmt.Errorf("method %s: unknown parameter %q", name, k)
		}
	}
	m, err := spec.build(in, fd, params(raw))
	if err != nil {
		return nil, fmt.Errorf("method %s: %w", name, err)
	}
	m.name = name
	return m, nil
}

// params reads typed parameters out of YAML values.
type params map[string]any

func (p params) int(name string, def int) (int, error) {
	v, ok := p[name]
	if !ok {
		return def, nil
	}
	n, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("parameter %s must be an integer", name)
	}
	return n, nil
}

func (p params) str(name, def string) (string, error) {
	v, ok := p[name]
	if !ok {
		if def == "" {
			return "", fmt.Errorf("parameter %s is required", name)
		}
		return def, nil
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("parameter %s must be a non-empty string", name)
	}
	return s, nil
}

func (p params) ints(name string, def []int) ([]int, error) {
	v, ok := p[name]
	if !ok {
		return def, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("parameter %s must be a list of integers", name)
	}
	out := make([]int, len(list))
	for i, e := range list {
		n, ok := e.(int)
		if !ok {
			return nil, fmt.Errorf("parameter %s must be a list of integers", name)
		}
		out[i] = n
	}
	return out, nil
}

func (p params) floats(name string) ([]float64, error) {
	v, ok := p[name]
	if !ok {
		return nil, fmt.Errorf("parameter %s is required", name)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("parameter %s must be a list of numbers", name)
	}
	out := make([]float64, len(list))
	for i, e := range list {
		switch n := e.(type) {
		case int:
			out[i] = float64(n)
		case float64:
			out[i] = n
		default:
			return nil, fmt.Errorf("parameter %s must be a list of numbers", name)
		}
	}
	return out, nil
}
