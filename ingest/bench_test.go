package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/synth"
)

const benchEvents = 200_000

// benchRoot holds the generated days; TestMain removes it.
var benchRoot string

// benchDays generates one synthetic day of benchEvents events, plain and
// gzip, once per test binary.
var benchDays = sync.OnceValues(func() (map[bool]string, error) {
	root, err := os.MkdirTemp("", "veil-bench-")
	if err != nil {
		return nil, err
	}
	benchRoot = root
	out := map[bool]string{}
	for _, gz := range []bool{false, true} {
		dir := filepath.Join(root, fmt.Sprint(gz))
		if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Days: 1, Events: benchEvents, Seed: 7, Gzip: gz, ChatRatio: -1}); err != nil {
			return nil, err
		}
		out[gz] = filepath.Join(dir, "landing")
	}
	return out, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != "" {
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

func benchLanding(b *testing.B, gz bool) string {
	b.Helper()
	days, err := benchDays()
	if err != nil {
		b.Fatal(err)
	}
	return days[gz]
}

// BenchmarkIngest runs the events stage on a generated day: parse,
// validate, tokenise, de-duplicate, scan and write Parquet.
func BenchmarkIngest(b *testing.B) {
	for _, gz := range []bool{false, true} {
		name := "plain"
		if gz {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			landing := benchLanding(b, gz)
			e := newEnv(b)
			e.landing = landing
			e.day = synth.DefaultStart
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				wh, err := sinks.Open(filepath.Join(b.TempDir(), "warehouse"))
				if err != nil {
					b.Fatal(err)
				}
				e.wh = wh
				b.StartTimer()
				if err := e.run(Events{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchEvents*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkDecode decodes generated event lines: flat lines (nearly all of
// them), lines with an escape in a string, and lines with a nested value.
func BenchmarkDecode(b *testing.B) {
	landing := benchLanding(b, false)
	files, err := filepath.Glob(filepath.Join(pipeline.LandingDir(landing, "events", synth.DefaultStart.Format("2006-01-02")), "*.jsonl"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no generated files: %v", err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(lines) < 50_000 {
		lines = append(lines, sc.Text())
	}
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		lines []string
	}{
		{"fast", lines},
		{"escaped", escaped(lines)},
		{"nested", nested(lines)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := newParser(pol, nil, synth.DefaultStart)
			var bytes int64
			for _, l := range tc.lines {
				bytes += int64(len(l))
			}
			b.SetBytes(bytes)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, l := range tc.lines {
					p.rec.Reset()
					p.decode(l)
				}
			}
			b.ReportMetric(float64(len(tc.lines)*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// escaped puts an escaped slash in each line's event id.
func escaped(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Replace(l, `"event_id":"`, `"event_id":"\/`, 1)
	}
	return out
}

// BenchmarkIngestRead reads a generated day's files into chunks of lines
// (framing, decompression and checksums) without parsing them.
func BenchmarkIngestRead(b *testing.B) {
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		b.Fatal(err)
	}
	for _, gz := range []bool{false, true} {
		name := "plain"
		if gz {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			landing := benchLanding(b, gz)
			l, err := pipeline.ListLanding(landing, "events", synth.DefaultStart.Format("2006-01-02"), pol.Files().Landing())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var size int64
			for i := 0; i < b.N; i++ {
				var stats pipeline.Stats
				chunks, errc := readFiles(context.Background(), l.Files, pol, damageFails, &stats)
				for range chunks {
				}
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
				size = 0
				for _, in := range stats.Inputs {
					size += in.Bytes
				}
			}
			b.SetBytes(size)
			b.ReportMetric(float64(benchEvents*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// nested gives each line an undeclared field holding an array.
func nested(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Replace(l, `{`, `{"tags":["a",{"b":1}],`, 1)
	}
	return out
}

// BenchmarkHistoricalDay runs the events stage for one day of a
// Fraud_Data-shaped historical batch of 30,000 purchases over 120 days:
// the cost every extract day pays to read the batch whole and keep its
// own ~250 rows. rows/s counts batch rows read.
func BenchmarkHistoricalDay(b *testing.B) {
	const rows, days = 30_000, 120
	var csv strings.Builder
	csv.WriteString("user_id,signup_time,purchase_time,purchase_value,device_id,source,browser,sex,age,ip_address,class\n")
	for i := range rows {
		d := i % days
		fmt.Fprintf(&csv, "%d,1/%d/2015 %d:%02d,%d/%d/2015 %d:%02d,%d,DEV%09d,SEO,Chrome,M,%d,%d,%d\n",
			100000+i, 1+d%28, i%24, i%60, 2+d/28, 1+d%28, (i/7)%24, (i/3)%60, 10+i%90, i/2, 18+i%50, 16909060+i, i%10/9)
	}
	e := newEnv(b)
	e.landBatch("events", day, map[string]string{"Fraud_Data.csv": csv.String()})
	e.day = time.Date(2015, 3, 10, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.run(Events{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	st := e.stats(schemas.EventsClean, sinks.Partition{DT: e.day.Format(time.DateOnly)})
	if st.RecordsOut == 0 || st.RecordsIn != rows {
		b.Fatalf("%+v", st)
	}
}
