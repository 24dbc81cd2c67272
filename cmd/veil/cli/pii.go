package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/pii/pieval"
)

func (a *app) piiCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pii",
		Short: "Chat PII detection tools",
	}
	cmd.AddCommand(a.piiEvalCmd())
	return cmd
}

// piiEvalOptions are the flags of veil pii eval.
type piiEvalOptions struct {
	gold, split  string
	show         int
	raw, json    bool
	minRecall    string
	minPrecision float64
}

func (a *app) piiEvalCmd() *cobra.Command {
	var o piiEvalOptions
	cmd := &cobra.Command{
		Use:   "eval --gold F",
		Short: "Score the chat PII detectors on a labelled file (presidio-research or CLUENER format)",
		Long: `Run the chat PII detectors over a labelled file and print, per type, the gold
spans, those found (at least half their characters redacted by any detection),
those found by a detection of their own type, and recall; then character
precision: redacted characters inside any gold span over all redacted
characters (whitespace not counted). Gold labels veil does not score (GPE,
ORGANIZATION, DATE_TIME …) still count as personal data for precision.

The format is detected: a JSON list of {full_text, spans} (presidio-research,
end exclusive) or JSON lines of {text, label} (CLUENER, end inclusive).
--split heldout keeps the texts whose FNV-1a 64 hash is 0 mod 5, the fifth
that models are not trained on.

Corpus text is printed only with --show, and there every labelled or detected
value is replaced by its label and the example by its shape, unless --raw.
With --min-recall or --min-precision, a missed floor exits with status 1.`,
		Example: `  veil pii eval --gold ../shared/data/real/presidio-research/synth_dataset_v2.json --split heldout
  veil pii eval --gold train.json --min-recall PERSON=0.8,*=0.95 --min-precision 0.95 --show 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "gold"); err != nil {
				return err
			}
			return a.piiEval(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.gold, "gold", "", "labelled file, presidio-research or CLUENER format")
	f.StringVar(&o.split, "split", "all", "records to score: all, train or heldout (FNV-1a 64 of the text, heldout = 0 mod 5)")
	f.IntVar(&o.show, "show", 0, "print up to N misses per type and strays per detected type (corpus text, values masked)")
	f.BoolVar(&o.raw, "raw", false, "with --show, print the missed or stray value itself instead of its shape")
	f.BoolVar(&o.json, "json", false, "print the result as JSON")
	f.StringVar(&o.minRecall, "min-recall", "", "recall floors, TYPE=X,... (* = every other scored type); exit 1 when one is missed")
	f.Float64Var(&o.minPrecision, "min-precision", 0, "character precision floor; exit 1 when missed")
	return cmd
}

func (a *app) piiEval(o piiEvalOptions) error {
	split, err := pieval.ParseSplit(o.split)
	if err != nil {
		return fmt.Errorf("--split: %w", err)
	}
	floors, err := parseFloors(o.minRecall)
	if err != nil {
		return fmt.Errorf("--min-recall: %w", err)
	}
	c, err := pieval.ReadFile(o.gold)
	if err != nil {
		return err
	}
	res := pieval.Evaluate(c.Select(split), nil, pieval.Options{Show: o.show, Raw: o.raw})
	if o.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("pii eval: %w", err)
		}
	} else {
		fmt.Fprintf(a.stdout, "%s (%s format), split %s: %d of %d records", o.gold, c.Format, split, res.Records, len(c.Records))
		if c.Relocated+c.Dropped > 0 {
			fmt.Fprintf(a.stdout, "; %d labels moved to where their value stands, %d dropped (offsets off)", c.Relocated, c.Dropped)
		}
		fmt.Fprint(a.stdout, "\n\n")
		res.WriteTable(a.stdout)
	}
	if fails := res.Check(floors, o.minPrecision); len(fails) > 0 {
		return errors.New("pii eval: " + strings.Join(fails, "; "))
	}
	return nil
}

// parseFloors reads "PERSON=0.9,ADDRESS=0.6,*=0.95".
func parseFloors(s string) (map[string]float64, error) {
	floors := map[string]float64{}
	if strings.TrimSpace(s) == "" {
		return floors, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		name, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%q: want TYPE=X", part)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 1 {
			return nil, fmt.Errorf("%q: want a number from 0 to 1", part)
		}
		floors[strings.ToUpper(name)] = x
	}
	return floors, nil
}
