// Package serve is veil's real-time decision service: POST /v1/decide
// takes one raw event as the platform's checkout would send it, tokenises
// it with the ingest stage's policy, scores it with the risk stage's
// feature engine continued from the newest risk_state checkpoint, and
// answers allow, review or block with reason codes by risk/decide, the
// code the batch risk list uses. Decisions are logged with tokens only.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/sinks"
)

// Decider decides one scored event; *decide.Decider is one. It must be
// safe for concurrent use.
type Decider interface {
	Decide(decide.Input) (decide.Decision, error)
}

// DefaultMaxBody bounds a request body: an event is well under 2 KiB.
const DefaultMaxBody = 16 << 10

// Config is what a Server needs. Warehouse, Tokenizer, Decider and at
// least one key digest are required.
type Config struct {
	Warehouse *sinks.Warehouse
	Mem       memory.Allocator // nil: the default allocator
	Policy    *policy.File     // nil: the embedded default
	Tokenizer *anonymize.Tokenizer
	Decider   Decider
	// Keys are the SHA-256 digests of the service keys callers present as
	// "Authorization: Bearer <key>" (see ParseKeyDigests).
	Keys []KeyDigest
	// StateDT is the risk_state partition to continue from; "" for the
	// newest committed one.
	StateDT    string
	Log        *slog.Logger  // nil: discarded
	MaxBody    int64         // 0: DefaultMaxBody
	FlushEvery time.Duration // decision log flush interval; 0: 1 s
	RunID      string        // names the decision log files; "": a new run id
	// MaxFuture refuses events stamped further ahead of the server's clock:
	// one event from the year 2100 would otherwise move the state's time
	// there and make every real event after it late. 0: 5 minutes;
	// negative: no bound (replaying a day from another clock).
	MaxFuture time.Duration
	// ReorderWindow folds late events no older than this into the state
	// at the state's time (a few ms off their own); 0 folds none, as the
	// batch engine, which never sees an event out of order, would.
	ReorderWindow time.Duration
	// Enforce, when set, folds each decision's flags and the appeal lifts
	// into the blacklist the Decider reads; nil keeps the blacklist as
	// loaded.
	Enforce *Enforcement
}

// Server answers decisions. Its handler may be mounted anywhere (tests
// use httptest); Serve runs it with timeouts and a graceful shutdown.
type Server struct {
	cfg   Config
	tok   *tokeniser
	st    *state
	log   *slog.Logger
	dlog  *decisionLog
	enf   *enforcer
	count struct{ decided, late, rejected, failed atomic.Int64 }
}

// New loads the checkpoint and readies the tokeniser.
func New(ctx context.Context, cfg Config) (*Server, error) {
	var errs []error
	if cfg.Warehouse == nil {
		errs = append(errs, errors.New("no warehouse"))
	}
	if cfg.Tokenizer == nil {
		errs = append(errs, errors.New("no tokenizer (keys)"))
	}
	if cfg.Decider == nil {
		errs = append(errs, errors.New("no decider (rules)"))
	}
	if len(cfg.Keys) == 0 {
		errs = append(errs, errors.New("no service key digests: every request would be refused"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if cfg.Mem == nil {
		cfg.Mem = memory.DefaultAllocator
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = time.Second
	}
	if cfg.MaxFuture == 0 {
		cfg.MaxFuture = 5 * time.Minute
	}
	if cfg.RunID == "" {
		cfg.RunID = pipeline.NewRunID(time.Now())
	}
	tok, err := newTokeniser(cfg.Policy, cfg.Tokenizer)
	if err != nil {
		return nil, err
	}
	st, err := loadState(ctx, cfg.Warehouse, cfg.Mem, cfg.StateDT)
	if err != nil {
		return nil, err
	}
	st.reorder = cfg.ReorderWindow.Milliseconds()
	enf, err := newEnforcer(cfg.Enforce, cfg.RunID)
	if err != nil {
		return nil, err
	}
	// A decision log that fails verification stops the start: lifts
	// cannot be trusted, and neither can what they would unblock.
	if err := enf.refresh(ctx, time.Now().UnixMilli()); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, tok: tok, st: st, log: cfg.Log, enf: enf, dlog: newDecisionLog(cfg.Warehouse.Root, cfg.RunID)}, nil
}

// RefreshLifts folds the appeal lifts decided since the last call into
// the blacklist; Serve calls it every FlushEvery.
func (s *Server) RefreshLifts(ctx context.Context) error {
	return s.enf.refresh(ctx, time.Now().UnixMilli())
}

// Handler routes POST /v1/decide (authenticated) and GET /healthz.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/decide", s.auth(http.HandlerFunc(s.decide)))
	mux.HandleFunc("GET /healthz", s.health)
	return mux
}

// Flush writes the buffered decision log lines out.
func (s *Server) Flush() error { return s.dlog.flush() }

// Close flushes and closes the decision log.
func (s *Server) Close() error { return s.dlog.close() }

// Serve answers on ln until ctx is cancelled, then stops accepting,
// lets requests in flight finish (up to 10 s) and closes the log.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 2 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	tick := time.NewTicker(s.cfg.FlushEvery)
	defer tick.Stop()
	var err error
loop:
	for {
		select {
		case <-tick.C:
			if ferr := s.dlog.flush(); ferr != nil {
				s.log.Error("decision log flush failed", "err", ferr)
			}
			if lerr := s.RefreshLifts(ctx); lerr != nil {
				// Entries stay as they are: a lift is taken only from a
				// log that verifies.
				s.log.Error("appeal lifts not refreshed", "err", lerr)
			}
		case err = <-served:
			break loop // the listener failed
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			err = srv.Shutdown(sctx)
			cancel()
			if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
				err = errors.Join(err, serr)
			}
			break loop
		}
	}
	err = errors.Join(err, s.dlog.close())
	day, now, from := s.st.position()
	s.log.Info("decision service stopped", "decided", s.count.decided.Load(), "late", s.count.late.Load(),
		"rejected", s.count.rejected.Load(), "failed", s.count.failed.Load(), "checkpoint", from,
		"day", time.UnixMilli(day).UTC().Format(time.DateOnly), "last_event_ms", now)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
