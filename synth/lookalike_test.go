package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func truthLookalikes(t *testing.T) []lookGroup {
	t.Helper()
	var out []lookGroup
	for _, line := range readLines(t, filepath.Join(fixtureDir, "truth", "lookalikes.jsonl")) {
		var g lookGroup
		if err := json.Unmarshal(line, &g); err != nil {
			t.Fatal(err)
		}
		out = append(out, g)
	}
	return out
}

// legitEvents returns the fixture's legitimate events: those of fraud
// accounts and those from the attackers' devices (credential stuffing logs
// in to innocent accounts) are left out.
func legitEvents(t *testing.T) []evRec {
	t.Helper()
	fraud, devs := map[string]bool{}, map[string]bool{}
	for _, f := range truthInstances(t) {
		for _, d := range f.DeviceIDs {
			devs[d] = true
		}
		if f.Pattern == PatternCredStuffing {
			continue
		}
		for _, u := range f.UserIDs {
			fraud[u] = true
		}
	}
	var out []evRec
	for _, e := range validEvents(t) {
		if e.UserID != "" && !fraud[e.UserID] && !devs[e.DeviceID] {
			out = append(out, e)
		}
	}
	return out
}

// sharedShare is the share of users linked to another user through key.
func sharedShare(evs []evRec, key func(evRec) string) (share float64, users int) {
	byKey := map[string]map[string]bool{}
	all := map[string]bool{}
	for _, e := range evs {
		all[e.UserID] = true
		if k := key(e); k != "" {
			if byKey[k] == nil {
				byKey[k] = map[string]bool{}
			}
			byKey[k][e.UserID] = true
		}
	}
	shared := map[string]bool{}
	for _, us := range byKey {
		if len(us) > 1 {
			for u := range us {
				shared[u] = true
			}
		}
	}
	return float64(len(shared)) / float64(len(all)), len(all)
}

func TestHouseholdsShareDevicesAndCards(t *testing.T) {
	evs := legitEvents(t)
	dev, n := sharedShare(evs, func(e evRec) string { return e.DeviceID })
	card, _ := sharedShare(evs, func(e evRec) string { return e.Card })
	t.Logf("%d legitimate users: %.2f%% share a device, %.2f%% share a card (pool in households: %.2f%%)",
		n, 100*dev, 100*card, 100*float64(fixtureSum.LookalikeUsers[LookHousehold])/float64(fixtureSum.Users))
	if dev < 0.015 || dev > 0.035 {
		t.Errorf("%.2f%% of legitimate users share a device, want about 2.5%%", 100*dev)
	}
	// Every shared device belongs to a household in the truth.
	hhDev := map[string]bool{}
	households, withCard := 0, 0
	for _, g := range truthLookalikes(t) {
		if g.Kind == LookHousehold {
			households++
			withCard += b2i(len(g.Cards) == 1)
			if len(g.UserIDs) < 2 || len(g.UserIDs) > 5 || len(g.DeviceIDs) != 1 {
				t.Errorf("%s: %d members, devices %v", g.GroupID, len(g.UserIDs), g.DeviceIDs)
			}
			hhDev[g.DeviceIDs[0]] = true
		}
	}
	// Payments are rare enough that a 2-day fixture shows few shared
	// cards in events; the truth says which households share one.
	if withCard*3 < households {
		t.Errorf("%d of %d households share a card", withCard, households)
	}
	users := map[string]map[string]bool{}
	for _, e := range evs {
		if users[e.DeviceID] == nil {
			users[e.DeviceID] = map[string]bool{}
		}
		users[e.DeviceID][e.UserID] = true
	}
	for d, us := range users {
		if len(us) > 1 && !hhDev[d] {
			t.Errorf("device %s shared by %d users outside any household", d, len(us))
		}
	}
}

func TestNATGroupsAndCarrierChurn(t *testing.T) {
	evs := legitEvents(t)
	byIP := map[string]map[string]bool{}
	ipsOf := map[string]map[string]bool{}
	for _, e := range evs {
		if byIP[e.IP] == nil {
			byIP[e.IP] = map[string]bool{}
		}
		byIP[e.IP][e.UserID] = true
		if ipsOf[e.UserID] == nil {
			ipsOf[e.UserID] = map[string]bool{}
		}
		ipsOf[e.UserID][e.IP] = true
	}
	natMax, churned, churnActive := 0, 0, 0
	for _, g := range truthLookalikes(t) {
		switch g.Kind {
		case LookNATOffice, LookNATCampus:
			if len(g.UserIDs) < 10 {
				t.Errorf("%s: %d members, want tens to hundreds", g.GroupID, len(g.UserIDs))
			}
			natMax = max(natMax, len(byIP[g.IPs[0]]))
		case LookCarrierChurn:
			for _, u := range g.UserIDs {
				n := 0
				for ip := range ipsOf[u] {
					n += b2i(inRange(ip, g.IPRange))
				}
				if len(ipsOf[u]) > 0 {
					churnActive++
					churned += b2i(n >= 2)
				}
			}
		}
	}
	ipShare, _ := sharedShare(evs, func(e evRec) string { return e.IP })
	t.Logf("NAT groups: %d offices, %d campuses; most users seen on one NAT IP: %d; "+
		"%d of %d active churning users on 2+ carrier IPs; %.1f%% of legitimate users share an IP",
		fixtureSum.Lookalikes[LookNATOffice], fixtureSum.Lookalikes[LookNATCampus], natMax, churned, churnActive, 100*ipShare)
	if fixtureSum.Lookalikes[LookNATOffice]+fixtureSum.Lookalikes[LookNATCampus] < 2 || natMax < 10 {
		t.Errorf("NAT groups: most users on one NAT IP %d, want 10 or more", natMax)
	}
	if churnActive == 0 || churned*5 < churnActive {
		t.Errorf("%d of %d active churning users seen on 2+ carrier IPs", churned, churnActive)
	}
}

