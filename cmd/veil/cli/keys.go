package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/audience"
	"github.com/veil-data/veil/audit"
	"github.com/veil-data/veil/pipeline"
)

func (a *app) keysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Create, rotate and inspect Tink keysets"}
	var dir, kek, reidKEK string
	var asJSON bool
	flags := func(c *cobra.Command) {
		c.Flags().StringVar(&dir, "keys", "demo/keys", "keyset directory")
		c.Flags().StringVar(&dir, "dir", "demo/keys", "keyset directory (same as --keys)")
		c.Flags().StringVar(&kek, "kek", "", "pipeline key-encryption key file (default $VEIL_KEK or <keys>/kek.json)")
		c.Flags().StringVar(&reidKEK, "reid-kek", "", "re-identification key-encryption key file (default $VEIL_REID_KEK or <keys>/reidentify-kek.json)")
	}
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Create the key-encryption keys (if absent) and the keysets encrypted under them",
		Long: `Create the pipeline KEK and the re-identification KEK if they are absent, the token
keysets and the audience ledger's MAC keyset under the pipeline KEK, and
reidentify.json (a copy of tokens-reversible) and audit.json (the audit log's MAC
keyset) under the re-identification KEK, with the audit log's anchor
(audit-anchor.json). Existing keysets and anchors are kept; a keys folder of an
earlier layout gets what it lacks. The embedded default puts both KEKs in the keys
folder; in production the re-identification KEK belongs to compliance (--reid-kek).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := initKeysWith(cmd.Context(), dir, kek, reidKEK)
			if err != nil {
				return err
			}
			if r.keysets {
				fmt.Fprintf(a.stdout, "created keysets in %s\n", dir)
			}
			if r.reidKEK != "" {
				fmt.Fprintf(a.stdout, "created re-identification key-encryption key %s: keep it apart from the pipeline's (in production a KMS key held by compliance)\n", r.reidKEK)
			}
			if r.reidCopy && !r.keysets {
				fmt.Fprintf(a.stdout, "wrote re-identification keyset %s\n", keys.Path(dir, keys.Reidentify))
			}
			for _, name := range r.macKeys {
				fmt.Fprintf(a.stdout, "created MAC keyset %s\n", keys.Path(dir, name))
			}
			if r.signing {
				fmt.Fprintf(a.stdout, "created report-signing keyset %s; public key %s\n", keys.Path(dir, keys.ReportSigning), filepath.Join(dir, keys.PublicKeyFile))
			}
			if r.anchor {
				fmt.Fprintf(a.stdout, "created audit log anchor %s: copy it to write-once storage after every re-identification\n", audit.AnchorPath(dir))
			}
			if r.auditPending {
				fmt.Fprintf(a.stdout, "warning: %s not created: it is made under the re-identification key-encryption key; run `veil keys init --reid-kek FILE` with it before the next re-identification\n", keys.Path(dir, keys.Audit))
			}
			return nil
		},
	}
	rotateCmd := &cobra.Command{
		Use:   "rotate",
		Short: "Add a new primary key to every keyset; old keys stay enabled",
		Long: `Add a fresh key to tokens-reversible, tokens-oneway, the re-identification copy and
