package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/anonymize/keys/signing"
)

func (a *app) reportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Verify signed compliance reports and export the key that checks them",
		Long: `Each report the pipeline commits (reports/dt=D/run-<id>.json and .html) has its
Ed25519 signature beside it (F.sig). See docs/REPORT.md for the format and for
verifying with only the public key and openssl.`,
	}
	var dir, kek, pubKey, sigPath, out string
	keyFlags := func(c *cobra.Command) {
		c.Flags().StringVar(&dir, "keys", "demo/keys", "keyset directory")
		c.Flags().StringVar(&kek, "kek", "", "pipeline key-encryption key file (default $VEIL_KEK or <keys>/kek.json)")
	}
	verify := &cobra.Command{
		Use:   "verify FILE [--public-key PEM | --keys DIR]",
		Short: "Check a report file against its signature FILE.sig",
		Long: `Check FILE against FILE.sig (or --sig). With --public-key, only that PEM file is
used (what an auditor holds); otherwise every enabled key of the report-signing
keyset in --keys, so reports signed before a rotation verify too. Exit 0 and
"verified" when a key verifies it; any changed byte, a signature of another file
or of another key fails with one line and a non-zero exit.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			if pubKey != "" && cmd.Flags().Changed("keys") {
				return errors.New("report verify: give --public-key or --keys, not both")
			}
			var pubs []signing.PublicKey
			if pubKey != "" {
				b, err := os.ReadFile(pubKey)
				if err != nil {
					return fmt.Errorf("report verify: public key: %w", err)
				}
				if pubs, err = signing.ParsePEM(b); err != nil {
					return fmt.Errorf("report verify: %s: %w", pubKey, err)
				}
			} else {
				k, err := keys.LoadKEK(keys.ResolveKEKPath(kek, dir))
				if err != nil {
					return err
				}
				if pubs, err = keys.ReportPublicKeys(cmd.Context(), dir, k); err != nil {
					return err
				}
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("report verify: %w", err)
			}
			sp := sigPath
			if sp == "" {
				sp = file + signing.Ext
			}
			sig, err := os.ReadFile(sp)
			if err != nil {
				return fmt.Errorf("report verify: signature: %w", err)
			}
			key, err := signing.Verify(data, sig, pubs)
			if err != nil {
				return fmt.Errorf("report verify: %s: NOT VERIFIED: %w", file, err)
			}
			fmt.Fprintf(a.stdout, "verified %s: %s signature by %s (%s)\n", file, signing.Algorithm, key.Name(), key.Fingerprint())
			return nil
		},
	}
	keyFlags(verify)
	verify.Flags().StringVar(&pubKey, "public-key", "", "PEM public key file to verify with (no keyset or KEK needed)")
	verify.Flags().StringVar(&sigPath, "sig", "", "signature file (default FILE.sig)")

	public := &cobra.Command{
		Use:   "public-key [--out FILE]",
		Short: "Print the report-signing public key as PEM, for auditors",
		Long: `Print (or write to --out) the PEM SubjectPublicKeyInfo of the report-signing
keyset's primary key. The keyset is made on first need in a keys folder made
before it; <keys>/report-signing.pub.pem is kept equal to this output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := keys.LoadKEK(keys.ResolveKEKPath(kek, dir))
			if err != nil {
				return err
			}
			sg, err := keys.OpenReportSigner(cmd.Context(), dir, k)
			if err != nil {
				return err
			}
			b, err := signing.EncodePEM(sg.PublicKey())
			if err != nil {
				return err
			}
			if out == "" {
				_, err = a.stdout.Write(b)
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return fmt.Errorf("report public-key: %w", err)
			}
			fmt.Fprintf(a.stdout, "wrote %s (key id %d, %s)\n", out, sg.KeyID(), sg.PublicKey().Fingerprint())
			return nil
		},
	}
	keyFlags(public)
	public.Flags().StringVar(&out, "out", "", "write the PEM to this file instead of stdout")
	cmd.AddCommand(verify, public)
	return cmd
}
