package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/audit"
)

func (a *app) auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Check the re-identification audit log"}
	var logPath, keysDir string
	var asJSON bool
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's hash chain and head; fail naming the first bad entry",
		Long: `Check every entry of the audit log (canonical form, hash, seq without gaps, chain
to the entry before) and that the log ends where its head file says. Exits non-zero
naming the first bad line and seq. Compare the printed head with the copy shipped to
write-once storage to detect a log rewritten as a whole.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := audit.ResolvePath(logPath, keysDir)
			res, err := audit.Verify(path)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.stdout).Encode(res)
			}
			fmt.Fprintf(a.stdout, "%s: ok, %d entries, head %s\n", path, res.Entries, res.Head)
			return nil
		},
	}
	verify.Flags().StringVar(&logPath, "audit-log", "", "audit log (default $VEIL_AUDIT_LOG or <keys>/../audit/reidentify.jsonl)")
	verify.Flags().StringVar(&keysDir, "keys", "demo/keys", "keyset directory, for the default audit log path")
	verify.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(verify)
	return cmd
}
