package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

func (a *app) blacklistCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "blacklist",
		Short: "Inspect the versioned blacklist",
		Long: `The blacklist holds entities (users, devices, IPs, cards, by token) that
the risk list's flags admitted under configs/blacklist.yaml: at once on a
severe enough block, or after enough reviews within a window. Each entry
records the rule or model and the run that admitted it, a digest of the
events behind it, and when it expires; an appeal lifts it from the
decision on, and the same events never re-admit it. Every change is a
version, and the risk-list stage commits the whole list each day as
blacklist/dt=D.`,
	}
	cmd.AddCommand(a.blacklistShowCmd())
	return cmd
}

// showOpts are `veil blacklist show`'s flags.
type showOpts struct {
	asOf, entity  string
	json, history bool
}

func (a *app) blacklistShowCmd() *cobra.Command {
	var p paths
	var o showOpts
	cmd := &cobra.Command{
		Use:   "show [--as-of T] [--entity user|device|ip|card] [--json] [--history]",
		Short: "Print what was blacklisted at a moment: the entries in force, with provenance and expiry",
		Long: `Print the blacklist entries in force at T: each entry's version, entity,
token, reason, severity, source (rule or model), the run that admitted it,
and when it was added and expires. The list is the newest committed
blacklist partition with dt on or before T's day, with the appeal lifts
decided up to T folded in. An entry added at T is in force at T; no
entry is shown before it was added, and an entry lifted or expired by T
is not shown.

T is RFC 3339 (2026-11-20T15:04:05Z) or a date, which means the end of
that day (UTC); the default is now. --history prints every version up
to T: each entry added and each lift applied. Tokens are the warehouse's
pseudonymous tokens; no raw identifier is stored or printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := p.load(); err != nil {
				return err
			}
			at, err := parseAsOf(o.asOf, time.Now())
			if err != nil {
				return err
			}
			ent, err := parseShowEntity(o.entity)
			if err != nil {
				return err
			}
			pol, err := p.loadBlacklistPolicy()
			if err != nil {
				return err
			}
			wh, err := a.openWarehouse(&p)
			if err != nil {
				return err
			}
			lifts, err := loadLifts(&p, at.UnixMilli())
			if err != nil {
				return err
			}
			v, err := blacklistAsOf(cmd.Context(), wh, memory.DefaultAllocator, pol, at, lifts)
			if err != nil {
				return err
			}
			return v.print(a.stdout, ent, o)
		},
	}
	p.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.asOf, "as-of", "", "the moment: RFC 3339, or a date for the end of that day (UTC); default now")
	f.StringVar(&o.entity, "entity", "", "only entries on this entity: user, device, ip or card")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.BoolVar(&o.history, "history", false, "also print every version up to the moment")
	return cmd
}

func loadBlacklistPolicy(path string) (*blacklist.Policy, error) {
	if path == "" {
		return blacklist.DefaultPolicy()
	}
	return blacklist.LoadPolicy(path)
}

// parseAsOf reads --as-of: RFC 3339, or a date meaning its last
// millisecond, so that a day's question sees everything of that day.
func parseAsOf(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24*time.Hour - time.Millisecond), nil
	}
	return time.Time{}, fmt.Errorf("--as-of: want RFC 3339 (2026-11-20T15:04:05Z) or a date (2026-11-20), got %q", s)
}

// parseShowEntity reads --entity; -1 (features.OfEvent) means every entity.
func parseShowEntity(s string) (features.Entity, error) {
	if s == "" {
		return features.OfEvent, nil
	}
	switch e, ok := blacklist.ParseEntity(s); {
	case ok && e != features.IP24:
		return e, nil
	}
	return 0, fmt.Errorf("--entity: want user, device, ip or card, got %q", s)
}

// blacklistView is the list as of a moment, with where it came from.
type blacklistView struct {
	at          time.Time
	list        *blacklist.List
	part        sinks.Partition
	found       bool
	partVersion int64 // the partition's own version, before the lifts
	lifts       blacklist.Stats
}

// blacklistAsOf reads the newest partition on or before at's day and
// folds in the lifts decided up to at (the partition may predate them).
func blacklistAsOf(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, pol *blacklist.Policy, at time.Time, lifts []blacklist.Lift) (*blacklistView, error) {
	l, part, found, err := blacklist.Latest(ctx, wh, mem, at)
	if err != nil {
		return nil, err
	}
	v := &blacklistView{at: at, list: l, part: part, found: found, partVersion: l.Version()}
	ms := at.UnixMilli()
	var upTo []blacklist.Lift
	for _, lf := range lifts {
		if lf.At <= ms {
			upTo = append(upTo, lf)
		}
	}
	if v.lifts, err = l.FoldStats(pol, "show", nil, upTo); err != nil {
		return nil, err
	}
	return v, nil
}

// shownEntry is an entry as `show --json` prints it.
type shownEntry struct {
	Version  int64  `json:"version"`
	Entity   string `json:"entity"`
	Token    string `json:"token"`
	Reason   string `json:"reason"`
	Severity string `json:"severity"`
	Source   string `json:"source"`
	RunID    string `json:"run_id"`
	Evidence string `json:"evidence"`
	Added    string `json:"added_at"`
	Expires  string `json:"expires_at"`
}

func msTimeNano(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano) }

func (v *blacklistView) print(w io.Writer, ent features.Entity, o showOpts) error {
	ms := v.at.UnixMilli()
	var entries []shownEntry
	for _, e := range v.list.AsOf(ms) {
		if ent != features.OfEvent && e.Entity != ent {
			continue
		}
		entries = append(entries, shownEntry{e.Version, e.Entity.String(), e.Token, e.Reason, blacklist.SeverityName(e.Severity),
			e.Source, e.RunID, e.Evidence, msTimeNano(e.AddedAt), msTimeNano(e.ExpiresAt)})
	}
	var history []blacklist.Change
	if o.history {
		for _, c := range v.list.History() {
			if c.At <= ms && (ent == features.OfEvent || c.Entity == ent.String()) {
				history = append(history, c)
			}
		}
	}
	src := "none"
	if v.found {
		src = schemas.Blacklist.Name + "/" + v.part.Path(schemas.Blacklist)
	}
	if o.json {
		out := struct {
			AsOf             string             `json:"as_of"`
			Partition        string             `json:"partition"`
			PartitionVersion int64              `json:"partition_version"`
			LiftsFolded      int                `json:"lifts_folded"`
			Version          int64              `json:"version"` // as of the moment
			ListVersion      int64              `json:"list_version"`
			Entries          []shownEntry       `json:"entries"`
			History          []blacklist.Change `json:"history,omitempty"`
		}{v.at.Format(time.RFC3339Nano), src, v.partVersion, v.lifts.LiftsApplied, v.list.VersionAt(ms), v.list.Version(), entries, history}
		if out.Entries == nil {
			out.Entries = []shownEntry{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "blacklist as of %s: version %d\n", v.at.Format(time.RFC3339Nano), v.list.VersionAt(ms))
	if v.found {
		fmt.Fprintf(w, "from %s (list version %d)", src, v.partVersion)
	} else {
		fmt.Fprintf(w, "no blacklist partition on or before %s", v.at.Format(time.DateOnly))
	}
	fmt.Fprintf(w, "; %d appeal lift(s) decided since folded in\n", v.lifts.LiftsApplied)
	fmt.Fprintf(w, "%s in force\n", entriesN(len(entries)))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if len(entries) > 0 {
		fmt.Fprintln(tw, "  VERSION\tENTITY\tTOKEN\tREASON\tSEVERITY\tSOURCE\tRUN\tADDED\tEXPIRES")
		for _, e := range entries {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Version, e.Entity, e.Token, e.Reason, e.Severity, e.Source, e.RunID, e.Added, e.Expires)
		}
	}
	if o.history {
		fmt.Fprintf(tw, "\nhistory: %d change(s) up to the moment\n", len(history))
		if len(history) > 0 {
			fmt.Fprintln(tw, "  VERSION\tCHANGE\tAT\tENTITY\tTOKEN\tDETAIL")
		}
		for _, c := range history {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", c.Version, c.Kind, msTimeNano(c.At), c.Entity, c.Token, changeDetail(c))
		}
	}
	return tw.Flush()
}

func changeDetail(c blacklist.Change) string {
	if c.Kind == "lift" {
		return fmt.Sprintf("appeal %s, ended %s", c.Case, entriesN(c.Ended))
	}
	return strings.Join([]string{c.Reason, blacklist.SeverityName(c.Severity), c.Source, "run " + c.RunID, "expires " + msTimeNano(c.Expires)}, ", ")
}

func entriesN(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
