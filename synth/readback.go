package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Reading a generated world back, for the tests and measurements that
// score veil against the ground truth: the landing events of a day as the
// ingest stage would accept them, and who is fraud or a look-alike.

// LandingEvent is one generated event with the fields risk features read.
type LandingEvent struct {
	ID     string
	TS     time.Time // UTC
	Type   string
	User   string
	Device string
	IP     string
	Prefix string // the IP's /24 (IPv4) or /48 (IPv6), "" without a valid IP
	Card   string
	Live   string
	Amount *float64 // nil when absent or negative
}

type landingLine struct {
	EventID string   `json:"event_id"`
	TS      string   `json:"ts"`
	Type    string   `json:"type"`
	UserID  string   `json:"user_id"`
	Device  string   `json:"device_id"`
	IP      string   `json:"ip"`
	Card    string   `json:"payment_card"`
	Live    string   `json:"live_session_id"`
	Amount  *float64 `json:"amount"`
}

// ReadLandingDay reads out/landing/events/dt=day/*.jsonl and keeps what
// ingest would: parseable lines with an event id, a user and a type,
// timestamped on the day, the first of each event id (seen carries ids
// across days).
func ReadLandingDay(out string, day time.Time, seen map[string]bool) ([]LandingEvent, error) {
	dir := filepath.Join(out, "landing", "events", "dt="+day.Format(time.DateOnly))
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	var evs []LandingEvent
	for _, f := range files {
		if evs, err = readLandingFile(f, day.UTC(), seen, evs); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

func readLandingFile(path string, day time.Time, seen map[string]bool, evs []LandingEvent) ([]LandingEvent, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l landingLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.EventID == "" || l.UserID == "" || l.Type == "" || seen[l.EventID] {
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, l.TS)
		if err != nil || ts.UTC().Truncate(24*time.Hour) != day {
			continue
		}
		seen[l.EventID] = true
		e := LandingEvent{ID: l.EventID, TS: ts.UTC(), Type: l.Type, User: l.UserID, Device: l.Device,
			Card: l.Card, Live: l.Live}
		if a, err := netip.ParseAddr(l.IP); err == nil {
			bits := 24
			if a.Is6() && !a.Is4In6() {
				bits = 48
			}
			p, _ := a.Prefix(bits)
			e.IP, e.Prefix = l.IP, p.String()
		}
		if l.Amount != nil && *l.Amount >= 0 {
			e.Amount = l.Amount
		}
		evs = append(evs, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return evs, nil
}

// Truth is who the generator made fraudulent and who it made look so.
type Truth struct {
	// Fraud maps the accounts of an injected instance to its pattern.
	Fraud map[string]string
	// Compromised maps the legitimate accounts an instance took over
	// (credential stuffing's victims) to its pattern.
	Compromised map[string]string
	// Lookalike maps legitimate users in a look-alike group to its kind.
	Lookalike map[string]string
}

// ReadTruth reads out/truth/ground_truth.jsonl and lookalikes.jsonl.
func ReadTruth(out string) (*Truth, error) {
	tr := &Truth{Fraud: map[string]string{}, Compromised: map[string]string{}, Lookalike: map[string]string{}}
	var insts []fraudInstance
	if err := readJSONLines(filepath.Join(out, "truth", "ground_truth.jsonl"), &insts); err != nil {
		return nil, err
	}
	for _, in := range insts {
		for _, u := range in.UserIDs {
			tr.Fraud[u] = in.Pattern
		}
		for _, u := range in.CompromisedUserIDs {
			tr.Compromised[u] = in.Pattern
		}
	}
	var groups []lookGroup
	if err := readJSONLines(filepath.Join(out, "truth", "lookalikes.jsonl"), &groups); err != nil {
		return nil, err
	}
	for _, g := range groups {
		for _, u := range g.UserIDs {
			if _, fraud := tr.Pattern(u); !fraud {
				tr.Lookalike[u] = g.Kind
			}
		}
	}
	return tr, nil
}

// Pattern is the pattern of the instance u belongs to or was taken over
// by, and whether there is one.
func (t *Truth) Pattern(u string) (string, bool) {
	if p, ok := t.Fraud[u]; ok {
		return p, true
	}
	p, ok := t.Compromised[u]
	return p, ok
}

func readJSONLines[T any](path string, out *[]T) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			return fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		*out = append(*out, v)
	}
	return nil
}
