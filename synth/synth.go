// Package synth generates a realistic, messy, reproducible landing zone for
// veil: behaviour events, customer-service chats, labels, opt-outs and
// appeals in the layout and shapes of package schemas, with injected fraud
// whose ground truth goes to a separate truth directory the pipeline never
// reads.
//
// Layout under Config.Out:
//
//	landing/events/dt=D/part-NNNNN.jsonl[.gz]  + _SUCCESS
//	landing/chats/dt=D/part-NNNNN.jsonl        + _SUCCESS
//	landing/labels/dt=D/labels.jsonl           + _SUCCESS
//	landing/optouts/dt=D/optouts.jsonl         + _SUCCESS
//	landing/appeals/dt=D/appeals.jsonl         + _SUCCESS
//	truth/ground_truth.jsonl   one line per injected fraud instance
//	truth/chat_pii.jsonl       the PII planted in each chat message
//	truth/appeals.jsonl        whether each appellant was innocent
//	truth/optouts.jsonl        per day, each consumer who has made a
//	                           consent request and whether they are opted
//	                           out at the end of that day
//	truth/lookalikes.jsonl     legitimate groups that look like fraud:
//	                           households, NAT groups, churning mobile
//	                           users (whole pool), promo and live-start
//	                           bursts (per day)
//	truth/summary.json         the Summary, with per-day counts
//
// The same Config always gives the same bytes. Memory stays bounded however
// many events are asked for: users are derived from (seed, index) on demand
// and events stream through a time heap holding only sessions in flight.
package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Config says what to generate.
type Config struct {
	Out    string    // root directory; Generate writes Out/landing/... and Out/truth/...
	Start  time.Time // first day, a UTC midnight; zero means 2026-11-19
	Days   int       // number of days, 1..1000
	Events int       // total event lines across all days, split evenly
	Seed   int64
	Gzip   bool // events as .jsonl.gz (chats are always plain .jsonl)
	// ChatRatio is chat messages per event line; zero means 0.05, negative
	// means no chats.
	ChatRatio float64
	// PartLines is the most lines per part file; zero means 250,000.
	PartLines int
}

// DefaultStart is the first day when Config.Start is zero.
var DefaultStart = time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)

const (
	defaultChatRatio = 0.05
	defaultPartLines = 250_000
	maxDays          = 1000
)

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC()
	switch {
	case c.ChatRatio == 0:
		c.ChatRatio = defaultChatRatio
	case c.ChatRatio < 0:
		c.ChatRatio = 0
	}
	if c.PartLines == 0 {
		c.PartLines = defaultPartLines
	}
	return c
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	if c.Out == "" {
		errs = append(errs, errors.New("out: required"))
	}
	if c.Days < 1 || c.Days > maxDays {
		errs = append(errs, fmt.Errorf("days: %d not in 1..%d", c.Days, maxDays))
	}
	if c.Events < 0 {
		errs = append(errs, fmt.Errorf("events: %d is negative", c.Events))
	}
	if s := c.Start.UTC(); !c.Start.IsZero() && s != s.Truncate(24*time.Hour) {
		errs = append(errs, fmt.Errorf("start: %s is not a UTC midnight", c.Start.Format(time.RFC3339)))
	}
	if c.ChatRatio > 10 {
		errs = append(errs, fmt.Errorf("chat ratio: %g is more than 10 messages per event", c.ChatRatio))
	}
	if c.PartLines < 0 {
		errs = append(errs, fmt.Errorf("part lines: %d is negative", c.PartLines))
	}
	return errors.Join(errs...)
}

