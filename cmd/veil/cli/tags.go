package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/tagging"
)

func (a *app) tagsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tags", Short: "Work with the tag file"}
	var p paths
	check := &cobra.Command{
		Use:   "check",
		Short: "Type-check the tag file; print each tag's type and the aggregates it reads",
		Long: `Type-check the tag file (CEL expressions over veil's aggregates) and print
every tag with its scope, type and the aggregates it reads, then every
aggregate an expression may use. Without --tags (or a config naming one)
the embedded default, configs/tags.yaml, is checked. A bad file is refused
with every problem, each naming its tag.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			spec, err := p.loadTags()
			if err != nil {
				return err
			}
			printTags(a, spec)
			return nil
		},
	}
	check.Flags().StringVar(&p.config, "config", "", "config file whose tags: to check")
	check.Flags().StringVar(&p.tags, "tags", "", "tag file (default: the embedded configs/tags.yaml)")
	cmd.AddCommand(check)
	return cmd
}

func printTags(a *app, s *tagging.Spec) {
	fmt.Fprintf(a.stdout, "tags %s: valid (window %d days, fingerprint %s)\n\n", s.Source, s.WindowDays, s.Fingerprint())
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  TAG\tSCOPE\tTYPE\tREADS")
	for _, t := range s.Tags() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Name, t.Scope, t.Type(), strings.Join(t.Uses(), ", "))
	}
	tw.Flush()
	fmt.Fprintln(a.stdout, "\naggregates (CEL variables of tag expressions):")
	tw = tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tSCOPE\tTYPE\tMEANING")
	for _, ag := range tagging.Aggregates() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", ag.Name, ag.Scope, ag.Type, ag.Doc)
	}
	tw.Flush()
}
