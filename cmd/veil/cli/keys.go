package cli

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/pipeline"
)

func (a *app) keysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Create and inspect Tink keysets"}
	var dir, kek string
	var asJSON bool
	flags := func(c *cobra.Command) {
		c.Flags().StringVar(&dir, "dir", "demo/keys", "keyset directory")
		c.Flags().StringVar(&kek, "kek", "", "key-encryption key file (default $VEIL_KEK or <dir>/kek.json)")
	}
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Create the key-encryption key (if absent) and the keysets encrypted under it",
		RunE: func(cmd *cobra.Command, _ []string) error {
			created, err := initKeys(cmd, dir, kek)
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(a.stdout, "created keysets in %s\n", dir)
			}
			return nil
		},
	}
	infoCmd := &cobra.Command{
		Use:   "info",
		Short: "Print key ids and types (never key material)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := keys.LoadKEK(keys.ResolveKEKPath(kek, dir))
			if err != nil {
				return err
			}
			set, err := keys.Open(cmd.Context(), dir, k)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(set.Info())
			}
			fmt.Fprintf(a.stdout, "key-encryption key: %s\n", k.ID())
			for _, ks := range set.Info() {
				fmt.Fprintf(a.stdout, "%s  %s  primary=%d\n", ks.Name, ks.Primitive, ks.PrimaryKeyID)
				for _, key := range ks.Keys {
					fmt.Fprintf(a.stdout, "  key %d  %s  %s  %s\n", key.ID, key.Status, key.OutputPrefixType, key.TypeURL)
				}
			}
			return nil
		},
	}
	flags(initCmd)
	flags(infoCmd)
	infoCmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(initCmd, infoCmd)
	return cmd
}

// initKeys creates the KEK if it is absent and the keysets if they are
// absent. It reports whether it created the keysets; existing keysets are
// kept, never overwritten.
func initKeys(cmd *cobra.Command, dir, kekFlag string) (bool, error) {
	kekPath := keys.ResolveKEKPath(kekFlag, dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	var kek *keys.LocalKEK
	var err error
	if exists(kekPath) {
		kek, err = keys.LoadKEK(kekPath)
	} else {
		kek, err = keys.InitKEK(kekPath)
	}
	if err != nil {
		return false, err
	}
	if exists(keys.Path(dir, "tokens-reversible")) {
		_, err := keys.Open(cmd.Context(), dir, kek) // proves the KEK opens them
		return false, err
	}
	if err := keys.Init(cmd.Context(), dir, kek); err != nil {
		return false, err
	}
	return true, nil
}

func decodeStats(b json.RawMessage) (pipeline.Stats, error) {
	var s pipeline.Stats
	err := json.Unmarshal(b, &s)
	return s, err
}
