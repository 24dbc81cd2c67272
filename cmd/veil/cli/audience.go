package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/audience"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/tagging"
)

// errRefused is returned when an audience query was answered with a
// refusal: the command printed why and exits non-zero.
var errRefused = errors.New("audience refused")

type audienceOptions struct {
	paths
	merchant, expr, exprFile, date, actor, out string
}

func (a *app) audienceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audience",
		Short: "What a merchant may get: noisy audience sizes and checked exports",
		Long: `A merchant defines an audience as a CEL expression over the tags of the tag
file, e.g. interests.exists(i, i == "beauty") && discount_sensitivity == "high"
&& membership == "member". It counts only consumers seen with the merchant in
the tag window (unless configs/audience.yaml grants platform reach) and never
one who opted out of marketing. Every query is recorded in the audience
ledger (<warehouse>/_audience) and in audience_releases/dt=D.`,
	}
	var o audienceOptions
	size := &cobra.Command{
		Use:   "size --merchant M --expr E --date D",
		Short: "Print an audience's noisy size (drawn once, then served again)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "merchant", "date"); err != nil {
				return err
			}
			return a.audienceQuery(cmd.Context(), &o, false)
		},
	}
	export := &cobra.Command{
		Use:   "export --merchant M --expr E --date D --out F",
		Short: "Write an audience's merchant-scoped customer tokens as Parquet, if it passes the release checks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "merchant", "date", "out"); err != nil {
				return err
			}
			return a.audienceQuery(cmd.Context(), &o, true)
		},
	}
	for _, c := range []*cobra.Command{size, export} {
		o.flags(c)
		f := c.Flags()
		f.StringVar(&o.audience, "audience-config", "", "audience release policy (default: the embedded configs/audience.yaml)")
		f.StringVar(&o.merchant, "merchant", "", "the merchant asking")
		f.StringVar(&o.expr, "expr", "", "the audience: a CEL boolean over tags")
		f.StringVar(&o.exprFile, "expr-file", "", "read the audience expression from this file")
		f.StringVar(&o.date, "date", "", "the day whose tags to use (YYYY-MM-DD)")
		f.StringVar(&o.actor, "actor", "", "who asks, for the ledger (default: the OS user)")
	}
	export.Flags().StringVar(&o.out, "out", "", "Parquet file to write the customer tokens to")
	cmd.AddCommand(size, export)
	return cmd
}

func (a *app) audienceQuery(ctx context.Context, o *audienceOptions, export bool) error {
	if _, err := o.load(); err != nil {
		return err
	}
	if _, err := parseDate("date", o.date); err != nil {
		return err
	}
	expr := o.expr
	if o.exprFile != "" {
		if expr != "" {
			return errors.New("give --expr or --expr-file, not both")
		}
		b, err := os.ReadFile(o.exprFile)
		if err != nil {
			return err
		}
		expr = string(b)
	}
	if o.actor == "" {
		var err error
		if o.actor, err = osUser(); err != nil {
			return err
		}
	}
	spec, err := o.loadTags()
	if err != nil {
		return err
	}
	cfg, err := audience.DefaultConfig(spec)
	if o.audience != "" {
		cfg, err = audience.LoadConfig(o.audience, spec)
	}
	if err != nil {
		return err
	}
	wh, err := a.openWarehouse(&o.paths)
	if err != nil {
		return err
	}
	mem := memory.DefaultAllocator
	data, err := audience.OpenData(ctx, wh, mem, spec, o.date)
	if err != nil {
		return err
	}
	ledger, err := o.ledgerFiles(ctx, o.warehouse)
	if err != nil {
		return err
	}
	svc := &audience.Service{Spec: spec, Config: cfg, Ledger: ledger}
	q := audience.Query{Actor: o.actor, Merchant: o.merchant, Expr: expr, DT: o.date}
	var res audience.Result
	if export {
		res, err = svc.Export(ctx, data, q, a.exportWriter(ctx, &o.paths, o.merchant, o.out))
	} else {
		res, err = svc.Size(ctx, data, q)
	}
	if err != nil {
		return err
	}
	if _, err := audience.PublishReleases(ctx, wh, mem, svc.Ledger, o.date); err != nil {
		return fmt.Errorf("publish audience_releases: %w", err)
	}
	printResult(a, cfg, res)
	if !res.Released {
		return errRefused
	}
	return nil
}