the MAC keysets of the audit log and the audience ledger, and make it primary. Old
keys stay enabled, so tokens made before still re-identify and log entries made
before still verify.
Needs both key-encryption keys; fails with nothing changed if either is wrong or a
keyset is missing. Prints key ids only.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := keys.LoadKEK(keys.ResolveKEKPath(kek, dir))
			if err != nil {
				return err
			}
			rk, err := keys.LoadKEK(keys.ResolveReidentifyKEKPath(reidKEK, dir))
			if err != nil {
				return err
			}
			res, err := keys.Rotate(cmd.Context(), dir, k, rk)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			fmt.Fprintf(a.stdout, "rotated keysets in %s\n", dir)
			for _, ks := range res.Keysets {
				fmt.Fprintf(a.stdout, "%-18s primary %d -> %d  (%d keys, all enabled)\n", ks.Name, ks.OldPrimary, ks.NewPrimary, ks.Keys)
			}
			return nil
		},
	}
	infoCmd := &cobra.Command{
		Use:   "info",
		Short: "Print key ids and types (never key material)",
		Long: `Print the keysets' key ids, statuses and types. The re-identification keyset is
shown only when its key-encryption key is available (--reid-kek, $VEIL_REID_KEK or
<keys>/reidentify-kek.json).`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := keys.LoadKEK(keys.ResolveKEKPath(kek, dir))
			if err != nil {
				return err
			}
			set, err := keys.Open(cmd.Context(), dir, k)
			if err != nil {
				return err
			}
			info := set.Info()
			reidPath := keys.ResolveReidentifyKEKPath(reidKEK, dir)
			var reid *keys.Reidentifier
			if reidKEK != "" || os.Getenv(keys.EnvReidentifyKEK) != "" || exists(reidPath) {
				rk, err := keys.LoadKEK(reidPath)
				if err != nil {
					return err
				}
				if reid, err = keys.OpenReidentify(cmd.Context(), dir, rk); err != nil {
					return err
				}
				info = append(info, reid.Info())
			}
			// The report-signing keyset and the logs' MAC keysets, where
			// this folder has them (info never creates one).
			if exists(keys.Path(dir, keys.ReportSigning)) {
				rs, err := keys.ReadReportSigner(cmd.Context(), dir, k)
				if err != nil {
					return err
				}
				info = append(info, rs.Info())
			}
			if m, err := keys.OpenLedgerKey(cmd.Context(), dir, k); err == nil {
				info = append(info, m.Info())
			} else if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			if reid != nil {
				rk, err := keys.LoadKEK(reidPath)
				if err != nil {
					return err
				}
				if m, err := keys.OpenAuditKey(cmd.Context(), dir, rk); err == nil {
					info = append(info, m.Info())
				} else if !errors.Is(err, os.ErrNotExist) {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			fmt.Fprintf(a.stdout, "key-encryption key: %s\n", k.ID())
			if reid != nil {
				fmt.Fprintf(a.stdout, "re-identification key-encryption key: %s\n", reid.KEKID())
			}
			for _, ks := range info {
				fmt.Fprintf(a.stdout, "%s  %s  primary=%d\n", ks.Name, ks.Primitive, ks.PrimaryKeyID)
				for _, key := range ks.Keys {
					fmt.Fprintf(a.stdout, "  key %d  %s  %s  %s\n", key.ID, key.Status, key.OutputPrefixType, key.TypeURL)
				}
			}
			if reid == nil {
				fmt.Fprintf(a.stdout, "%s  not shown: re-identification key-encryption key %s not available\n", keys.Reidentify, reidPath)
			} else if !sameKeyIDs(set.Reversible().Name(), info, reid.Info()) {
				fmt.Fprintf(a.stdout, "warning: %s does not hold the same keys as %s: run `veil keys rotate` or restore both from one backup\n", keys.Reidentify, keys.TokensReversible)
			}
			return nil
		},
	}
	for _, c := range []*cobra.Command{initCmd, rotateCmd, infoCmd} {
		flags(c)
	}
	infoCmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	rotateCmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(initCmd, rotateCmd, infoCmd)
	return cmd
}

// sameKeyIDs reports whether the keyset named name in infos lists the same
// key ids and primary as b.
func sameKeyIDs(name string, infos []keys.KeysetInfo, b keys.KeysetInfo) bool {
	i := slices.IndexFunc(infos, func(in keys.KeysetInfo) bool { return in.Name == name })
	if i < 0 {
		return false
	}
	a := infos[i]
	ids := func(in keys.KeysetInfo) []uint32 {
		var out []uint32
		for _, k := range in.Keys {
			out = append(out, k.ID)
		}
		slices.Sort(out)
		return out
	}
	return a.PrimaryKeyID == b.PrimaryKeyID && slices.Equal(ids(a), ids(b))
}

// initKeys creates what is absent of the KEKs and keysets, with the
// re-identification KEK at its default place. It reports whether it created
// the keysets; existing keysets are kept, never overwritten.
func initKeys(cmd *cobra.Command, dir, kekFlag string) (bool, error) {
	r, err := initKeysWith(cmd.Context(), dir, kekFlag, "")
	return r.keysets, err
}

// initResult says what initKeysWith created.
type initResult struct {
	keysets  bool   // the token keysets (and the copy)
	reidCopy bool   // reidentify.json
	reidKEK  string // the re-identification KEK file, if created
	macKeys  []string
	anchor   bool // the audit log's anchor
	// auditPending: audit.json is missing and could not be made without
	// the re-identification KEK.
	auditPending bool
	// signing: the report-signing keyset was added to an existing folder.
	signing bool
}

