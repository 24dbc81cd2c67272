package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/model"
	"github.com/veil-data/veil/risk/risklist"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/serve"
	"github.com/veil-data/veil/serve/loadgen"
	"github.com/veil-data/veil/sinks"
)

func (a *app) serveCmd() *cobra.Command {
	var p paths
	var addr, keyFile, modelFile, stateDT string
	var digests []string
	var hashKey bool
	var reorder time.Duration
	cmd := &cobra.Command{
		Use:   "serve --key-digests FILE [--addr HOST:PORT]",
		Short: "Serve real-time decisions: POST /v1/decide, GET /healthz",
		Long: `Serve real-time risk decisions over HTTP. POST /v1/decide takes one raw event
in the events feed's shape (schemas: veil policy show), tokenises it with the
ingest policy, scores it with the risk feature engine continued from the
newest risk_state checkpoint, and answers allow, review or block with reason
codes; ?explain=1 adds the feature row. Requests carry
"Authorization: Bearer <service key>"; the server holds only the keys' SHA-256
digests (veil serve --hash-key < keyfile prints one). Decisions are logged,
tokens only, to <warehouse>/_decisions/dt=D/<run>.jsonl. Each decision's
flags are folded into the blacklist under its policy, and appeal lifts from
the decision log are folded in within a second of being decided, so a lifted
entity passes from then on. SIGTERM stops it gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if hashKey {
				key, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if key = strings.TrimSpace(key); key == "" {
					return fmt.Errorf("--hash-key: no key on stdin: %w", err)
				}
				fmt.Fprintln(a.stdout, serve.DigestKey(key))
				return nil
			}
			if _, err := p.load(); err != nil {
				return err
			}
			keys, err := keyDigests(keyFile, digests)
			if err != nil {
				return err
			}
			pol, err := p.loadPolicy()
			if err != nil {
				return err
			}
			wh, err := a.openWarehouse(&p)
			if err != nil {
				return err
			}
			if stateDT == "" {
				if stateDT, err = serve.NewestCheckpoint(wh); err != nil {
					return err
				}
				if stateDT == "" {
					fmt.Fprintln(a.stderr, "veil serve: no risk_state checkpoint in the warehouse: starting from an empty state")
				}
			}
			// The rules read the users' clusters of the checkpoint's day:
			// the last day before the events the service will see.
			clusters, err := risklist.Clusters(cmd.Context(), wh, memory.DefaultAllocator, stateDT)
			if err != nil {
				return err
			}
			dec, err := a.loadDecider(cmd.Context(), &p, wh, modelFile, stateDT, clusters)
			if err != nil {
				return err
			}
			bpol, err := p.loadBlacklistPolicy()
			if err != nil {
				return err
			}
			enforce := &serve.Enforcement{List: dec.Blacklist, Policy: bpol, Flags: dec.Flags,
				Lifts: func(_ context.Context, asOf int64) ([]blacklist.Lift, error) { return loadLifts(&p, asOf) }}
			set, err := p.keyOpener()(cmd.Context())
			if err != nil {
				return err
			}
			tok, err := anonymize.NewTokenizer(set)
			if err != nil {
				return err
			}
			t0 := time.Now()
			s, err := serve.New(cmd.Context(), serve.Config{
				Warehouse: wh, Mem: memory.DefaultAllocator, Policy: pol, Tokenizer: tok, Decider: dec,
				Keys: keys, StateDT: stateDT, Log: a.log, ReorderWindow: reorder, Enforce: enforce,
			})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			fmt.Fprintf(a.stdout, "veil serve: state loaded in %.1f s; listening on http://%s\n", time.Since(t0).Seconds(), ln.Addr())
			return s.Serve(cmd.Context(), ln)
		},
	}
	p.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	f.StringVar(&keyFile, "key-digests", "", "file of service key SHA-256 digests, one hex digest a line")
	f.StringSliceVar(&digests, "key-sha256", nil, "a service key's SHA-256 digest in hex (repeatable)")
	f.StringVar(&modelFile, "model", "", "model artefact file (default: the registry's current model, if one was activated; else decisions from rules and blacklist alone)")
	f.StringVar(&stateDT, "state-date", "", "continue from risk_state of this day, YYYY-MM-DD (default: the newest)")
	f.DurationVar(&reorder, "reorder-window", 2*time.Second, "fold late events no older than this into the state at its time (0: answer them from the state, fold none)")
	f.BoolVar(&hashKey, "hash-key", false, "print the SHA-256 digest of the key read from stdin, and exit")
	return cmd
}

// keyDigests reads the service keys' digests from a file and flags.
func keyDigests(file string, flags []string) ([]serve.KeyDigest, error) {
	text := strings.Join(flags, "\n")
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--key-digests: %w", err)
		}
		text += "\n" + string(b)
	}
	keys, err := serve.ParseKeyDigests(text)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("no service key: give --key-digests FILE or --key-sha256 HEX (veil serve --hash-key < keyfile prints a digest)")
	}
	return keys, nil
}

// loadDecider builds the decision from the rules (required), the model
// (--model, else the registry's current one, else none), the blacklist as
// of the checkpoint's day and the users' clusters.
func (a *app) loadDecider(ctx context.Context, p *paths, wh *sinks.Warehouse, modelFile, stateDT string, clusters map[string]rules.Cluster) (*decide.Decider, error) {
	rs, err := p.loadRules()
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	var m *model.Artefact
	if modelFile != "" {
		b, err := os.ReadFile(modelFile)
		if err != nil {
			return nil, fmt.Errorf("--model: %w", err)
		}
		if m, err = model.Load(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("--model %s: %w", modelFile, err)
		}
	} else if cur, ok, err := model.Current(model.RegistryDir(wh.Root)); err != nil {
		return nil, fmt.Errorf("model registry: %w", err)
	} else if ok {
		m = cur
	}
	bl := &blacklist.List{NextVersion: 1}
	if stateDT != "" {
		day, err := time.Parse(time.DateOnly, stateDT)
		if err != nil {
			return nil, fmt.Errorf("--state-date: %w", err)
		}
		if bl, _, _, err = blacklist.Latest(ctx, wh, memory.DefaultAllocator, day); err != nil {
			return nil, err
		}
	}
	return decide.New(rs, m, bl, clusters)
}

func (a *app) loadgenCmd() *cobra.Command {
	var cfg loadgen.Config
	var keyFile string
	cmd := &cobra.Command{
		Use:   "loadgen --url URL --key-file F [--workers 32 --rate 2000 --duration 30s]",
		Short: "Drive a running veil serve at a fixed rate and concurrency; print latency and throughput",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "url"); err != nil {
				return err
			}
			cfg.Key = os.Getenv("VEIL_SERVICE_KEY")
			if keyFile != "" {
				b, err := os.ReadFile(keyFile)
				if err != nil {
					return fmt.Errorf("--key-file: %w", err)
				}
				cfg.Key = strings.TrimSpace(string(b))
			}
			if cfg.Key == "" {
				return errors.New("no service key: give --key-file or set VEIL_SERVICE_KEY")
			}
			res, err := loadgen.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "loadgen: %d workers, target %.0f req/s for %s\n%s", cfg.Workers, cfg.Rate, cfg.Duration, res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.URL, "url", "", "the service's base URL, e.g. http://127.0.0.1:8080")
	f.StringVar(&keyFile, "key-file", "", "file holding the service key (default: $VEIL_SERVICE_KEY)")
	f.IntVar(&cfg.Workers, "workers", 32, "concurrent requests at most")
	f.Float64Var(&cfg.Rate, "rate", 2000, "requests per second, open loop")
	f.DurationVar(&cfg.Duration, "duration", 30*time.Second, "how long to send")
	f.IntVar(&cfg.Users, "users", 2000, "distinct users the events rotate over")
	f.Uint64Var(&cfg.Seed, "seed", 1, "event generator seed")
	return cmd
}
