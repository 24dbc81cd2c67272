package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/risk/features"
)

func (a *app) featuresCmd() *cobra.Command {
	var asJSON bool
	var match string
	cmd := &cobra.Command{
		Use:   "features",
		Short: "Print every risk feature with its entity, window, type and definition",
		Long: `Print the point-in-time risk features that risk_features and risk_training
carry, one per column, in column order: the entity it is aggregated over,
its window, its type and its definition. Every feature of an event is
computed from events strictly before it (equal timestamps never see each
other) and labels known before it; risk/features/defs.go is where each is
defined, once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var defs []features.Def
			for _, d := range features.Defs {
				if match == "" || strings.Contains(d.Name, match) {
					defs = append(defs, d)
				}
			}
			if asJSON {
				type out struct {
					Name, Entity, Window, Type, Definition string
				}
				rows := make([]out, len(defs))
				for i, d := range defs {
					rows[i] = out{d.Name, d.Entity.String(), d.Window, kindName(d.Kind), d.Doc}
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			fmt.Fprintf(a.stdout, "%d features (of %d) per scored event: %s\n", len(defs), len(features.Defs), strings.Join(features.ScoredTypes, ", "))
			fmt.Fprintln(a.stdout, "an event at t sees events with ts < t and labels with known_at < t; a window W is [t-W, t)")
			fmt.Fprintln(a.stdout)
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  FEATURE\tENTITY\tWINDOW\tTYPE\tDEFINITION")
			for _, d := range defs {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", d.Name, d.Entity, d.Window, kindName(d.Kind), d.Doc)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&match, "match", "", "only features whose name contains this")
	return cmd
}

func kindName(k features.Kind) string {
	if k == features.Int {
		return "int64"
	}
	return "float64"
}
