package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/synth"
)

// defaultStart is the generator's first day when none is given: fixed, so
// the same seed gives the same bytes on any day.
const defaultStart = "2026-11-19"

func (a *app) genCmd() *cobra.Command {
	var cfg synth.Config
	var start string
	cmd := &cobra.Command{
		Use:   "gen --out DIR --days N --events N --seed S",
		Short: "Generate realistic landing data with injected fraud and ground truth",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "out"); err != nil {
				return err
			}
			s, err := parseDate("start", start)
			if err != nil {
				return err
			}
			cfg.Start = s
			t0 := time.Now()
			sum, err := synth.Generate(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "generated %d events and %d chat messages over %d day(s) in %s (%.1fs)\n",
				sum.Events, sum.Chats, cfg.Days, cfg.Out, time.Since(t0).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Out, "out", "", "output root: writes OUT/landing and OUT/truth")
	f.IntVar(&cfg.Days, "days", 1, "number of days")
	f.IntVar(&cfg.Events, "events", 100000, "total events across all days")
	f.Int64Var(&cfg.Seed, "seed", 1, "random seed; the same seed gives the same bytes")
	f.StringVar(&start, "start", defaultStart, "first day, YYYY-MM-DD")
	f.BoolVar(&cfg.Gzip, "gzip", false, "write events as .jsonl.gz")
	return cmd
}
