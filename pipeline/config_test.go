package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPathsRefusesNesting(t *testing.T) {
	root := t.TempDir()
	land, wh, keys := filepath.Join(root, "landing"), filepath.Join(root, "warehouse"), filepath.Join(root, "keys")
	os.MkdirAll(land, 0o755)
	os.MkdirAll(wh, 0o755)
	// A symlink that leads into the landing zone, and a path through it
	// that does not exist yet.
	link := filepath.Join(root, "innocent")
	if err := os.Symlink(land, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name                 string
		landing, whouse, key string
		want                 []string // substrings of the error; none: accepted
	}{
		{"siblings", land, wh, keys, nil},
		{"warehouse inside landing", land, filepath.Join(land, "wh"), keys, []string{"warehouse " + filepath.Join(land, "wh") + " is inside landing " + land}},
		{"warehouse inside keys", land, filepath.Join(keys, "wh"), keys, []string{"warehouse " + filepath.Join(keys, "wh") + " is inside keys"}},
		{"landing inside warehouse", filepath.Join(wh, "l"), wh, keys, []string{"landing " + filepath.Join(wh, "l") + " is inside warehouse"}},
		{"keys inside warehouse", land, wh, filepath.Join(wh, "k"), []string{"keys " + filepath.Join(wh, "k") + " is inside warehouse"}},
		{"same directory", wh, wh, keys, []string{"warehouse " + wh + " and landing " + wh + " are the same directory"}},
		{"through a symlink", land, filepath.Join(link, "new", "wh"), keys, []string{"is inside landing"}},
		{"relative and unclean", land, filepath.Join(land, "..", "landing", "./x"), keys, []string{"is inside landing"}},
		{"a prefix is not a parent", land, land + "-warehouse", keys, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPaths(c.landing, c.whouse, c.key)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// LoadConfig refuses it with the other problems.
	cfg := filepath.Join(root, "veil.yaml")
	os.WriteFile(cfg, []byte("landing: "+land+"\nwarehouse: "+filepath.Join(land, "wh")+"\nkeys: "+keys+"\nschedules: {}\n"), 0o644)
	_, err := LoadConfig(cfg, []string{"ingest"})
	if err == nil || !strings.Contains(err.Error(), "is inside landing") || !strings.Contains(err.Error(), "schedules.ingest: missing") {
		t.Fatalf("LoadConfig: %v", err)
	}
}

// TestParseConfigRejectsUnknownKeys: a misspelt key is an error naming the
// key and its line, not a setting silently ignored.
func TestParseConfigRejectsUnknownKeys(t *testing.T) {
	_, err := ParseConfig([]byte("landing: l\nwarehouse: w\nkeys: k\nschedual:\n  ingest: \"@hourly\"\nmetrics_addr: \":9464\"\n"))
	if err == nil || err.Error() != `line 4: unknown key "schedual"` {
		t.Fatalf("err = %v", err)
	}
	c, err := ParseConfig([]byte("landing: l\nmetrics_addr: \"127.0.0.1:9464\"\npushgateway: http://pg:9091\n"))
	if err != nil || c.MetricsAddr != "127.0.0.1:9464" || c.Pushgateway != "http://pg:9091" {
		t.Fatalf("%+v %v", c, err)
	}
	if c, err := ParseConfig(nil); err != nil || c == nil {
		t.Fatalf("empty file: %v", err)
	}
}
