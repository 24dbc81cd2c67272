package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/audit"
	"github.com/veil-data/veil/reporting"
	"github.com/veil-data/veil/sinks"
)

// auditVerifyResult is what veil audit verify --json prints.
type auditVerifyResult struct {
	audit.Result
	ReportsChecked int `json:"reports_checked,omitempty"`
}

func (a *app) auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Check the re-identification audit log"}
	var logPath, keysDir, reidKEK, warehouse string
	var asJSON bool
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's MACs, chain, head and anchor; fail naming the first bad entry",
		Long: `Check every entry of the audit log (canonical form, MAC under the audit key, seq
without gaps, chain to the entry before), that the log ends where its head file
and its anchor (<keys>/audit-anchor.json) say, and, with --warehouse, that it
holds every entry each day's report recorded. Needs the re-identification
key-encryption key, under which the audit key is. Exits non-zero naming the first
bad line and seq. Entries of the first, unkeyed format are reported as legacy.
Compare the anchor with the copy shipped to write-once storage to detect a log
rewritten by a holder of the key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rk, err := keys.LoadKEK(keys.ResolveReidentifyKEKPath(reidKEK, keysDir))
			if err != nil {
				return fmt.Errorf("audit verify: the audit key is under the re-identification key-encryption key: %w", err)
			}
			key, err := keys.OpenAuditKey(cmd.Context(), keysDir, rk)
			if err != nil {
				return err
			}
			l := audit.Log{Path: audit.ResolvePath(logPath, keysDir), Anchor: audit.AnchorPath(keysDir), Key: key}
			entries, res, err := l.Load()
			if err != nil {
				return err
			}
			out := auditVerifyResult{Result: res}
			if warehouse != "" {
				if out.ReportsChecked, err = checkReports(warehouse, l.Path, entries); err != nil {
					return err
				}
			}
			if asJSON {
				return json.NewEncoder(a.stdout).Encode(out)
			}
			fmt.Fprintf(a.stdout, "%s: ok, %d entries, head %s, anchored at seq %d", l.Path, res.Entries, res.Head, res.AnchorSeq)
			if len(res.Keys) > 0 {
				fmt.Fprintf(a.stdout, ", audit keys %s", strings.Trim(fmt.Sprint(res.Keys), "[]"))
			}
			if warehouse != "" {
				fmt.Fprintf(a.stdout, ", agrees with %d reports", out.ReportsChecked)
			}
			fmt.Fprintln(a.stdout)
			switch {
			case res.Legacy > 0 && res.Protected:
				fmt.Fprintf(a.stdout, "warning: entries 1-%d are unkeyed (legacy, written before the audit key); the keyed entries after them cover them from seq %d on\n", res.Legacy, res.Legacy+1)
			case res.Legacy > 0:
				fmt.Fprintf(a.stdout, "warning: all %d entries are unkeyed (legacy, written before the audit key): anyone who could write the log could have rewritten them; the next re-identification keys the log and covers them\n", res.Legacy)
			}
			return nil
		},
	}
	f := verify.Flags()
	f.StringVar(&logPath, "audit-log", "", "audit log (default $VEIL_AUDIT_LOG or <keys>/../audit/reidentify.jsonl)")
	f.StringVar(&keysDir, "keys", "demo/keys", "keyset directory: the audit key, the anchor and the default audit log path")
	f.StringVar(&reidKEK, "reid-kek", "", "re-identification key-encryption key file (default $VEIL_REID_KEK or <keys>/reidentify-kek.json)")
	f.StringVar(&warehouse, "warehouse", "", "also check the log against what each day's report in this warehouse recorded")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(verify)
	return cmd
}

// checkReports checks that the verified log holds, at the seq each report
// recorded, the entry it recorded. It returns how many reports it checked.
func checkReports(warehouse, logPath string, entries []audit.Entry) (int, error) {
	wh, err := sinks.Open(warehouse)
	if err != nil {
		return 0, err
	}
	recs, err := reporting.RecordedAnchors(wh)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range recs {
		if r.Anchor != reporting.AnchorPresent {
			continue
		}
		n++
		if r.Entries == 0 {
			continue
		}
		if r.Entries > uint64(len(entries)) {
			return n, &audit.VerifyError{Path: logPath, Seq: uint64(len(entries)) + 1,
				Reason: fmt.Sprintf("the log ends at seq %d but report %s recorded seq %d: entries were cut from the end, and the anchor rewritten", len(entries), r.Report, r.Entries)}
		}
		if e := entries[r.Entries-1]; e.Head() != r.Head {
			return n, &audit.VerifyError{Path: logPath, Seq: e.Seq,
				Reason: fmt.Sprintf("entry %d is not the one report %s recorded: the log was rewritten", e.Seq, r.Report)}
		}
	}
	return n, nil
}