func initKeysWith(ctx context.Context, dir, kekFlag, reidFlag string) (initResult, error) {
	var r initResult
	kekPath := keys.ResolveKEKPath(kekFlag, dir)
	reidPath := keys.ResolveReidentifyKEKPath(reidFlag, dir)
	if filepath.Clean(kekPath) == filepath.Clean(reidPath) {
		return r, fmt.Errorf("keys: the pipeline and re-identification key-encryption keys are the same file %s: they must be two keys", kekPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return r, err
	}
	kek, _, err := loadOrInitKEK(kekPath)
	if err != nil {
		return r, err
	}
	if !exists(keys.Path(dir, keys.TokensReversible)) {
		reid, created, err := loadOrInitKEK(reidPath)
		if err != nil {
			return r, err
		}
		if created {
			r.reidKEK = reidPath
		}
		if err := keys.Init(ctx, dir, kek, keys.WithReidentifyKEK(reid)); err != nil {
			return r, err
		}
		r.keysets, r.reidCopy = true, true
		if err := initLedgerAnchor(ctx, dir, kek); err != nil {
			return r, err
		}
		r.anchor, err = initAuditAnchor(ctx, dir, reid)
		return r, err
	}
	if _, err := keys.Open(ctx, dir, kek); err != nil { // proves the KEK opens them
		return r, err
	}
	if !exists(keys.Path(dir, keys.ReportSigning)) {
		if _, err := keys.OpenReportSigner(ctx, dir, kek); err != nil { // makes it
			return r, err
		}
		r.signing = true
	}
	need, err := keys.NeedsReidentifyCopy(dir, kek)
	if err != nil {
		return r, err
	}
	if !need && !exists(reidPath) {
		// The copy is there; its KEK is held elsewhere.
		if r.macKeys, err = keys.InitMACKeys(ctx, dir, kek, nil); err != nil {
			return r, err
		}
		r.auditPending = !exists(keys.Path(dir, keys.Audit))
		return r, initLedgerAnchor(ctx, dir, kek)
	}
	reid, created, err := loadOrInitKEK(reidPath)
	if err != nil {
		return r, err
	}
	if created {
		r.reidKEK = reidPath
	}
	// Writes the copy if needed, else checks that it matches.
	if err := keys.InitReidentify(ctx, dir, kek, reid); err != nil {
		if created {
			os.Remove(reidPath) // nothing is encrypted under it
			r.reidKEK = ""
		}
		return r, err
	}
	r.reidCopy = need
	if r.macKeys, err = keys.InitMACKeys(ctx, dir, kek, reid); err != nil {
		return r, err
	}
	if err := initLedgerAnchor(ctx, dir, kek); err != nil {
		return r, err
	}
	r.anchor, err = initAuditAnchor(ctx, dir, reid)
	return r, err
}

// initLedgerAnchor makes the audience ledger's anchor beside the keys if
// it is absent, and the appeals decision log's: both are keyed under the
// pipeline KEK.
func initLedgerAnchor(ctx context.Context, dir string, kek keys.KEK) error {
	key, err := keys.OpenLedgerKey(ctx, dir, kek)
	if err != nil {
		return err
	}
	if _, err = audience.InitLedgerAnchor(filepath.Join(dir, audience.LedgerAnchorFile), key); err != nil {
		return err
	}
	return initAppealsAnchor(ctx, dir, kek)
}

// initAuditAnchor makes the audit log's anchor beside the keys if it is
// absent: the record that a chain exists, which a wiped log contradicts.
func initAuditAnchor(ctx context.Context, dir string, reid keys.KEK) (bool, error) {
	key, err := keys.OpenAuditKey(ctx, dir, reid)
	if err != nil {
		return false, err
	}
	return audit.InitAnchor(audit.AnchorPath(dir), key)
}

// loadOrInitKEK loads the local KEK at path, creating it if absent.
func loadOrInitKEK(path string) (k *keys.LocalKEK, created bool, err error) {
	if exists(path) {
		k, err = keys.LoadKEK(path)
		return k, false, err
	}
	k, err = keys.InitKEK(path) // refuses to overwrite, should another init race us
	return k, err == nil, err
}

func decodeStats(b json.RawMessage) (pipeline.Stats, error) {
	var s pipeline.Stats
	err := json.Unmarshal(b, &s)
	return s, err
}
