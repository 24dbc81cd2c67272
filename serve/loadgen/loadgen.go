// Package loadgen drives POST /v1/decide at a fixed rate with a fixed
// number of workers, open loop: requests are due on a schedule whatever
// the server's pace, so a slow server shows as latency (measured from when
// each request was due, not only from when it was sent) and as missed
// sends, never as a politely lower rate.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Config says how hard and for how long.
type Config struct {
	URL      string // the service's base URL, e.g. http://127.0.0.1:8080
	Key      string // the service key
	Workers  int    // concurrent requests at most; 32 unless set
	Rate     float64
	Duration time.Duration
	// Users, devices and IPs the events rotate over (2000, 1500, 800
	// unless set); cards follow users.
	Users, Devices, IPs int
	// Start is the first event's time; zero: just after the service's
	// latest event, or the start of the day it stands at (GET /healthz),
	// so that runs against one service follow each other in time. Event
	// times advance with the run's clock.
	Start time.Time
	Seed  uint64
}

// Result is what a run measured.
type Result struct {
	Sent, OK, Missed int64 // Missed: due while every worker and the queue were busy
	// Late answers came from a state already past the event's time;
	// LateFolded of them still entered it (veil serve --reorder-window).
	Late, LateFolded int64
	Errors           map[string]int64
	Elapsed          time.Duration
	// Service is latency from send to the whole answer read; Due is from
	// when the request was due (includes waiting for a free worker).
	Service, Due Percentiles
}

// Percentiles of a latency distribution.
type Percentiles struct{ P50, P90, P99, Max time.Duration }

// Throughput is answered requests (any status) per second.
func (r Result) Throughput() float64 { return float64(r.Sent) / r.Elapsed.Seconds() }

// String is the report bench.sh prints.
func (r Result) String() string {
	var b bytes.Buffer
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) }
	fmt.Fprintf(&b, "requests %d in %.1f s: %.0f req/s, %d ok, %d late (%d of them folded), %d missed, errors %v\n",
		r.Sent, r.Elapsed.Seconds(), r.Throughput(), r.OK, r.Late, r.LateFolded, r.Missed, r.Errors)
	fmt.Fprintf(&b, "latency ms (send to answer): p50 %s  p90 %s  p99 %s  max %s\n", ms(r.Service.P50), ms(r.Service.P90), ms(r.Service.P99), ms(r.Service.Max))
	fmt.Fprintf(&b, "latency ms (due to answer):  p50 %s  p90 %s  p99 %s  max %s\n", ms(r.Due.P50), ms(r.Due.P90), ms(r.Due.P99), ms(r.Due.Max))
	return b.String()
}

func (c *Config) defaults() error {
	if c.URL == "" || c.Key == "" {
		return errors.New("loadgen: a URL and a service key are required")
	}
	if c.Rate <= 0 || c.Duration <= 0 {
		return errors.New("loadgen: rate and duration must be positive")
	}
	if c.Workers <= 0 {
		c.Workers = 32
	}
	if c.Users <= 0 {
		c.Users = 2000
	}
	if c.Devices <= 0 {
		c.Devices = 1500
	}
	if c.IPs <= 0 {
		c.IPs = 800
	}
	return nil
}

type job struct {
	seq int64
	due time.Time
}

type sample struct {
	service, due time.Duration
	status       int
	late, folded bool
	err          string
}

// Run sends requests for cfg.Duration and reports.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.defaults(); err != nil {
		return Result{}, err
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConns: cfg.Workers, MaxIdleConnsPerHost: cfg.Workers, MaxConnsPerHost: cfg.Workers},
	}
	defer client.CloseIdleConnections()
	first := cfg.Start
	if first.IsZero() {
		t, err := serviceTime(ctx, client, cfg.URL)
		if err != nil {
			return Result{}, err
		}
		first = t
	}
	gen := newEvents(cfg, first)
	jobs := make(chan job, 4*cfg.Workers)
	samples := make([][]sample, cfg.Workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				samples[w] = append(samples[w], send(ctx, client, cfg, gen.body(j.seq, time.Since(start)), j.due))
			}
		}()
	}
	var missed int64
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	n := int64(cfg.Duration / interval)
schedule:
	for i := int64(0); i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				break schedule
			}
		}
		select {
		case jobs <- job{seq: i, due: due}:
		default:
			missed++
		}
	}
	close(jobs)
	wg.Wait()
	res := Result{Missed: missed, Elapsed: time.Since(start), Errors: map[string]int64{}}
	var svc, due []time.Duration
	for _, ss := range samples {
		for _, s := range ss {
			res.Sent++
			switch {
			case s.err != "":
				res.Errors[s.err]++
			case s.status != http.StatusOK:
				res.Errors[strconv.Itoa(s.status)]++
			default:
				res.OK++
			}
			if s.late {
				res.Late++
			}
			if s.folded {
				res.LateFolded++
			}
			svc, due = append(svc, s.service), append(due, s.due)
		}
	}
	res.Service, res.Due = percentiles(svc), percentiles(due)
	return res, ctx.Err()
}

