package ennames

import (
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chatSample is shop chat written for the benchmark: mostly lower case,
// a few capitals, one or two names, some Chinese.
const chatSample = `hi, where is my order? I paid on Monday and it still says Processing.
Hello! Sorry for the wait. Let me check that for you.
the tracking number doesn't work, can you send it again please
Sure, it's on the way with DHL and should arrive by Friday. Jane from our warehouse confirmed it.
ok thanks. also I want to change the size of the Nike shoes to 42
No problem, I've updated the order. Anything else?
can Michael O'Connor pick it up instead of me? he lives nearby
Yes, just ask him to bring the order number and an ID.
great, thank you so much
您好，请问这个什么时候发货？我昨天下单了
You're welcome! Have a nice day.
`

func benchAppend(b *testing.B, texts []string) {
	b.Helper()
	total := 0
	for _, t := range texts {
		total += len(t)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	dst := make([]Span, 0, 64)
	model()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		for _, t := range texts {
			dst = Append(dst[:0], t)
		}
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/cpu.Seconds()/1e6, "cpuMB/s")
	}
}

// cpuTime returns the CPU time of the calling thread (locked by the
// caller): on a shared machine MB/s per CPU second is steadier than MB/s of
// wall time, and it is what the per-core goal counts.
func cpuTime() time.Duration {
	const rusageThread = 1 // Linux RUSAGE_THREAD; elsewhere the call fails and no metric is reported
	var ru syscall.Rusage
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAppend reports MB/s on the chat sample (line by line, as
// messages come) and on presidio's texts.
func BenchmarkAppend(b *testing.B) {
	b.Run("chat", func(b *testing.B) {
		benchAppend(b, strings.Split(chatSample, "\n"))
	})
	b.Run("chat-lower", func(b *testing.B) {
		benchAppend(b, strings.Split(strings.ToLower(chatSample), "\n"))
	})
	b.Run("presidio", func(b *testing.B) {
		var texts []string
		for _, d := range loadPresidio(b, "synth_dataset_v2.json") {
			texts = append(texts, d.text)
		}
		benchAppend(b, texts)
	})
}
