// Command piibench prints the redaction throughput of pii.Conversation on
// chat corpora, one tab-separated line per corpus: path, bytes, messages,
// MB/s (1e6 bytes a second, fastest round). scripts/bench.sh builds it
// from this tree and, copied in, from an earlier commit, so both redactors
// run under the same harness; it uses only pii.NewConversation and
// Conversation.Redact for that reason.
//
//	GOMAXPROCS=1 piibench [-rounds 5] [-round 200ms] CORPUS...
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/anonymize/pii/pieval"
)

func main() {
	rounds := flag.Int("rounds", 5, "timed rounds per corpus; the fastest is reported")
	round := flag.Duration("round", 200*time.Millisecond, "least duration of a round")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: piibench [-rounds N] [-round D] CORPUS...")
		os.Exit(2)
	}
	newRedactor := func() pieval.Redactor {
		c := pii.NewConversation()
		return func(m string) string {
			out, _ := c.Redact(m)
			return out
		}
	}
	for _, path := range flag.Args() {
		convs, err := pieval.ReadConversations(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "piibench:", err)
			os.Exit(1)
		}
		t := pieval.Bench(convs, newRedactor, *rounds, *round)
		fmt.Printf("%s\t%d\t%d\t%.1f\n", path, t.Bytes, t.Messages, t.MBps)
	}
}
