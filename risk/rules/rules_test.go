package rules

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/veil-data/veil/risk/features"
)

// A testdata file holds a rule file and either the load errors it must
// give (every line, and no other) or cases: inputs with the rules they
// must fire, in file order. An input names variables as rules do; a
// feature left out is null.
type testFile struct {
	Rules  string   `yaml:"rules"`
	Errors []string `yaml:"errors"`
	Cases  []struct {
		Name  string         `yaml:"name"`
		Input map[string]any `yaml:"input"`
		Hits  []string       `yaml:"hits"`
	} `yaml:"cases"`
}

func TestTestdata(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var tf testFile
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dec := yaml.NewDecoder(bytes.NewReader(b))
			dec.KnownFields(true)
			if err := dec.Decode(&tf); err != nil {
				t.Fatal(err)
			}
			s, err := Parse([]byte(tf.Rules))
			if len(tf.Errors) > 0 {
				checkErrors(t, err, tf.Errors)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tf.Cases {
				in, err := inputOf(c.Input)
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				for range 2 { // the second pass is answered by the memo
					hits, err := s.Eval(in, nil)
					if err != nil {
						t.Fatalf("%s: %v", c.Name, err)
					}
					got := []string{}
					for _, h := range hits {
						got = append(got, h.Name)
					}
					if want := append([]string{}, c.Hits...); !slices.Equal(got, want) {
						t.Errorf("%s: hits %v, want %v", c.Name, got, want)
					}
				}
			}
		})
	}
}

// checkErrors wants one error line per expected substring, in order.
func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("loaded; want errors %q", want)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Errorf("%d errors, want %d:\n%s", len(lines), len(want), err)
	}
	for i, w := range want {
		if i < len(lines) && !strings.Contains(lines[i], w) {
			t.Errorf("error %d: %q does not contain %q", i, lines[i], w)
		}
	}
}

// inputOf builds an Input from variable names; features left out are null.
func inputOf(m map[string]any) (*Input, error) {
	in := &Input{Row: make(features.Row, len(features.Defs)), Score: math.NaN(), Cluster: Cluster{LOF: math.NaN()}}
	for i := range in.Row {
		in.Row[i] = features.Null
	}
	num := func(v any) (float64, error) {
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case float64:
			return x, nil
		}
		return 0, fmt.Errorf("%v is not a number", v)
	}
	for k, v := range m {
		var err error
		switch k {
		case "event_type":
			in.Type, _ = v.(string)
		case "model_score":
			in.Score, err = num(v)
		case "cluster_known":
			in.Cluster.Known, _ = v.(bool)
		case "lof_outlier":
			in.Cluster.Outlier, _ = v.(bool)
		case "cluster_label":
			in.Cluster.Label, _ = v.(int)
		case "cluster_members":
			in.Cluster.Size, _ = v.(int)
		case "lof_score":
			in.Cluster.LOF, err = num(v)
		default:
			i, ok := features.Index[k]
			if !ok {
				return nil, fmt.Errorf("input %s: not a variable", k)
			}
			in.Row[i], err = num(v)
		}
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", k, err)
		}
	}
	return in, nil
}

func TestDefault(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rules()) == 0 || !strings.HasPrefix(s.Fingerprint(), "sha256:") {
		t.Fatalf("%d rules, fingerprint %q", len(s.Rules()), s.Fingerprint())
	}
	for _, r := range s.Rules() {
		if len(r.Vars) == 0 || !slices.IsSorted(r.Vars) {
			t.Errorf("rule %s: vars %v, want some, sorted", r.Name, r.Vars)
		}
	}
	r := s.Rules()[0]
	if r.Name != "card_testing" || !slices.Equal(r.Vars, []string{"event_type", "user_cards_1h", "user_failed_payments_1h"}) {
		t.Errorf("first rule %s reads %v", r.Name, r.Vars)
	}
}

const oneRule = `rules:
  - name: a
    version: 1
    expr: amount > 1
    reason: R
    severity: low
    action: review
    entity: user
    doc: first words
`

// Every field that decides hits changes the fingerprint; the doc does not.
func TestFingerprint(t *testing.T) {
	fp := func(src string) string {
		t.Helper()
		s, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return s.Fingerprint()
	}
	base := fp(oneRule)
	if fp(oneRule) != base {
		t.Fatal("fingerprint is not deterministic")
	}
	if got := fp(strings.Replace(oneRule, "first words", "other words", 1)); got != base {
		t.Error("a doc change moved the fingerprint")
	}
	for _, ch := range [][2]string{
		{"name: a", "name: b"}, {"version: 1", "version: 2"}, {"amount > 1", "amount > 2"},
		{"reason: R", "reason: S"}, {"severity: low", "severity: high"}, {"action: review", "action: block"},
		{"entity: user", "entity: card"},
	} {
		if fp(strings.Replace(oneRule, ch[0], ch[1], 1)) == base {
			t.Errorf("%s -> %s kept the fingerprint", ch[0], ch[1])
		}
	}
}

// Concurrent Evals agree with a sequential one (run with -race).
func TestEvalConcurrent(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	inputs := benchInputs(200)
	want := make([][]Hit, len(inputs))
	for i, in := range inputs {
		if want[i], err = s.Eval(in, nil); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var hits []Hit
			for k := range 2000 {
				i := (k*7 + g) % len(inputs)
				var err error
				if hits, err = s.Eval(inputs[i], hits[:0]); err != nil {
					t.Error(err)
					return
				}
				if !slices.Equal(hits, want[i]) {
					t.Errorf("input %d: %v, want %v", i, hits, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	evals, hits := s.MemoStats()
	if evals[0] == 0 || hits[0] == 0 {
		t.Errorf("memo of the first rule: %d evaluations, %d hits", evals[0], hits[0])
	}
}

func TestEvalRowLength(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Eval(&Input{Row: features.Row{1}}, nil); err == nil {
		t.Error("a short row evaluated")
	}
}

// FuzzParse: a rule file never panics the loader, and what loads evaluates.
func FuzzParse(f *testing.F) {
	f.Add([]byte(oneRule))
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range files {
		var tf testFile
		if b, err := os.ReadFile(p); err == nil && yaml.Unmarshal(b, &tf) == nil {
			f.Add([]byte(tf.Rules))
		}
	}
	in, _ := inputOf(map[string]any{"event_type": "login", "amount": 5})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		if _, err := s.Eval(in, nil); err != nil && !strings.Contains(err.Error(), "rule ") {
			t.Errorf("error without its rule: %v", err)
		}
	})
}

// A rule over near-unique values fills its memo, then stops using it; the
// answers stay right.
func TestMemoBypass(t *testing.T) {
	s, err := Parse([]byte(oneRule))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := inputOf(map[string]any{})
	c := s.compiled[0]
	for i := range maxMemo + 10 {
		in.Row[features.FAmount] = float64(i) / 2
		hits, err := s.Eval(in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := float64(i)/2 > 1; (len(hits) == 1) != want {
			t.Fatalf("amount %g: hits %v", float64(i)/2, hits)
		}
	}
	if !c.bypass.Load() || len(c.memo) != maxMemo {
		t.Errorf("memo %d entries, bypass %v; want %d, true", len(c.memo), c.bypass.Load(), maxMemo)
	}
}
