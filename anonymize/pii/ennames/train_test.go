package ennames

import (
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "retrain the model on the training split and rewrite model.bin")

// trainEpochs and synthPerKind are the training settings model.bin was made with.
const (
	trainEpochs  = 12
	synthPerKind = 400
)

// TestTrain rewrites model.bin: go test ./anonymize/pii/ennames -run TestTrain -update
func TestTrain(t *testing.T) {
	if !*update {
		t.Skip("run with -update to retrain model.bin")
	}
	train, _ := split(loadPresidio(t, "synth_dataset_v2.json"))
	train = append(train, synthetic(train, synthPerKind)...)
	w := trainPerceptron(train, trainEpochs)
	q, scale, lost := quantize(w)
	b := encodeModel(q)
	if err := os.WriteFile("model.bin", b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("trained on %d texts, %d epochs: %d bytes, scale %.1f, %d small weights dropped", len(train), trainEpochs, len(b), scale, lost)
}

// A sample is one run of a training text with the gold label of each word.
type sample struct {
	win    window
	labels [maxRun]bool
}

// samples reads the runs of d as Append does and labels each word a name
// when at least half its bytes lie in a gold PERSON span.
func samples(d doc) []sample {
	var out []sample
	text := d.text
	for p := nextCandidate(text, 0); p < len(text); p = nextCandidate(text, p) {
		var s sample
		end, ok := nextRun(text, p, &s.win)
		if !ok {
			p = end
			continue
		}
		for i := 0; i < s.win.n; i++ {
			tk := &s.win.toks[2+i]
			in := 0
			for _, g := range d.person {
				in += max(0, min(g.End, tk.end)-max(g.Start, tk.start))
			}
			s.labels[i] = 2*in >= tk.end-tk.start && in > 0
		}
		out = append(out, s)
		p = end
	}
	return out
}

// trainPerceptron trains an averaged perceptron: each run is tagged left to
// right with the current weights (so the label-of-the-word-before feature
// sees predictions, as at run time) and every wrong word updates them.
func trainPerceptron(docs []doc, epochs int) []float64 {
	var all [][]sample // per text, in order: the memo reads them so
	for _, d := range docs {
		all = append(all, samples(d))
	}
	w := make([]float64, 1<<tableBits)
	u := make([]float64, 1<<tableBits) // update sums weighted by time, for the average
	c := 1.0
	rng := rand.New(rand.NewPCG(1, 2))
	var fs [maxFeatures]uint64
	for e := 0; e < epochs; e++ {
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for _, ss := range all {
			m := memo{lastStart: -1}
			for k := range ss {
				s := &ss[k]
				c = trainRun(w, u, c, s, &m, &fs)
			}
		}
	}
	for i := range w {
		w[i] -= u[i] / c
	}
	return w
}

// trainRun tags one run with w and updates w (and u, the time-weighted
// sums) on every wrong word; c counts the words seen.
func trainRun(w, u []float64, c float64, s *sample, m *memo, fs *[maxFeatures]uint64) float64 {
	prev := uint64(0)
	for i := 0; i < s.win.n; i++ {
		n := features(&s.win, i, prev, m, fs)
		score := 0.0
		for _, h := range fs[:n] {
			score += w[slot(h)]
		}
		guess := score > 0
		if guess != s.labels[i] {
			d := 1.0
			if !s.labels[i] {
				d = -1
			}
			for _, h := range fs[:n] {
				w[slot(h)] += d
				u[slot(h)] += c * d
			}
		}
		prev = 1
		if guess {
			prev = 2
			m.add(&s.win.toks[2+i])
		}
		c++
	}
	return c
}

// quantize scales w to int16 and reports the scale and how many non-zero
// weights rounded to zero.
func quantize(w []float64) (q []int16, scale float64, lost int) {
	maxAbs := 0.0
	for _, v := range w {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	scale = 32000 / maxAbs
	q = make([]int16, len(w))
	for i, v := range w {
		q[i] = int16(math.Round(v * scale))
		if q[i] == 0 && v != 0 {
			lost++
		}
	}
	return q, scale, lost
}
