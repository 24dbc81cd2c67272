package ingest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// realData returns the shared real-data folder, or skips the test.
func realData(t *testing.T, rel string) string {
	t.Helper()
	root := os.Getenv("VEIL_REAL_DATA")
	if root == "" {
		root = filepath.Join("..", "..", "shared", "data", "real")
	}
	path := filepath.Join(root, rel)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real data %s not available (set VEIL_REAL_DATA): %v", rel, err)
	}
	return path
}

// TestTianchiBehaviour ingests real Taobao behaviour rows. The feed has no
// devices, IPs, merchants or amounts: they must come out absent, not
// invented, and every row must be accounted for.
func TestTianchiBehaviour(t *testing.T) {
	src := realData(t, "tianchi-userbehavior/UserBehavior_timeordered_head.csv")
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kinds := map[string]string{"pv": "view", "fav": "fav", "cart": "cart", "buy": "purchase"}
	byDay := map[string]*strings.Builder{}
	users := map[string]bool{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() && n < 20000 {
		c := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(c) != 5 {
			continue
		}
		sec, err := strconv.ParseInt(c[4], 10, 64)
		if err != nil {
			continue
		}
		ts := time.Unix(sec, 0).UTC()
		ev := map[string]any{
			"event_id": fmt.Sprintf("tianchi-%d", n), "ts": ts.Format(time.RFC3339),
			"type": kinds[c[3]], "user_id": "tb" + c[0], "item_id": c[1], "category": "c" + c[2],
		}
		b, _ := json.Marshal(ev)
		d := ts.Format(time.DateOnly)
		if byDay[d] == nil {
			byDay[d] = &strings.Builder{}
		}
		byDay[d].Write(append(b, '\n'))
		users["tb"+c[0]] = true
		n++
	}
	if len(byDay) != 1 {
		t.Fatalf("rows span %d days, want the head file's single day", len(byDay))
	}
	e := newEnv(t)
	for d, b := range byDay {
		e.day, _ = time.Parse(time.DateOnly, d)
		e.land("events", map[string]string{"part-00000.jsonl": b.String()})
	}
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	st := e.stats(schemas.EventsClean, p)
	if st.RecordsIn != int64(n) || !st.Balanced() || st.QuarantinedTotal() != 0 {
		t.Fatalf("in %d of %d, quarantined %v, balanced %v", st.RecordsIn, n, st.Quarantined, st.Balanced())
	}
	rows := e.rows(schemas.EventsClean, p)
	for _, r := range rows {
		for _, absent := range []string{"device_token", "ip_token", "ip_prefix", "merchant_id", "amount"} {
			if _, ok := r[absent]; ok {
				t.Fatalf("%s invented for a feed without it", absent)
			}
		}
		if users[r["user_token"]] {
			t.Fatal("raw user id in output")
		}
	}
	t.Logf("ingested %d real Taobao events of %d users", len(rows), len(users))
}
