package appeals

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"
)

// FuzzVerify: whatever bytes stand in the log file, Open does not panic,
// and anything but the log veil wrote fails verification.
func FuzzVerify(f *testing.F) {
	files, key := newLog(f)
	l, err := Open(files, key)
	if err != nil {
		f.Fatal(err)
	}
	for i, d := range []string{Lift, Uphold} {
		if _, err := l.Decide(testCases[i], d, "alice", "reviewed", t0.Add(time.Duration(i)*time.Hour)); err != nil {
			f.Fatal(err)
		}
	}
	good, err := os.ReadFile(files.Log)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("{}\n"))
	f.Add(bytes.Replace(good, []byte(`"alice"`), []byte(`"bob"`), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(files.Log, b, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := Open(files, key)
		if err != nil {
			t.Fatal(err)
		}
		err = l.Verify()
		if bytes.Equal(b, good) != (err == nil) {
			t.Fatalf("verify of %q: %v", b, err)
		}
		if err != nil && !errors.Is(err, ErrTampered) {
			t.Fatalf("not a VerifyError: %v", err)
		}
	})
}