// ledgerFiles opens the audience ledger's key (under the pipeline KEK)
// for the ledger of the warehouse at root.
func (p *paths) ledgerFiles(ctx context.Context, root string) (audience.LedgerFiles, error) {
	kek, err := keys.LoadKEK(keys.ResolveKEKPath(p.kek, p.keys))
	if err != nil {
		return audience.LedgerFiles{}, err
	}
	key, err := keys.OpenLedgerKey(ctx, p.keys, kek)
	if err != nil {
		return audience.LedgerFiles{}, err
	}
	return audience.LedgerFiles{Dir: filepath.Join(root, "_audience"), Anchor: filepath.Join(p.keys, audience.LedgerAnchorFile), Key: key}, nil
}

// printResult tells the merchant what it may know: the noisy count of a
// released size, never the count behind a refusal.
func printResult(a *app, cfg *audience.Config, r audience.Result) {
	e := r.Entry
	budget := fmt.Sprintf("budget %s of %s used in %s", audience.FormatMicros(e.SpentMicros), cfg.BudgetEpsilon(), e.Period)
	if !r.Released {
		fmt.Fprintf(a.stdout, "refused (ledger #%d): %s; %s\n", e.Seq, e.Reason, budget)
		return
	}
	how := fmt.Sprintf("noisy, epsilon %s", cfg.Epsilon())
	if e.Reused {
		how = "the stored noisy answer; no budget spent"
	}
	switch e.Action {
	case "export":
		fmt.Fprintf(a.stdout, "exported %d customer tokens for merchant %s (ledger #%d; size %d, %s; k-anonymity %d, l-diversity %d); %s\n",
			*e.Exported, e.Merchant, e.Seq, *e.Noisy, how, *e.K, *e.L, budget)
	default:
		fmt.Fprintf(a.stdout, "audience size %d (%s; ledger #%d); %s\n", *e.Noisy, how, e.Seq, budget)
	}
}

// exportRow is one row of an export file: the merchant-scoped token only.
type exportRow struct {
	CustomerToken string `parquet:"customer_token"`
}

// exportWriter writes members as merchant-scoped customer tokens, sorted,
// into out's folder under a temporary name; the commit renames it to out.
func (a *app) exportWriter(ctx context.Context, p *paths, merchant, out string) audience.Exporter {
	return func(members []string) (int64, func() error, error) {
		set, err := p.keyOpener()(ctx)
		if err != nil {
			return 0, nil, err
		}
		tok, err := anonymize.NewTokenizer(set, anonymize.WithCacheSize(0))
		if err != nil {
			return 0, nil, err
		}
		w := tok.Worker()
		rows := make([]exportRow, len(members))
		for i, m := range members {
			rows[i].CustomerToken = tagging.CustomerToken(w, merchant, m)
		}
		slices.SortFunc(rows, func(x, y exportRow) int {
			return strings.Compare(x.CustomerToken, y.CustomerToken)
		})
		tmp := out + ".tmp"
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return 0, nil, err
		}
		pw := parquet.NewGenericWriter[exportRow](f, sinks.CreatedByOption(),
			parquet.KeyValueMetadata("veil.dataset", "audience_export"),
			parquet.KeyValueMetadata("veil.merchant_id", merchant))
		_, werr := pw.Write(rows)
		if werr == nil {
			werr = pw.Close()
		}
		if werr == nil {
			werr = f.Sync()
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(tmp)
			return 0, nil, fmt.Errorf("write %s: %w", out, werr)
		}
		return int64(len(rows)), func() error { return os.Rename(tmp, out) }, nil
	}
}
