package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/configs"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// badCase is one folder of ../testdata/badinput: landing files and
// expect.json (see testdata/badinput/README.md).
type badCase struct {
	Doc string `json:"doc"`
	// Damage builds the gzip form: truncate (the last member cut in
	// half), crc (the last member's CRC-32 flipped), trailing (bytes
	// after the last member), as_is (the plain bytes under a .gz name).
	Damage  string `json:"damage"`
	Members int    `json:"members"` // gzip members, split by lines
	// Symlink lands each file as a symlink: inside (target elsewhere in
	// landing), outside (target outside it), dangling.
	Symlink string      `json:"symlink"`
	Mkdir   string      `json:"mkdir"`  // a directory to make in the partition
	Policy  [][2]string `json:"policy"` // replacements in the default policy's text
	Expect  expectation `json:"expect"`
	// Gzip and GzipQuarantine replace Expect for the gzip form, under
	// the policy as given and under on_damaged_file: quarantine.
	Gzip           *expectation `json:"gzip"`
	GzipQuarantine *expectation `json:"gzip_quarantine"`
}

// expectation is a run's accounting, or the error it must fail with.
type expectation struct {
	Fails       string            `json:"fails"`
	LinesIn     int64             `json:"lines_in"` // records in: non-blank lines, plus one per damaged remainder
	Written     int64             `json:"written"`
	Quarantined map[string]int64  `json:"quarantined"`
	Duplicates  int64             `json:"duplicates"`
	Lines       map[string]string `json:"lines"`   // physical line -> reason[/field]
	Refused     map[string]string `json:"refused"` // name in the partition -> reason
	Damaged     string            `json:"damaged"` // the damage kind of the (one) damaged file
	Dropped     map[string]int64  `json:"dropped"`
	// Values are columns of events_clean rows, by event_id.
	Values map[string]map[string]string `json:"values"`
}

// planted are the raw values every catalogue line carries (ingest_test's
// good line): none may appear in an error, a log line, a quarantine row
// or the stats, in any form.
var planted = []string{"u00000001", "dev-aaaaaaaaaaaa", "203.0.113.7", "4111 1111 1111 1111", "4111111111111111",
	"+86 138 1234 5678", "8613812345678", "Jane.Doe@Example.com", "jane.doe@example.com"}

