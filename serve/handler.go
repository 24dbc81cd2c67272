package serve

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"time"

	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/rules"
)

// Response is POST /v1/decide's answer. It holds tokens, reason codes and
// features, never a raw value of the request.
type Response struct {
	EventID  string   `json:"event_id"`
	Decision string   `json:"decision"` // allow, review or block
	Reasons  []string `json:"reasons"`
	// Score is the model's probability; null without a model or for an
	// event type that is not scored.
	Score       *float64            `json:"score"`
	RuleHits    []RuleHit           `json:"rule_hits"`
	Blacklisted []Listed            `json:"blacklisted"`
	Tokens      Tokens              `json:"tokens"`
	Scored      bool                `json:"scored"`             // false: a type risk_features has no row for; allowed
	Late        bool                `json:"late"`               // older than the service's latest event: scored from the state as it stands
	Folded      bool                `json:"folded"`             // the event entered the state (a late one only within the reorder window)
	Features    map[string]*float64 `json:"features,omitempty"` // ?explain=1: the feature row by name, null where null
}

// RuleHit is a rule that fired.
type RuleHit struct {
	Name     string `json:"name"`
	Version  int    `json:"version"`
	Reason   string `json:"reason"`
	Severity string `json:"severity"`
	Action   string `json:"action"`
	Entity   string `json:"entity"`
}

// Listed is a blacklist entry in force on one of the event's entities.
type Listed struct {
	Version int64  `json:"version"`
	Entity  string `json:"entity"`
	Reason  string `json:"reason"`
	Source  string `json:"source"`
}

// Tokens are the event's entity tokens as events_clean holds them.
type Tokens struct {
	User     string `json:"user,omitempty"`
	Device   string `json:"device,omitempty"`
	IP       string `json:"ip,omitempty"`
	IPPrefix string `json:"ip_prefix,omitempty"`
	Card     string `json:"card,omitempty"`
}

// errorBody is every error's answer: a code and the field it concerns.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, code int, msg, field string) {
	writeJSON(w, code, errorBody{Error: msg, Field: field})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		s.count.rejected.Add(1)
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "")
			return
		}
		writeError(w, http.StatusBadRequest, "unreadable_body", "")
		return
	}
	p, err := s.tok.parse(string(body))
	if err != nil {
		s.count.rejected.Add(1)
		if rj, ok := errors.AsType[*ingest.Rejected](err); ok {
			writeError(w, http.StatusBadRequest, rj.Reason, rj.Field)
			return
		}
		writeError(w, http.StatusBadRequest, "invalid_event", "")
		return
	}
	e := &p.ev
	if s.cfg.MaxFuture > 0 && e.TS > time.Now().Add(s.cfg.MaxFuture).UnixMilli() {
		s.count.rejected.Add(1)
		writeError(w, http.StatusBadRequest, "ts_in_future", "ts")
		return
	}
	st, err := s.st.step(e)
	if err != nil {
		s.fail(w, "state", err)
		return
	}
	resp := Response{
		EventID: e.ID, Decision: rules.Allow.String(), Reasons: []string{}, RuleHits: []RuleHit{}, Blacklisted: []Listed{},
		Scored: st.scored, Late: st.late, Folded: st.folded,
		Tokens: Tokens{User: e.Keys[features.User], Device: e.Keys[features.Device], IP: e.Keys[features.IP], IPPrefix: e.Keys[features.IP24], Card: e.Keys[features.Card]},
	}
	if st.scored {
		dec, err := s.enf.decide(s.cfg.Decider, decide.Input{Event: e, Row: st.row, Source: p.source, Browser: p.browser})
		if err != nil {
			s.fail(w, "decide", err)
			return
		}
		fillDecision(&resp, dec)
		if r.URL.Query().Get("explain") == "1" {
			resp.Features = make(map[string]*float64, len(st.row))
			for i, d := range features.Defs {
				if v := st.row[i]; !features.IsNull(v) {
					resp.Features[d.Name] = &v
				} else {
					resp.Features[d.Name] = nil
				}
			}
		}
	}
	s.count.decided.Add(1)
	if st.late {
		s.count.late.Add(1)
	}
	s.logDecision(r, e, &resp)
	writeJSON(w, http.StatusOK, &resp)
}

// fail answers 500 and logs the error, which names a stage of the
// decision and never a value of the request.
func (s *Server) fail(w http.ResponseWriter, what string, err error) {
	s.count.failed.Add(1)
	s.log.Error("decision failed", "step", what, "err", err)
	writeError(w, http.StatusInternalServerError, "decision_failed", "")
}

func fillDecision(resp *Response, dec decide.Decision) {
	resp.Decision = dec.Action.String()
	resp.Reasons = append(resp.Reasons, dec.Reasons...)
	if !math.IsNaN(dec.Score) {
		sc := dec.Score
		resp.Score = &sc
	}
	for _, h := range dec.Hits {
		resp.RuleHits = append(resp.RuleHits, RuleHit{Name: h.Name, Version: h.Version, Reason: h.Reason,
			Severity: h.Severity.String(), Action: h.Action.String(), Entity: h.Entity.String()})
	}
	for _, b := range dec.Blacklisted {
		resp.Blacklisted = append(resp.Blacklisted, Listed{Version: b.Version, Entity: b.Entity.String(), Reason: b.Reason, Source: b.Source})
	}
}

func (s *Server) logDecision(r *http.Request, e *features.Event, resp *Response) {
	ln := logLine{
		At: time.Now().UTC().Format(time.RFC3339Nano), Key: caller(r.Context()), EventID: e.ID, TS: e.TS, Type: e.Type,
		Tokens: resp.Tokens, Decision: resp.Decision, Reasons: resp.Reasons, Score: resp.Score,
		Late: resp.Late, Folded: resp.Folded, Scored: resp.Scored,
	}
	for _, h := range resp.RuleHits {
		ln.Rules = append(ln.Rules, h.Name)
	}
	s.dlog.write(&ln)
}

// health answers where the state stands and what was decided; nothing
// about any event.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	day, now, from := s.st.position()
	h := map[string]any{
		"status": "ok", "checkpoint": from, "decided": s.count.decided.Load(), "late": s.count.late.Load(),
		"rejected": s.count.rejected.Load(), "failed": s.count.failed.Load(), "blacklist_version": s.enf.version(),
	}
	if day > math.MinInt64/4 {
		h["day"] = time.UnixMilli(day).UTC().Format(time.DateOnly)
	}
	if now >= day && day > math.MinInt64/4 {
		h["latest_event"] = time.UnixMilli(now).UTC().Format(time.RFC3339Nano)
	}
	writeJSON(w, http.StatusOK, h)
}