// inRange reports whether an IPv4 address is in a range written a.lo-hi.0.0.
func inRange(ip, r string) bool {
	var a, lo, hi, ia, ib, ic, id int
	if _, err := fmt.Sscanf(r, "%d.%d-%d.0.0", &a, &lo, &hi); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(ip, "%d.%d.%d.%d", &ia, &ib, &ic, &id); err != nil {
		return false
	}
	return ia == a && ib >= lo && ib <= hi
}

func TestBurstsHaveLegitimateOrders(t *testing.T) {
	evs := legitEvents(t)
	liveFirst := map[string]int64{}
	for _, e := range validEvents(t) {
		if e.Live != "" {
			if v, ok := liveFirst[e.Live]; !ok || ms(t, e.TS) < v {
				liveFirst[e.Live] = ms(t, e.TS)
			}
		}
	}
	promo := map[string]*lookGroup{}
	live := 0
	looks := truthLookalikes(t)
	for i := range looks {
		g := &looks[i]
		switch g.Kind {
		case LookPromoBurst:
			promo[g.Dt] = g
		case LookLiveStartBurst:
			live++
		}
	}
	for _, dt := range fixtureDates() {
		g := promo[dt]
		if g == nil {
			t.Fatalf("dt=%s: no promo burst in the truth", dt)
		}
		from := ms(t, g.WindowStart)
		sale := ms(t, dt+"T16:00:00Z")
		orders, coupon := 0, map[string]bool{}
		for _, e := range evs {
			ts := ms(t, e.TS)
			if e.Type == "purchase" && ts >= sale && ts < sale+10*60_000 {
				orders++
			}
			if e.Coupon == g.CouponIDs[0] {
				coupon[e.UserID] = true
			}
		}
		t.Logf("dt=%s %s: %d legitimate orders in the first 10 minutes, %d users on one coupon",
			dt, g.Festival, orders, len(coupon))
		if from < sale-3_600_000 || from > sale || orders < 10 || len(coupon) < 5 {
			t.Errorf("dt=%s: burst from %s, %d orders, %d coupon users", dt, g.WindowStart, orders, len(coupon))
		}
	}
	first := map[string]int{}
	fast := 0
	for _, e := range evs {
		if e.Type == "purchase" && e.Live != "" {
			d := ms(t, e.TS) - liveFirst[e.Live]
			if d < 60_000 {
				first[e.Live]++
			}
			if d < 5_000 {
				fast++
			}
		}
	}
	most := 0
	for _, n := range first {
		most = max(most, n)
	}
	t.Logf("%d live-start bursts; most legitimate orders in a stream's first minute: %d; within 5 s: %d", live, most, fast)
	if live == 0 || most < 4 {
		t.Errorf("%d live-start bursts, at most %d legitimate orders in a first minute", live, most)
	}
}

func TestFestivalBurstIsBigger(t *testing.T) {
	w := newWorld(Config{Days: 1, Events: 100_000, Seed: 1}.WithDefaults())
	size := func(start string) int {
		g := newDayGen(w, 0, 50_000, &DayStats{Malformed: map[string]int{}})
		g.start = ms(t, start+"T00:00:00Z")
		g.end = g.start + msPerDay
		return g.promoBurst(newRNG(1))
	}
	flash, d11 := size("2026-11-19"), size("2026-11-10") // China's 11-11 starts at 16:00 UTC on 11-10
	if d11 < 4*flash {
		t.Errorf("Double Eleven burst %d events, flash sale %d", d11, flash)
	}
}

// The look-alikes draw from RNG streams of their own: the fraud truth is
// byte for byte what it was before they existed.
func TestFraudUnchangedByLookalikes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtureDir, "truth", "ground_truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	const want = "0ce7e2f494dc137a91695057efffd8ca87bdc2c871af9812d5500b06088f4143"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("ground_truth.jsonl sha256 %s, want %s", got, want)
	}
	if fixtureSum.FraudInstances != 8 {
		t.Errorf("%d fraud instances, want 8", fixtureSum.FraudInstances)
	}
	for _, p := range []string{PatternCouponRing, PatternCredStuffing, PatternCardTesting, PatternLiveBots} {
		if fixtureSum.Fraud[p] != 2 {
			t.Errorf("%s: %d instances, want 2", p, fixtureSum.Fraud[p])
		}
	}
}

// Look-alike groups hold legitimate users only: no fraud account is in one.
func TestLookalikesAreLegitimate(t *testing.T) {
	fraud := map[string]bool{}
	for _, f := range truthInstances(t) {
		if f.Pattern != PatternCredStuffing { // its victims are legitimate
			for _, u := range f.UserIDs {
				fraud[u] = true
			}
		}
	}
	for _, g := range truthLookalikes(t) {
		for _, u := range g.UserIDs {
			if fraud[u] {
				t.Errorf("%s %s: fraud account %s", g.Kind, g.GroupID, u)
			}
		}
	}
}
