package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/sinks"
)

// appealRow is one case as veil appeals list --json prints it.
type appealRow struct {
	Case      string `json:"case"`
	UserToken string `json:"user_token"`
	OpenedAt  string `json:"opened_at"`
	Status    string `json:"status"` // open, uphold or lift
	Overdue   bool   `json:"overdue,omitempty"`
	DecidedAt string `json:"decided_at,omitempty"`
	DecidedBy string `json:"decided_by,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Statement string `json:"statement"`
}

func (a *app) appealsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "appeals",
		Short: "List appeals against blacklist entries, decide them, and verify the decision log",
		Long: `Each record of the appeals feed (appeals_clean, made by the appeals stage) is a
case: the appellant by the user token events_clean carries, the statement
desensitised. A decision (uphold or lift, with who and why) is final and goes to
an append-only log, <warehouse>/_appeals/decisions.jsonl, MACed under the keyset
appeals.json (pipeline KEK), chained, and anchored in <keys>/appeals-anchor.json;
a log that fails verification takes no decision. A lifted user leaves the
blacklist from the moment of the decision. Raw identifiers are never shown here:
use veil reidentify, which is audited.`,
	}
	cmd.AddCommand(a.appealsListCmd(), a.appealsDecideCmd(), a.appealsVerifyCmd())
	return cmd
}

func (a *app) appealsListCmd() *cobra.Command {
	var p paths
	var status string
	var overdueDays int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--status open|decided|all] [--overdue-days N] [--json]",
		Short: "List appeal cases, flagging open ones older than --overdue-days",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if status != "open" && status != "decided" && status != "all" {
				return fmt.Errorf("appeals list: --status %q: want open, decided or all", status)
			}
			if overdueDays < 0 {
				return fmt.Errorf("appeals list: --overdue-days %d: want 0 or more", overdueDays)
			}
			if _, err := p.load(); err != nil {
				return err
			}
			now := time.Now()
			cases, _, err := a.appealCases(cmd.Context(), &p, now)
			if err != nil {
				return err
			}
			overdue := map[string]bool{}
			for _, c := range appeals.Overdue(cases, now.UnixMilli(), overdueDays) {
				overdue[c.ID] = true
			}
			var rows []appealRow
			for _, c := range cases {
				if status == "open" && !c.Open() || status == "decided" && c.Open() {
					continue
				}
				rows = append(rows, rowOf(c, overdue[c.ID]))
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if rows == nil {
					rows = []appealRow{}
				}
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CASE\tOPENED\tSTATUS\tDECIDED\tBY\tUSER TOKEN\tSTATEMENT")
			for _, r := range rows {
				st := r.Status
				if r.Overdue {
					st += " OVERDUE"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Case, r.OpenedAt, st, r.DecidedAt, r.DecidedBy, r.UserToken, clip(r.Statement, 60))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if n := len(overdue); n > 0 {
				fmt.Fprintf(a.stdout, "%d open appeal(s) unanswered after %d days\n", n, overdueDays)
			}
			return nil
		},
	}
	p.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&status, "status", "open", "which cases: open, decided or all")
	f.IntVar(&overdueDays, "overdue-days", appeals.DefaultOverdueDays, "flag open cases filed at least this many days ago")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) appealsDecideCmd() *cobra.Command {
	var p paths
	var caseID, decision, reason, by string
	cmd := &cobra.Command{
		Use:   `decide --case C --decision uphold|lift --reason "..." [--by NAME]`,
		Short: "Record the final decision on an appeal in the decision log",
		Long: `Record who decided what on a case and why. The decision is final: a case takes
one decision. PII in the reason (a phone number typed in, say) is replaced by
typed placeholders before it is logged. A lift takes the appellant off the
blacklist from now on; the blacklist will not re-admit them on the same evidence.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "case", "decision", "reason"); err != nil {
				return err
			}
			if decision != appeals.Uphold && decision != appeals.Lift {
				return fmt.Errorf("appeals decide: --decision %q: want %s or %s", decision, appeals.Uphold, appeals.Lift)
			}
			if strings.TrimSpace(reason) == "" {
				return errors.New("appeals decide: --reason must not be empty")
			}
			if by == "" {
				var err error
				if by, err = osUser(); err != nil {
					return fmt.Errorf("appeals decide: %w (pass --by)", err)
				}
			}
			if _, err := p.load(); err != nil {
				return err
			}
			now := time.Now()
			cases, log, err := a.appealCases(cmd.Context(), &p, now)
			if err != nil {
				return err
			}
			clean, n := appeals.RedactReason(reason)
			e, err := log.DecideOn(cases, caseID, decision, by, clean, now)
			if err != nil {
				return err
			}
			if n > 0 {
				fmt.Fprintf(a.stderr, "note: %d PII value(s) in the reason replaced by placeholders before logging\n", n)
			}
			fmt.Fprintf(a.stdout, "case %s: %s recorded by %s at %s (decision log seq %d)\n", e.Case, e.Decision, e.By, e.DecidedAt.Format(time.RFC3339), e.Seq)
			return nil
		},
	}
	p.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&caseID, "case", "", "the case: its appeal_id")
	f.StringVar(&decision, "decision", "", "uphold (the entry stays) or lift (the entry goes)")
	f.StringVar(&reason, "reason", "", "why (required, recorded)")
	f.StringVar(&by, "by", "", "who decides (default the OS user, $USER)")
	return cmd
}