// Summary counts what Generate wrote. Events counts every line of the events
// feed, so it includes the duplicate and the malformed lines.
type Summary struct {
	Start          string         `json:"start"`
	Days           int            `json:"days"`
	Users          int            `json:"users"` // existing-user pool size
	Events         int            `json:"events"`
	Types          map[string]int `json:"types"` // well-formed lines by type, duplicates excluded
	Quarantinable  int            `json:"quarantinable"`
	Malformed      map[string]int `json:"malformed"` // quarantinable lines by reason
	Duplicates     int            `json:"duplicates"`
	ExtraFields    int            `json:"extra_fields"` // lines with an undeclared field
	Chats          int            `json:"chats"`
	ChatPII        int            `json:"chat_pii"` // messages carrying planted PII
	Labels         int            `json:"labels"`
	PendingLabels  int            `json:"pending_labels"` // known only after the last day, not written
	OptOuts        int            `json:"optouts"`        // consent requests, withdrawals included
	Withdrawals    int            `json:"withdrawals"`    // of them, withdrawals of an earlier opt-out
	Appeals        int            `json:"appeals"`
	FraudInstances int            `json:"fraud_instances"`
	Fraud          map[string]int `json:"fraud"`           // instances by pattern
	Lookalikes     map[string]int `json:"lookalikes"`      // legitimate look-alike groups by kind
	LookalikeUsers map[string]int `json:"lookalike_users"` // their members (bursts: per day, summed)
	PerDay         []DayStats     `json:"per_day"`
	Files          []string       `json:"files"` // data files, relative to Out, in write order
}

// DayStats are one day's counts.
type DayStats struct {
	Date        string         `json:"dt"`
	Events      int            `json:"events"`
	Duplicates  int            `json:"duplicates"`
	ExtraFields int            `json:"extra_fields"`
	Malformed   map[string]int `json:"malformed"`
	Types       map[string]int `json:"types"`
	Chats       int            `json:"chats"`
	ChatPII     int            `json:"chat_pii"`
	Labels      int            `json:"labels"`
	OptOuts     int            `json:"optouts"`
	Withdrawals int            `json:"withdrawals"`
	Appeals     int            `json:"appeals"`
	Fraud       int            `json:"fraud_instances"`
}

// Generate writes the landing zone and the truth for cfg.
func Generate(ctx context.Context, cfg Config) (Summary, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return Summary{}, fmt.Errorf("synth config: %w", err)
	}
	gen := &generator{cfg: cfg, w: newWorld(cfg)}
	sum, err := gen.run(ctx)
	if err != nil {
		return sum, fmt.Errorf("synth: %w", err)
	}
	return sum, nil
}

type generator struct {
	cfg   Config
	w     *world
	sum   Summary
	truth struct{ fraud, pii, appeals, optouts, looks *sink }
}

func (gen *generator) run(ctx context.Context) (sum Summary, err error) {
	cfg := gen.cfg
	gen.sum = Summary{
		Start: cfg.Start.Format(time.DateOnly), Days: cfg.Days, Users: gen.w.users,
		Types: map[string]int{}, Malformed: map[string]int{}, Fraud: map[string]int{},
		Lookalikes: map[string]int{}, LookalikeUsers: map[string]int{},
	}
	truthDir := filepath.Join(cfg.Out, "truth")
	sinks := []**sink{&gen.truth.fraud, &gen.truth.pii, &gen.truth.appeals, &gen.truth.optouts, &gen.truth.looks}
	for i, name := range []string{"ground_truth.jsonl", "chat_pii.jsonl", "appeals.jsonl", "optouts.jsonl", "lookalikes.jsonl"} {
		if *sinks[i], err = newSink(truthDir, fixedName(name), false, 0); err != nil {
			return gen.sum, err
		}
	}
	defer func() {
		for _, s := range sinks {
			files, cerr := (*s).close(err != nil)
			err = errors.Join(err, cerr)
			gen.addFiles(files...)
		}
		if err == nil {
			err = gen.writeSummary(truthDir)
		}
		sum = gen.sum
	}()

	if err := gen.writeStaticLookalikes(); err != nil {
		return gen.sum, err
	}
	for d := 0; d < cfg.Days; d++ {
		n := cfg.Events / cfg.Days
		if d < cfg.Events%cfg.Days {
			n++
		}
		if err := gen.day(ctx, d, n); err != nil {
			return gen.sum, err
		}
	}
	return gen.sum, nil
}

