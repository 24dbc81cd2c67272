package bytesize

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "512MiB": 512 << 20, " 2 GiB ": 2 << 30, "64KiB": 64 << 10} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "1.5GiB", "12x", "MiB"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}
