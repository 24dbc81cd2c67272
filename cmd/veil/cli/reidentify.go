package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/audit"
)

// reidOptions are the flags of veil reidentify.
type reidOptions struct {
	keys, reidKEK, auditLog, actor string
	field, token, reason           string
}

func (a *app) reidentifyCmd() *cobra.Command {
	var o reidOptions
	cmd := &cobra.Command{
		Use:   "reidentify --field F --token T --reason TEXT",
		Short: "Reveal the value of a reversible token; every attempt is written to the audit log",
		Long: `Reveal the value behind a reversible (r_) token of a field. Needs the
re-identification key-encryption key (--reid-kek, $VEIL_REID_KEK or
<keys>/reidentify-kek.json) and a reason. Every attempt, revealed or refused, is
appended to the audit log (--audit-log, $VEIL_AUDIT_LOG or
<keys>/../audit/reidentify.jsonl) before anything is printed; the log holds the
token, never the value. The value goes to stdout and nowhere else. One-way (o_)
tokens cannot be re-identified.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "field", "token", "reason"); err != nil {
				return err
			}
			return a.reidentify(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.field, "field", "", "field the token was made for, e.g. user_id, device_id, payment_card")
	f.StringVar(&o.token, "token", "", "the reversible token (r_...)")
	f.StringVar(&o.reason, "reason", "", "why, e.g. the appeal or ticket number (required, recorded)")
	f.StringVar(&o.keys, "keys", "demo/keys", "keyset directory")
	f.StringVar(&o.reidKEK, "reid-kek", "", "re-identification key-encryption key file (default $VEIL_REID_KEK or <keys>/reidentify-kek.json)")
	f.StringVar(&o.auditLog, "audit-log", "", "audit log (default $VEIL_AUDIT_LOG or <keys>/../audit/reidentify.jsonl)")
	f.StringVar(&o.actor, "actor", "", "who is asking (default the OS user)")
	return cmd
}

func (a *app) reidentify(ctx context.Context, o reidOptions) error {
	if strings.TrimSpace(o.reason) == "" {
		return errors.New("reidentify: --reason must not be empty")
	}
	actor := o.actor
	if actor == "" {
		var err error
		if actor, err = osUser(); err != nil {
			return err
		}
	}
	// The audit key is opened first: an attempt that cannot be recorded
	// is not made. Without the re-identification KEK nothing could be
	// revealed either.
	rk, err := keys.LoadKEK(keys.ResolveReidentifyKEKPath(o.reidKEK, o.keys))
	if err != nil {
		return fmt.Errorf("reidentify: nothing attempted, nothing recorded: the re-identification key-encryption key opens the audit key: %w", err)
	}
	key, err := keys.OpenAuditKey(ctx, o.keys, rk)
	if err != nil {
		return fmt.Errorf("reidentify: nothing attempted, nothing recorded: %w", err)
	}
	logPath := audit.ResolvePath(o.auditLog, o.keys)
	log := audit.Log{Path: logPath, Anchor: audit.AnchorPath(o.keys), Key: key}
	e := audit.Entry{
		Actor:  actor,
		Action: audit.ActionReidentify,
		Field:  o.field,
		Token:  loggableToken(o.token),
		Reason: o.reason,
	}

	value, why, err := reveal(ctx, o, rk)
	if err != nil {
		e.Outcome = audit.Refused(why)
		if _, aerr := log.Append(ctx, e); aerr != nil {
			return errors.Join(fmt.Errorf("reidentify: %w", err), fmt.Errorf("reidentify: the refusal could not be recorded: %w", aerr))
		}
		return fmt.Errorf("reidentify: refused (recorded in %s): %w", logPath, err)
	}
	e.Outcome = audit.OutcomeRevealed
	rec, err := log.Append(ctx, e)
	if err != nil {
		return fmt.Errorf("reidentify: not revealed, because the audit log could not record it: %w", err)
	}
	fmt.Fprintf(a.stderr, "recorded as entry %d of %s\n", rec.Seq, logPath)
	_, err = fmt.Fprintln(a.stdout, value)
	return err
}

// reveal returns the value of o.token, or a short reason for the audit log
// and the error to show.
func reveal(ctx context.Context, o reidOptions, rk keys.KEK) (value, why string, err error) {
	if err := anonymize.ValidField(o.field); err != nil {
		return "", "invalid field name", err
	}
	if strings.HasPrefix(o.token, anonymize.OneWayPrefix) {
		return "", "one-way tokens cannot be re-identified", anonymize.ErrOneWayToken
	}
	if !strings.HasPrefix(o.token, anonymize.ReversiblePrefix) {
		return "", "not a reversible token", fmt.Errorf("%w: a reversible token starts with %q", anonymize.ErrInvalidToken, anonymize.ReversiblePrefix)
	}
	r, err := keys.OpenReidentify(ctx, o.keys, rk)
	if err != nil {
		return "", "re-identification keyset unavailable", err
	}
	rv, err := anonymize.NewRevealer(r)
	if err != nil {
		return "", "re-identification keyset unavailable", err
	}
	v, err := rv.Reveal(o.field, o.token)
	if err != nil {
		return "", "token not valid for this field and keys", err
	}
	return v, "", nil
}

// loggableToken returns token if it is well formed, else a placeholder: a
// string that is not a token may be a raw value pasted by mistake, and the
// audit log must not keep it.
func loggableToken(token string) string {
	if _, err := anonymize.TokenKeyID(token); err != nil {
		return "(malformed token withheld)"
	}
	return token
}

// osUser returns the name of the user running veil.
func osUser() (string, error) {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	for _, env := range []string{"USER", "LOGNAME"} {
		if v := os.Getenv(env); v != "" {
			return v, nil
		}
	}
	return "", errors.New("reidentify: cannot tell which OS user is running veil: pass --actor")
}