func send(ctx context.Context, c *http.Client, cfg Config, body []byte, due time.Time) sample {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL+"/v1/decide", bytes.NewReader(body))
	if err != nil {
		return sample{err: "request"}
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Key)
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return sample{err: "transport", service: time.Since(t0), due: time.Since(due)}
	}
	b, rerr := io.ReadAll(res.Body)
	res.Body.Close()
	s := sample{status: res.StatusCode, service: time.Since(t0), due: time.Since(due)}
	if rerr != nil {
		s.err = "read"
	}
	// The answer's encoder writes "late":true exactly so; decoding the
	// whole answer would cost the generator more than the server.
	s.late = res.StatusCode == http.StatusOK && bytes.Contains(b, []byte(`"late":true`))
	s.folded = s.late && bytes.Contains(b, []byte(`"folded":true`))
	return s
}

// serviceTime asks the service where its state stands: just after its
// latest event, else the start of its day, else now.
func serviceTime(ctx context.Context, c *http.Client, url string) (time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("loadgen: %w", err)
	}
	res, err := c.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("loadgen: healthz: %w", err)
	}
	defer res.Body.Close()
	var h struct {
		Day    string `json:"day"`
		Latest string `json:"latest_event"`
	}
	if err := json.NewDecoder(res.Body).Decode(&h); err != nil || res.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("loadgen: healthz: status %d, %v", res.StatusCode, err)
	}
	if h.Latest != "" {
		t, err := time.Parse(time.RFC3339Nano, h.Latest)
		if err != nil {
			return time.Time{}, fmt.Errorf("loadgen: healthz latest_event: %w", err)
		}
		return t.Add(time.Millisecond), nil
	}
	if h.Day == "" {
		return time.Now().UTC().Truncate(24 * time.Hour), nil // started empty: any day
	}
	d, err := time.Parse(time.DateOnly, h.Day)
	if err != nil {
		return time.Time{}, fmt.Errorf("loadgen: healthz day: %w", err)
	}
	return d, nil
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	return Percentiles{P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: d[len(d)-1]}
}

// events makes generator-like events: a type mix like a shop's (browsing
// mostly, a scored event in three), over rotating users, devices and
// IPs, at times that advance with the run.
type events struct {
	cfg   Config
	first time.Time
	seed  uint64
}

func newEvents(cfg Config, first time.Time) *events {
	return &events{cfg: cfg, first: first, seed: cfg.Seed}
}

var typeMix = []struct {
	typ  string
	cum  int
	card bool
}{
	{"view", 40, false}, {"click", 52, false}, {"cart", 60, false}, {"fav", 63, false},
	{"login", 73, false}, {"login_failed", 76, false}, {"purchase", 86, true},
	{"payment", 94, true}, {"payment_failed", 97, true}, {"coupon_redeem", 100, false},
}

// body is event seq, stamped at offset since the run began: as a
// checkout stamps an event when it sends it.
func (g *events) body(seq int64, offset time.Duration) []byte {
	r := rand.New(rand.NewPCG(g.seed, uint64(seq)))
	u := r.IntN(g.cfg.Users)
	dev := (u*7 + r.IntN(3)) % g.cfg.Devices // a user keeps to a few devices
	ip := (u*13 + r.IntN(2)) % g.cfg.IPs
	k := r.IntN(100)
	i := 0
	for typeMix[i].cum <= k {
		i++
	}
	t := typeMix[i]
	ts := g.first.Add(offset)
	b := make([]byte, 0, 320)
	b = fmt.Appendf(b, `{"event_id":"lg-%d-%d","ts":"%s","type":"%s","user_id":"lg-user-%d","device_id":"lg-dev-%d","ip":"10.%d.%d.%d"`,
		g.seed, seq, ts.UTC().Format(time.RFC3339Nano), t.typ, u, dev, ip/65536%256, ip/256%256, ip%256)
	if t.card {
		b = fmt.Appendf(b, `,"payment_card":"4%015d","amount":%d.%02d,"currency":"CNY"`, u*7919%1_000_000_000, r.IntN(500), r.IntN(100))
	}
	return append(b, '}')
}