func (gen *generator) day(ctx context.Context, d, n int) error {
	w, cfg := gen.w, gen.cfg
	stats := &DayStats{Malformed: map[string]int{}, Types: map[string]int{}}
	g := newDayGen(w, d, n, stats)
	stats.Date = g.date

	ext := ".jsonl"
	if cfg.Gzip {
		ext += ".gz"
	}
	err := gen.partition(ctx, "events", g.date, partName(ext), cfg.Gzip, cfg.PartLines, func(s *sink) error {
		return g.run(ctx, s)
	})
	if err != nil {
		return err
	}
	for t, c := range g.types {
		stats.Types[evTypeNames[t]] = c
	}
	g.settleFraud()
	var b []byte
	for _, inst := range g.fraud {
		if b, err = json.Marshal(inst); err != nil {
			return err
		}
		gen.truth.fraud.line(b)
		gen.sum.Fraud[inst.Pattern]++
		gen.sum.PendingLabels += len(inst.PendingLabelUserIDs)
	}
	stats.Fraud = len(g.fraud)
	for _, lg := range g.looks {
		if b, err = json.Marshal(lg); err != nil {
			return err
		}
		gen.truth.looks.line(b)
		gen.sum.Lookalikes[lg.Kind]++
		gen.sum.LookalikeUsers[lg.Kind] += len(lg.UserIDs)
	}
	gen.consentTruth(g.date)

	steps := []struct {
		feed string
		name func(int) string
		max  int
		fill func(*sink) error
	}{
		{"chats", partName(".jsonl"), cfg.PartLines, func(s *sink) error { return g.runChats(ctx, s, gen.truth.pii) }},
		{"labels", fixedName("labels.jsonl"), 0, func(s *sink) error { g.labelLines(s); return nil }},
		{"optouts", fixedName("optouts.jsonl"), 0, func(s *sink) error { g.optoutLines(s); return nil }},
		{"appeals", fixedName("appeals.jsonl"), 0, func(s *sink) error {
			as := g.appeals()
			for i := range as {
				b = appendAppeal(b[:0], &as[i])
				s.line(b)
				b = appendAppealTruth(b[:0], g.date, &as[i])
				gen.truth.appeals.line(b)
			}
			stats.Appeals = len(as)
			return nil
		}},
	}
	for _, st := range steps {
		if err := gen.partition(ctx, st.feed, g.date, st.name, false, st.max, st.fill); err != nil {
			return err
		}
	}
	gen.addDay(stats)
	return nil
}

// partition writes one landing partition: data files, then _SUCCESS.
func (gen *generator) partition(ctx context.Context, feed, dt string, name func(int) string, gz bool, maxLines int, fill func(*sink) error) error {
	dir := filepath.Join(gen.cfg.Out, "landing", feed, "dt="+dt)
	p, err := openPartition(dir)
	if err != nil {
		return err
	}
	s, err := newSink(dir, name, gz, maxLines)
	if err != nil {
		return err
	}
	ferr := fill(s)
	if ferr == nil {
		ferr = ctx.Err()
	}
	files, err := s.close(ferr != nil)
	if err = errors.Join(ferr, err); err != nil {
		return fmt.Errorf("%s dt=%s: %w", feed, dt, err)
	}
	gen.addFiles(files...)
	if _, err := p.commit(files); err != nil {
		return fmt.Errorf("%s dt=%s: %w", feed, dt, err)
	}
	return nil
}

func (gen *generator) addFiles(files ...string) {
	for _, f := range files {
		if rel, err := filepath.Rel(gen.cfg.Out, f); err == nil {
			f = filepath.ToSlash(rel)
		}
		gen.sum.Files = append(gen.sum.Files, f)
	}
}

func (gen *generator) addDay(st *DayStats) {
	s := &gen.sum
	s.Events += st.Events
	s.Duplicates += st.Duplicates
	s.ExtraFields += st.ExtraFields
	for k, v := range st.Malformed {
		s.Malformed[k] += v
		s.Quarantinable += v
	}
	for k, v := range st.Types {
		s.Types[k] += v
	}
	s.Chats += st.Chats
	s.ChatPII += st.ChatPII
	s.Labels += st.Labels
	s.OptOuts += st.OptOuts
	s.Withdrawals += st.Withdrawals
	s.Appeals += st.Appeals
	s.FraudInstances += st.Fraud
	s.PerDay = append(s.PerDay, *st)
}

func (gen *generator) writeSummary(dir string) error {
	b, err := json.MarshalIndent(gen.sum, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "summary.json")
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return err
	}
	gen.addFiles(path)
	return nil
}