func (a *app) appealsVerifyCmd() *cobra.Command {
	var p paths
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the decision log's MACs, chain and anchor; fail naming the first bad entry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			log, err := p.appealsLog(cmd.Context())
			if err != nil {
				return err
			}
			es, err := log.Entries()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s: ok, %d decisions, anchored in %s\n", filepath.Join(p.warehouse, appeals.LogFile), len(es), filepath.Join(p.keys, appeals.AnchorFile))
			return nil
		},
	}
	p.flags(cmd)
	return cmd
}

// appealCases opens the decision log and reads the cases as of now.
func (a *app) appealCases(ctx context.Context, p *paths, now time.Time) ([]appeals.Case, *appeals.Log, error) {
	log, err := p.appealsLog(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := log.Verify(); err != nil {
		return nil, nil, err
	}
	wh, err := sinks.Open(p.warehouse)
	if err != nil {
		return nil, nil, err
	}
	cases, err := appeals.Cases(ctx, wh, memory.DefaultAllocator, log, now.UnixMilli()+1)
	if err != nil {
		return nil, nil, err
	}
	return cases, log, nil
}

// appealsLog opens the decision log for `veil appeals`, making its key
// and anchor on first use (see openAppealsLog).
func (p *paths) appealsLog(ctx context.Context) (*appeals.Log, error) {
	return p.openAppealsLog(ctx, true)
}

// openAppealsLog opens the decision log under the keyset appeals.json. A
// keys folder made before the log gets the keyset and the log's anchor
// when create is set, unless a log with decisions is already there: its
// key is then missing, not new, and must be restored.
func (p *paths) openAppealsLog(ctx context.Context, create bool) (*appeals.Log, error) {
	files := appeals.Files{Log: filepath.Join(p.warehouse, appeals.LogFile), Anchor: filepath.Join(p.keys, appeals.AnchorFile)}
	kek, err := keys.LoadKEK(keys.ResolveKEKPath(p.kek, p.keys))
	if err != nil {
		return nil, err
	}
	key, err := keys.OpenAppealsKey(ctx, p.keys, kek)
	if errors.Is(err, os.ErrNotExist) {
		if st, serr := os.Stat(files.Log); !create || serr == nil && st.Size() > 0 {
			return nil, fmt.Errorf("appeals: %s holds decisions but its key is missing: restore %s from backup: %w", files.Log, keys.Path(p.keys, keys.Appeals), err)
		}
		if _, err = keys.InitAppealsKey(ctx, p.keys, kek); err != nil {
			return nil, err
		}
		if key, err = keys.OpenAppealsKey(ctx, p.keys, kek); err != nil {
			return nil, err
		}
		if _, err := appeals.InitAnchor(files.Anchor, key); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	return appeals.Open(files, key)
}

func rowOf(c appeals.Case, overdue bool) appealRow {
	r := appealRow{Case: c.ID, UserToken: c.UserToken, OpenedAt: msTime(c.OpenedAt), Status: "open", Overdue: overdue, Statement: c.Statement}
	if !c.Open() {
		r.Status, r.DecidedAt, r.DecidedBy, r.Reason = c.Decision, msTime(c.DecidedAt), c.DecidedBy, c.Reason
	}
	return r
}

func msTime(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }

// clip shortens s to at most n runes for a table cell.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