// TestBadInputCatalogue runs every case of ../testdata/badinput in plain
// and gzip form (and, for damaged files, under on_damaged_file:
// quarantine): the run either fails with the named reason and commits
// nothing, or accounts for every record (records in = written +
// quarantined + duplicates) exactly as the case expects.
func TestBadInputCatalogue(t *testing.T) {
	root := filepath.Join("..", "testdata", "badinput")
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []os.DirEntry
	for _, d := range ents {
		if d.IsDir() {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) < 24 {
		t.Fatalf("%d cases, want at least 24", len(dirs))
	}
	set := sharedKeys(t)
	for _, d := range dirs {
		dir := filepath.Join(root, d.Name())
		b, err := os.ReadFile(filepath.Join(dir, "expect.json"))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var bc badCase
		if err := dec.Decode(&bc); err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		forms := []struct {
			name       string
			gz         bool
			quarantine bool
			want       *expectation
		}{{"plain", false, false, &bc.Expect}, {"gzip", true, false, &bc.Expect}}
		if bc.Gzip != nil {
			forms[1].want = bc.Gzip
		}
		if bc.GzipQuarantine != nil {
			forms = append(forms, struct {
				name       string
				gz         bool
				quarantine bool
				want       *expectation
			}{"gzip_quarantine", true, true, bc.GzipQuarantine})
		}
		for _, f := range forms {
			t.Run(d.Name()+"/"+f.name, func(t *testing.T) {
				runBadCase(t, set, dir, &bc, f.gz, f.quarantine, f.want)
			})
		}
	}
}

func runBadCase(t *testing.T, set *keys.Set, dir string, bc *badCase, gz, quarantine bool, want *expectation) {
	e := newEnvKeys(t, set)
	var logs bytes.Buffer
	e.log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	landed := landCase(t, e, dir, bc, gz)

	text := string(configs.Policy)
	for _, r := range bc.Policy {
		text = strings.Replace(text, r[0], r[1], 1)
	}
	if quarantine {
		text = strings.Replace(text, quarantineDamaged[0], quarantineDamaged[1], 1)
	}
	pol, err := policy.Parse([]byte(text), "case policy")
	if err != nil {
		t.Fatal(err)
	}
	runErr := e.run(Events{Policy: pol})
	noPlanted(t, "error", fmtErr(runErr))
	noPlanted(t, "logs", logs.String())

	p := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	qp := sinks.Partition{DT: p.DT, Sub: "events"}
	if want.Fails != "" {
		if runErr == nil || !strings.Contains(runErr.Error(), want.Fails) {
			t.Fatalf("run error %v, want one saying %q", runErr, want.Fails)
		}
		if !strings.Contains(runErr.Error(), "events/dt=") {
			t.Errorf("error %q names no landing file", runErr)
		}
		for _, ds := range []struct {
			d schemas.Dataset
			p sinks.Partition
		}{{schemas.EventsClean, p}, {schemas.Quarantine, qp}} {
			if _, err := e.wh.Manifest(ds.d, ds.p); !errors.Is(err, sinks.ErrNotCommitted) {
				t.Errorf("%s committed after a failed run: %v", ds.d.Name, err)
			}
		}
		return
	}
	if runErr != nil {
		t.Fatalf("run failed: %v", runErr)
	}
	st := e.stats(schemas.EventsClean, p)
	sj, _ := json.Marshal(st)
	noPlanted(t, "stats", string(sj))

	// The account balances, and is what the case says.
	if !st.Balanced() {
		t.Errorf("unbalanced: in %d, out %d, quarantined %d, duplicates %d", st.RecordsIn, st.RecordsOut, st.QuarantinedTotal(), st.Duplicates)
	}
	if st.RecordsIn != want.LinesIn || st.RecordsOut != want.Written || st.Duplicates != want.Duplicates {
		t.Errorf("in %d out %d duplicates %d, want %d %d %d", st.RecordsIn, st.RecordsOut, st.Duplicates, want.LinesIn, want.Written, want.Duplicates)
	}
	if !maps.Equal(st.Quarantined, want.Quarantined) && len(st.Quarantined)+len(want.Quarantined) > 0 {
		t.Errorf("quarantined %v, want %v", st.Quarantined, want.Quarantined)
	}
	var perFile int64
	for _, in := range st.Inputs {
		perFile += in.Records
	}
	if perFile != st.RecordsIn {
		t.Errorf("inputs hold %d records, records_in %d", perFile, st.RecordsIn)
	}
	if want.Dropped != nil && !maps.Equal(st.DroppedFields, want.Dropped) {
		t.Errorf("dropped %v, want %v", st.DroppedFields, want.Dropped)
	}

	// Every landed entry is read or refused; refusals are logged.
	refused := map[string]string{}
	for _, r := range st.RefusedFiles {
		refused[r.Path[strings.LastIndexByte(r.Path, '/')+1:]] = r.Reason
		if !strings.Contains(logs.String(), `"path":"`+r.Path+`"`) || !strings.Contains(logs.String(), `"level":"WARN"`) {
			t.Errorf("refusal of %s not logged at warn", r.Path)
		}
	}
	wantRefused := map[string]string{}
	for name, reason := range want.Refused {
		if gz && name != bc.Mkdir {
			name += ".gz"
		}
		wantRefused[name] = reason
	}
	if !maps.Equal(refused, wantRefused) {
		t.Errorf("refused %v, want %v", refused, wantRefused)
	}
	for _, name := range landed {
		_, read := refused[name]
		for _, in := range st.Inputs {
			read = read || strings.HasSuffix(in.Path, "/"+name)
		}
		if !read && !strings.HasPrefix(name, ".") {
			t.Errorf("%s neither read nor refused", name)
		}
	}

	// Damage is listed with what was lost.
	switch {
	case want.Damaged == "" && len(st.DamagedFiles) > 0:
		t.Errorf("damaged files %+v", st.DamagedFiles)
	case want.Damaged != "":
		if len(st.DamagedFiles) != 1 || st.DamagedFiles[0].Damage != want.Damaged || st.DamagedFiles[0].BytesLost <= 0 {
			t.Errorf("damaged files %+v, want one %s", st.DamagedFiles, want.Damaged)
		}
		if !strings.Contains(logs.String(), `"damage":"`+want.Damaged+`"`) {
			t.Error("damaged file not logged")
		}
	}

	// What was committed matches the account, row for row.
	out := e.rows(schemas.EventsClean, p)
	q := e.rows(schemas.Quarantine, qp)
	if int64(len(out)) != st.RecordsOut || int64(len(q)) != st.QuarantinedTotal() {
		t.Errorf("%d rows and %d quarantine rows for %d written and %d quarantined", len(out), len(q), st.RecordsOut, st.QuarantinedTotal())
	}
	byLine := map[string]string{}
	for _, r := range q {
		noPlanted(t, "quarantine row", strings.Join(slicesOf(r), " "))
		v := r["reason"]
		if r["field"] != "" {
			v += "/" + r["field"]
		}
		if _, dup := byLine[r["line"]]; dup {
			t.Errorf("line %s quarantined twice", r["line"])
		}
		byLine[r["line"]] = v
	}
	for line, w := range want.Lines {
		if byLine[line] != w {
			t.Errorf("line %s quarantined as %q, want %q (all: %v)", line, byLine[line], w, byLine)
		}
	}
	for id, cols := range want.Values {
		var row map[string]string
		for _, r := range out {
			if r["event_id"] == id {
				row = r
			}
		}
		for c, v := range cols {
			if row[c] != v {
				t.Errorf("%s.%s = %q, want %q", id, c, row[c], v)
			}
		}
	}
}

// landCase lands the case's files in its form and returns the names in
// the partition.
func landCase(t *testing.T, e *env, dir string, bc *badCase, gz bool) []string {
	t.Helper()
	part := pipeline.LandingDir(e.landing, "events", e.day.Format(time.DateOnly))
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ent := range ents {
		if ent.Name() == "expect.json" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b = expandMarkers(b)
		name := ent.Name()
		if gz {
			name += ".gz"
			b = gzipForm(t, b, bc)
		}
		names = append(names, name)
		at := filepath.Join(part, name)
		switch bc.Symlink {
		case "":
		case "inside":
			at = filepath.Join(e.landing, "_shared", name)
		case "outside":
			at = filepath.Join(t.TempDir(), name)
		case "dangling":
			at = filepath.Join(t.TempDir(), "gone", name)
		default:
			t.Fatalf("symlink %q", bc.Symlink)
		}
		if bc.Symlink != "dangling" {
			if err := os.MkdirAll(filepath.Dir(at), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(at, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if bc.Symlink != "" {
			target := at
			if bc.Symlink == "inside" { // relative, as a producer would write it
				target = filepath.Join("..", "..", "_shared", name)
			}
			if err := os.Symlink(target, filepath.Join(part, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if bc.Mkdir != "" {
		if err := os.Mkdir(filepath.Join(part, bc.Mkdir), 0o755); err != nil {
			t.Fatal(err)
		}
		names = append(names, bc.Mkdir)
	}
	if err := os.WriteFile(filepath.Join(part, schemas.SuccessMarker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return names
}

// expandMarkers replaces the markers that stand for lines too big to
// keep in the repository: @@HUGE@@ (a 2 MiB record) and @@DEEP@@ (a
// record nesting 500,000 arrays).
func expandMarkers(b []byte) []byte {
	huge := strings.Replace(good, `"category":"beauty"`, `"category":"`+strings.Repeat("a", 2<<20)+`"`, 1)
	b = bytes.ReplaceAll(b, []byte("@@HUGE@@"), []byte(huge))
	deep := `{"event_id":"deep","x":` + strings.Repeat("[", 500_000) + strings.Repeat("]", 500_000) + `}`
	return bytes.ReplaceAll(b, []byte("@@DEEP@@"), []byte(deep))
}

// gzipForm compresses a case's file (in bc.Members members, split at line
// ends) and damages it as the case says.
func gzipForm(t *testing.T, b []byte, bc *badCase) []byte {
	t.Helper()
	if bc.Damage == "as_is" {
		return b
	}
	parts := []string{string(b)}
	if bc.Members > 1 {
		lines := strings.SplitAfter(string(b), "\n")
		per := (len(lines) + bc.Members - 1) / bc.Members
		parts = nil
		for i := 0; i < len(lines); i += per {
			parts = append(parts, strings.Join(lines[i:min(i+per, len(lines))], ""))
		}
	}
	file, ends := gzipMembers(t, parts...)
	last := len(ends) - 1
	prev := 0
	if last > 0 {
		prev = ends[last-1]
	}
	switch bc.Damage {
	case "":
		return file
	case "truncate":
		return truncate(file, prev+(ends[last]-prev)/2)
	case "crc":
		return badCRC(file, ends[last])
	case "trailing":
		return append(file, "garbage\n"...)
	}
	t.Fatalf("damage %q", bc.Damage)
	return nil
}

func noPlanted(t *testing.T, where, s string) {
	t.Helper()
	for _, v := range planted {
		if strings.Contains(s, v) {
			t.Errorf("%s holds the raw value %q", where, v)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func slicesOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

// sharedKeys makes one keyset for the catalogue's many runs: key
// generation is the slow part of newEnv.
func sharedKeys(t *testing.T) *keys.Set {
	t.Helper()
	e := newEnv(t)
	return e.set
}
