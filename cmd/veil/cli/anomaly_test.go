package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// skipUnbuilt skips while risk/outlier's algorithm is still a placeholder.
func skipUnbuilt(t *testing.T, errOut string) {
	t.Helper()
	if strings.Contains(errOut, "not built yet") {
		t.Skip("risk/outlier: algorithm not built yet")
	}
}

// readBack reads every column of a Parquet file written by veil anomaly.
func readBack(t *testing.T, path string) (int, map[string][]parquet.Value) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string][]parquet.Value{}
	vals := make([]parquet.Value, 512)
	for i, p := range pf.Schema().Columns() {
		err := eachValue(pf, i, vals, func(v parquet.Value) error {
			cols[p[0]] = append(cols[p[0]], v.Clone())
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return int(pf.NumRows()), cols
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// blobsFile writes n blob points with veil anomaly blobs.
func blobsFile(t *testing.T, name string, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if code, _, errOut := run(t, "anomaly", "blobs", "--n", strconv.Itoa(n), "--dims", "3", "--seed", "3", "--out", p); code != 0 {
		t.Fatalf("blobs: %s", errOut)
	}
	return p
}

func TestAnomalyModes(t *testing.T) {
	for _, in := range []string{"in.csv", "in.parquet"} {
		src := blobsFile(t, in, 400)
		for _, mode := range []struct {
			name string
			args []string
			cols []string
		}{
			{"lof", []string{"--n-neighbors", "10", "--contamination", "0.05"}, []string{"score", "outlier"}},
			{"dbscan", []string{"--eps", "1.2", "--min-samples", "4"}, []string{"label", "core"}},
			{"optics", []string{"--min-samples", "6"}, []string{"label", "reachability", "core_distance", "ordering", "predecessor"}},
		} {
			t.Run(in+"/"+mode.name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out.parquet")
				args := append([]string{"anomaly", mode.name, "--in", src, "--columns", "x0,x1,x2", "--keep", "truth", "--standardize", "--out", out}, mode.args...)
				code, stdout, errOut := run(t, args...)
				skipUnbuilt(t, errOut)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if !strings.HasPrefix(stdout, mode.name+": 400 rows, 3 columns: ") || !strings.Contains(stdout, " s (read ") {
					t.Errorf("summary: %q", stdout)
				}
				n, cols := readBack(t, out)
				if n != 400 {
					t.Fatalf("%d rows written, want 400", n)
				}
				for _, c := range append([]string{"row", "truth"}, mode.cols...) {
					if len(cols[c]) != n {
						t.Errorf("column %s: %d values", c, len(cols[c]))
					}
				}
				for i, v := range cols["row"] {
					if v.Int64() != int64(i) {
						t.Fatalf("row %d has row number %d", i, v.Int64())
					}
				}
				if mode.name == "lof" {
					flagged := 0
					for _, v := range cols["outlier"] {
						if v.Boolean() {
							flagged++
						}
					}
					if flagged != 20 { // contamination 0.05 of 400
						t.Errorf("%d outliers flagged, want 20", flagged)
					}
				}
				if mode.name == "optics" {
					seen := make([]bool, n)
					for _, v := range cols["ordering"] {
						seen[v.Int64()] = true
					}
					for i, ok := range seen {
						if !ok {
							t.Fatalf("ordering has no row at position %d", i)
						}
					}
				}
			})
		}
	}
}

func TestAnomalyCSVOutputRoundTrips(t *testing.T) {
	src := writeFile(t, "in.csv", "\ufeffid,a,b\nu1,0,0\nu2,0,1\nu3,1,0\nu4,1,1\nu5,9,9\n")
	out := filepath.Join(t.TempDir(), "out.csv")
	code, _, errOut := run(t, "anomaly", "lof", "--in", src, "--columns", "a,b", "--keep", "id", "--n-neighbors", "2", "--out", out)
	skipUnbuilt(t, errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 6 || lines[0] != "row,id,score,outlier" || !strings.HasPrefix(lines[5], "4,u5,") || !strings.HasSuffix(lines[5], ",true") {
		t.Errorf("csv output:\n%s", b)
	}
}

func TestAnomalyBadInput(t *testing.T) {
	pq := blobsFile(t, "in.parquet", 50)
	cases := []struct {
		name, body string
		args       []string
		want       string
	}{
		{"missing column", "a,b\n1,2\n", []string{"--columns", "a,c"}, `no column "c"`},
		{"not a number", "a,b\n1,2\n3,secret-value\n", []string{"--columns", "a,b"}, "row 2, column b: not a number"},
		{"empty cell", "a,b\n1,\n", []string{"--columns", "a,b"}, "row 1, column b: empty cell"},
		{"nan", "a,b\n1,2\nNaN,2\n", []string{"--columns", "a,b"}, "row 2, column a: NaN or infinite"},
		{"inf", "a,b\n1,-Inf\n", []string{"--columns", "a,b"}, "row 1, column b: NaN or infinite"},
		{"empty file", "", []string{"--columns", "a"}, "empty file"},
		{"header only", "a,b\n", []string{"--columns", "a"}, "no data rows"},
		{"short row", "a,b\n1,2\n3\n", []string{"--columns", "a,b"}, "row 2 (line 3)"},
		{"bad contamination", "a\n1\n", []string{"--columns", "a", "--contamination", "0.7"}, "--contamination"},
		{"keep clashes", "a,score\n1,2\n2,3\n", []string{"--columns", "a", "--keep", "score"}, "already has a column"},
		{"named twice", "a\n1\n", []string{"--columns", "a,a"}, "named twice"},
		{"parquet missing column", "", []string{"--in", pq, "--columns", "x0,nope"}, `no top-level column "nope"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.csv")
			if err := os.WriteFile(in, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.parquet")
			args := append([]string{"anomaly", "lof", "--in", in, "--out", out}, c.args...)
			code, _, errOut := run(t, args...)
			if c.name == "keep clashes" {
				skipUnbuilt(t, errOut)
			}
			if code == 0 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want an error containing %q", code, errOut, c.want)
			}
			if strings.Contains(errOut, "secret-value") {
				t.Errorf("error repeats the cell's value: %s", errOut)
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if e.Name() != "in.csv" {
					t.Errorf("left %s behind", e.Name())
				}
			}
		})
	}
}

func TestAnomalyParquetNonNumericColumn(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.parquet")
	cols := []*outColumn{{name: "x", floats: []float64{1, 2, 3}}, {name: "name", strs: []string{"a", "b", "c"}, valid: []bool{true, true, true}}}
	if err := writeOutput(in, 3, cols); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "anomaly", "dbscan", "--in", in, "--columns", "x,name", "--out", filepath.Join(dir, "o.parquet"))
	if code == 0 || !strings.Contains(errOut, "column name: BYTE_ARRAY is not numeric") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
