package keys

import (
	"context"
	"errors"
	"os"
	"testing"
)

// TestAppealsKey: Init makes the appeals log's keyset under the pipeline
// KEK; a folder made before it gets it on first use (InitAppealsKey, only
// under the folder's own KEK) or from InitMACKeys; Rotate rotates it where
// it exists and does without it where it does not.
func TestAppealsKey(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	if _, err := OpenAppealsKey(ctx, dir, kek); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenAppealsKey(ctx, dir, reid); err == nil {
		t.Error("appeals keyset opened under the re-identification KEK")
	}
	if made, err := InitAppealsKey(ctx, dir, kek); err != nil || made {
		t.Errorf("InitAppealsKey on a folder that has it = %v, %v", made, err)
	}

	os.Remove(Path(dir, Appeals)) // a folder made before the appeals log
	if _, err := OpenAppealsKey(ctx, dir, kek); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing appeals keyset: %v", err)
	}
	if res, err := Rotate(ctx, dir, kek, reid); err != nil || len(res.Keysets) != 6 { // the report-signing keyset is there
		t.Fatalf("Rotate without the appeals keyset = %+v, %v", res, err)
	}
	if _, err := InitAppealsKey(ctx, dir, reid); err == nil {
		t.Error("InitAppealsKey under a KEK that does not open the folder's keysets")
	}
	if made, err := InitAppealsKey(ctx, dir, kek); err != nil || !made {
		t.Fatalf("InitAppealsKey = %v, %v", made, err)
	}
	m, err := OpenAppealsKey(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := m.ComputeMAC([]byte("decision"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Rotate(ctx, dir, kek, reid)
	if err != nil || len(res.Keysets) != 7 || res.Keysets[5].Name != Appeals {
		t.Fatalf("Rotate = %+v, %v", res, err)
	}
	if m, err = OpenAppealsKey(ctx, dir, kek); err != nil || m.VerifyMAC(tag, []byte("decision")) != nil {
		t.Errorf("a tag made before the rotation: %v", err)
	}

	os.Remove(Path(dir, Appeals))
	if created, err := InitMACKeys(ctx, dir, kek, nil); err != nil || len(created) != 1 || created[0] != Appeals {
		t.Errorf("InitMACKeys = %v, %v", created, err)
	}
}
