package csvfeed

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/veil-data/veil/schemas"
)

// benchData makes n rows in the shape of the example feeds.
func benchData(shape string, n int) []byte {
	var b bytes.Buffer
	behaviours := []string{"pv", "pv", "pv", "cart", "fav", "buy"}
	if shape == "fraud_data.yaml" {
		b.WriteString("\ufeffuser_id,signup_time,purchase_time,purchase_value,device_id,source,browser,sex,age,ip_address,class\r\n")
	}
	for i := range n {
		switch shape {
		case "tianchi.yaml":
			fmt.Fprintf(&b, "%d,%d,%d,%s,%d\n", 100000+i*7%900000, i*13%5000000, i*31%5000000, behaviours[i%len(behaviours)], 1511658000+i/50)
		case "fraud_data.yaml":
			fmt.Fprintf(&b, "%d,2/24/2015 22:55,%d/%d/2015 %d:%02d,%d,QVPSPJUOCK%03d,SEO,Chrome,%s,%d,%d.%d,0\r\n",
				i, 1+i%12, 1+i%28, i%24, i%60, 9+i%90, i%1000, []string{"M", "F"}[i%2], 18+i%60, 100000000+i*40507, i%10)
		}
	}
	return b.Bytes()
}

// BenchmarkDecode reports decoded rows per second for the two example
// formats, the whole path from bytes to canonical values.
func BenchmarkDecode(b *testing.B) {
	for _, shape := range []string{"tianchi.yaml", "fraud_data.yaml"} {
		b.Run(shape, func(b *testing.B) {
			d, err := fitAge(loadFormat(b, shape), schemas.Events).Compile(schemas.Events)
			if err != nil {
				b.Fatal(err)
			}
			const n = 20000
			data := benchData(shape, n)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			rows := 0
			for b.Loop() {
				fr, err := d.Open(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				for {
					r, err := fr.Next()
					if err == io.EOF {
						break
					}
					if err != nil || r.Reject != nil {
						b.Fatalf("line %d: %v %v", r.Line, err, r.Reject)
					}
					rows++
				}
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
