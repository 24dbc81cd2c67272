package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) statusCmd() *cobra.Command {
	var p paths
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show, per landing date and stage, whether it is up to date, due, waiting, failed, skipped or incomplete",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			r, err := a.runner(&p)
			if err != nil {
				return err
			}
			dates, err := r.LandingDates()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "date\tstage\tstate\twhy")
			for _, dt := range dates {
				for _, s := range r.Stages {
					state, why, err := r.Describe(s, dt)
					if err != nil {
						return err
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", dt.Format(time.DateOnly), s.Name(), state, oneLine(why))
				}
			}
			return tw.Flush()
		},
	}
	p.flags(cmd)
	return cmd
}
