package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/sinks"
)

// TestRotationAndPolicyMakeDue: a partition made under a key that is no
// longer primary, or under another configuration, is due again.
func TestRotationAndPolicyMakeDue(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "keys")
	kek, err := keys.InitKEK(filepath.Join(t.TempDir(), "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	reid, err := keys.InitKEK(filepath.Join(t.TempDir(), "reid-kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Init(ctx, dir, kek, keys.WithReidentifyKEK(reid)); err != nil {
		t.Fatal(err)
	}
	open := func(ctx context.Context) (*keys.Set, error) { return keys.Open(ctx, dir, kek) }
	set, _ := open(ctx)
	ids := map[string]uint32{}
	for _, ks := range set.Info() {
		ids[ks.Name] = ks.PrimaryKeyID
	}

	st := &copyStage{keyIDs: ids, config: "policy-1"}
	r, _ := newRunner(t, st)
	r.Env.Keys = open
	land(t, r.Env.Landing, "{}\n", true)
	if out, err := r.RunOne(ctx, st, day, false); err != nil || out != Ran {
		t.Fatalf("first run: %v %v", out, err)
	}
	if out, _ := r.RunOne(ctx, st, day, false); out != UpToDate {
		t.Fatalf("second run: %v, want up to date", out)
	}

	st.config = "policy-2"
	status, err := r.Check(st, day)
	if err != nil || !status.Due || !strings.Contains(status.Reason, "configuration") {
		t.Fatalf("after a policy change: %+v %v, want due", status, err)
	}
	if out, _ := r.RunOne(ctx, st, day, false); out != Ran {
		t.Fatalf("after a policy change: %v, want ran", out)
	}

	if _, err := keys.Rotate(ctx, dir, kek, reid); err != nil {
		t.Fatal(err)
	}
	status, err = r.Check(st, day)
	if err != nil || !status.Due || !strings.Contains(status.Reason, "rotated keys") {
		t.Fatalf("after rotation: %+v %v, want due for rotated keys", status, err)
	}
}

func TestMixedKeyEpochsRefused(t *testing.T) {
	a := &sinks.Manifest{KeyIDs: map[string]uint32{"tokens-reversible": 1, "tokens-oneway": 7}}
	b := &sinks.Manifest{KeyIDs: map[string]uint32{"tokens-reversible": 2, "tokens-oneway": 7}}
	if err := checkEpochs(map[string]*sinks.Manifest{"x/dt=1": a, "x/dt=2": a}); err != nil {
		t.Fatalf("same epoch refused: %v", err)
	}
	err := checkEpochs(map[string]*sinks.Manifest{"x/dt=1": a, "x/dt=2": b})
	if err == nil || !strings.Contains(err.Error(), "tokens-reversible") {
		t.Fatalf("mixed epochs: err = %v", err)
	}
}
