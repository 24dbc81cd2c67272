package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/push"
)

// Job is the Pushgateway job name one-shot commands push under.
const Job = "veil"

// Handler serves g's metrics in the Prometheus exposition formats.
func Handler(g prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	return mux
}

// Serve serves /metrics on ln until ctx is cancelled, then shuts the
// server down, letting a scrape in progress finish.
func Serve(ctx context.Context, ln net.Listener, g prometheus.Gatherer) error {
	srv := &http.Server{
		Handler:           Handler(g),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("metrics server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("metrics server shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics server: %w", err)
	}
	return nil
}

// Push replaces the metrics of job "veil", grouping command=command, on
// the Pushgateway at gateway with g's: a one-shot command's last run is what
// the gateway shows.
func Push(ctx context.Context, gateway, command string, g prometheus.Gatherer) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := push.New(gateway, Job).Grouping("command", command).Gatherer(g).PushContext(ctx); err != nil {
		return fmt.Errorf("push metrics to %s: %w", redact(gateway), err)
	}
	return nil
}

// redact hides a password in the URL, which errors must not carry.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the pushgateway"
	}
	return u.Redacted()
}
