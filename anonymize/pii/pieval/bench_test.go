package pieval

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/anonymize/pii"
)

func TestReadConversations(t *testing.T) {
	got, err := ReadConversations(filepath.Join("testdata", "jddc.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"你好，我的快递到哪了", "[订单x]正在为您查询", "谢谢\twith a tab"}, {"地址可以改吗"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JDDC conversations = %q, want %q", got, want)
	}
	got, err = ReadConversations(filepath.Join("testdata", "cluener.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(got[0]) != 1 || !strings.HasPrefix(got[0][0], "记者") {
		t.Errorf("CLUENER conversations = %q", got)
	}
	if _, err := ReadConversations(filepath.Join("testdata", "presidio_offsets.json")); err != nil {
		t.Errorf("presidio: %v", err)
	}
}

// TestBench checks the accounting, not the speed: every message goes
// through a redactor made for its conversation.
func TestBench(t *testing.T) {
	convs := [][]string{{"ab", "cde"}, {"f"}}
	made, seen := 0, 0
	tp := Bench(convs, func() Redactor {
		made++
		return func(m string) string { seen += len(m); return m }
	}, 2, time.Millisecond)
	if tp.Bytes != 6 || tp.Messages != 3 || tp.Passes < 1 || tp.MBps <= 0 {
		t.Errorf("throughput = %+v", tp)
	}
	if made%2 != 0 || seen != 3*made {
		t.Errorf("%d redactors made, %d bytes seen", made, seen)
	}
}

// BenchmarkEvaluate scores pii.Find on the presidio test file.
func BenchmarkEvaluate(b *testing.B) {
	c, err := ReadFile(filepath.Join("testdata", "presidio.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(c.Records, pii.Find, Options{})
	}
}
