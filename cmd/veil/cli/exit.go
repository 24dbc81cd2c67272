package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/veil-data/veil/internal/version"
)

// Exit codes, for scripts and supervisors: a usage error means nothing was
// run and retrying will not help until the command line or a config file
// is fixed; a failed run may succeed when retried or repaired.
const (
	ExitOK     = 0
	ExitFailed = 1 // a run failed (a stage, a leak check, I/O, a lock held too long)
	ExitUsage  = 2 // unknown command or flag, bad or missing flag value, invalid config file
	// ExitInterrupted: stopped by SIGINT or SIGTERM before the work was
	// done (128 + SIGINT, as shells report it).
	ExitInterrupted = 130
)

// usageError marks an error of the command line or of a config file.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// cobraUsage are the beginnings of the errors cobra itself returns for a
// bad command line, which it does not type.
var cobraUsage = []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "required flag", "accepts ", "requires at least", "requires at most", "flag needs an argument"}

func exitCode(ctx context.Context, err error) int {
	var u usageError
	if errors.As(err, &u) {
		return ExitUsage
	}
	for _, p := range cobraUsage {
		if strings.HasPrefix(err.Error(), p) {
			return ExitUsage
		}
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	return ExitFailed
}

// newLogger builds the logger of a command. The daemon logs at info by
// default, so that each firing's outcome is seen; one-shot commands at
// warn, since they print their own progress and summary.
func newLogger(w io.Writer, level, format, command string) (*slog.Logger, error) {
	if level == "" {
		level = "warn"
		if command == "run" {
			level = "info"
		}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usage(fmt.Errorf("--log-level: %w", err))
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "auto":
		if isTerminal(w) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usage(fmt.Errorf("--log-format: want text, json or auto, got %q", format))
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print veil's module version and the commit it was built from",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(a.stdout, version.String())
			return err
		},
	}
}
