package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/ingest"
)

func (a *app) policyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Work with the field policy"}
	var p paths
	check := &cobra.Command{
		Use:   "check",
		Short: "Validate the field policy and print the effective policy",
		Long: `Validate the field policy against every feed's schema and dataset and
print what happens to each input field and where each output column comes
from. Without --policy (or a config naming one) the embedded default,
configs/policy.yaml, is checked. Exits non-zero on the first invalid file,
listing every problem, each naming its field.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			f, err := p.loadPolicy()
			if err != nil {
				return err
			}
			return printPolicy(a, f)
		},
	}
	check.Flags().StringVar(&p.config, "config", "", "config file whose policy: to check")
	check.Flags().StringVar(&p.policy, "policy", "", "field policy file (default: the embedded configs/policy.yaml)")
	methods := &cobra.Command{
		Use:   "methods",
		Short: "List the generalisation methods and their parameters",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			for _, m := range policy.MethodNames() {
				fmt.Fprintf(a.stdout, "%-14s %s\n", m, policy.MethodDoc(m))
			}
			return nil
		},
	}
	cmd.AddCommand(check, methods)
	return cmd
}

func printPolicy(a *app, f *policy.File) error {
	fmt.Fprintf(a.stdout, "policy %s: valid\n", f.Source)
	fmt.Fprintf(a.stdout, "landing files: %s\n", f.EffectiveFiles())
	for _, feed := range ingest.Feeds {
		c, err := f.Compile(feed)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "\nfeed %s (schema v%d) -> %s (v%d)\n", feed.Name, feed.Version, c.Dataset.Name, c.Dataset.Version)
		tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
		desc := c.Describe()
		fmt.Fprintln(tw, "  FIELD\tTREATMENT")
		for _, fd := range feed.Fields {
			fmt.Fprintf(tw, "  %s\t%s\n", fd.Name, desc[fd.Name])
		}
		fmt.Fprintf(tw, "  *\t%s\n", desc["*"])
		tw.Flush()
		fmt.Fprintln(a.stdout)
		tw = tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  COLUMN\tCLASS\tWRITTEN BY")
		for _, col := range c.Columns() {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", col[0], col[1], col[2])
		}
		tw.Flush()
		for _, ff := range c.Formats() {
			fmt.Fprintf(a.stdout, "  file format: %s\n", ff.Match)
		}
	}
	return nil
}
