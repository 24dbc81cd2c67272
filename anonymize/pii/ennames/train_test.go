package ennames

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "retrain the model on the training split and rewrite model.bin")

// trainEpochs and synthPerKind are the training settings model.bin was made with.
const (
	trainEpochs  = 12
	synthPerKind = 400
	dropout      = 0.5
	ensembleSize = 5
	// The goals: recall and character precision floors.
	recallGoal, precisionGoal = 0.90, 0.95
)

// TestTrain rewrites model.bin: go test ./anonymize/pii/ennames -run TestTrain -update
func TestTrain(t *testing.T) {
	if !*update {
		t.Skip("run with -update to retrain model.bin")
	}
	train, _ := split(loadPresidio(t, "synth_dataset_v2.json"))
	bias, cv := tuneBias(train)
	train = withExtra(train)
	w := trainEnsemble(train)
	w[slot(feat(fBias, 0))] += bias
	q, scale, lost := quantize(w)
	b := encodeModel(q)
	if err := os.WriteFile("model.bin", b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("trained on %d texts, %d epochs: %d bytes, scale %.1f, %d small weights dropped", len(train), trainEpochs, len(b), scale, lost)
	t.Logf("bias %+.1f: cross-validated on unseen templates recall %.3f, precision %.3f", bias, cv.recall(), cv.precision())
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
	caps := false
	for p := nextCandidate(text, 0); p < len(text) && !shouting(text); p = nextCandidate(text, p) {
		caps = caps || !pronounI(text, p)
		var s sample
		end, ok := nextRun(text, p, &s.win)
		if ok {
			out = append(out, label(d, s))
		}
		p = end
	}
	if caps {
		return out
	}
	mode := caseLower
	if shouting(text) {
		mode = caseShout
	}
	for p := 0; p < len(text); {
		var s sample
		end, ok := nextLowerRun(text, p, &s.win, mode)
		if ok {
			out = append(out, label(d, s))
		}
		p = end
	}
	return out
}

func label(d doc, s sample) sample {
	for i := 0; i < s.win.n; i++ {
		tk := &s.win.toks[2+i]
		in := 0
		for _, g := range d.person {
			in += max(0, min(g.End, tk.end)-max(g.Start, tk.start))
		}
		s.labels[i] = 2*in >= tk.end-tk.start && in > 0
	}
	return s
}

// lowered returns docs in lower case where that keeps every byte offset,
// for the model to learn names in texts typed without capitals.
func lowered(docs []doc) []doc { return recased(docs, strings.ToLower, 1) }

// uppered returns every fourth of docs in capitals, as a few chat turns are
// typed.
func uppered(docs []doc) []doc { return recased(docs, strings.ToUpper, 4) }

func recased(docs []doc, f func(string) string, every int) []doc {
	var out []doc
	for i, d := range docs {
		if i%every != 0 {
			continue
		}
		l := f(d.text)
		if len(l) != len(d.text) || l == d.text {
			continue
		}
		d.text = l
		out = append(out, d)
	}
	return out
}

// trainEnsemble averages the weights of perceptrons trained with different
// seeds (order and dropped features): the average of linear models is one,
// steadier than any of them.
func trainEnsemble(docs []doc) []float64 {
	var sum []float64
	for seed := uint64(1); seed <= ensembleSize; seed++ {
		w := trainPerceptron(docs, trainEpochs, seed)
		if sum == nil {
			sum = w
			continue
		}
		for i, v := range w {
			sum[i] += v
		}
	}
	for i := range sum {
		sum[i] /= ensembleSize
	}
	return sum
}

// trainPerceptron trains an averaged perceptron: each run is tagged left to
// right with the current weights (so the label-of-the-word-before feature
// sees predictions, as at run time) and every wrong word updates them.
func trainPerceptron(docs []doc, epochs int, seed uint64) []float64 {
	var all [][]sample // per text, in order: the memo reads them so
	for _, d := range docs {
		all = append(all, samples(d))
	}
	w := make([]float64, 1<<tableBits)
	u := make([]float64, 1<<tableBits) // update sums weighted by time, for the average
	c := 1.0
	rng := rand.New(rand.NewPCG(seed, 2))
	var fs [maxFeatures]uint64
	for e := 0; e < epochs; e++ {
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for _, ss := range all {
			m := memo{lastStart: -1}
			for k := range ss {
				s := &ss[k]
				c = trainRun(w, u, c, s, &m, &fs, rng)
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
func trainRun(w, u []float64, c float64, s *sample, m *memo, fs *[maxFeatures]uint64, rng *rand.Rand) float64 {
	prev := uint64(0)
	for i := 0; i < s.win.n; i++ {
		n := features(&s.win, i, prev, m, fs)
		// Drop features at random (the bias, fs[0], stays) so that no
		// single clue, such as a template's context word, carries a word
		// alone: the model learns several and generalises to new contexts.
		k := 1
		for _, h := range fs[1:n] {
			if rng.Float64() >= dropout {
				fs[k] = h
				k++
			}
		}
		n = k
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

// tuneBias chooses the offset added to the bias weight over five folds of
// train split by template, each tagged by a model trained on the other
// four: the offset that leaves the widest margin above both goals, the
// largest min(recall/0.90, precision/0.95). A model is surer of the
// template sentences it was trained on than of new ones; the offset moves
// its threshold for the new.
func tuneBias(train []doc) (float64, *score) {
	const folds = 5
	models := make([][]float64, folds)
	parts := make([][]doc, folds)
	for k := range folds {
		var in []doc
		for _, d := range train {
			if foldOf(d.template, folds) == k {
				parts[k] = append(parts[k], d)
			} else {
				in = append(in, d)
			}
		}
		models[k] = trainEnsemble(withExtra(in))
	}
	best, bestScore := 0.0, (*score)(nil)
	for b := 0.0; b <= 12; b += 0.5 {
		s := &score{}
		for k := range folds {
			w := slices.Clone(models[k])
			w[slot(feat(fBias, 0))] += b
			q, _, _ := quantize(w)
			for _, d := range parts[k] {
				s.add(d, appendWith(q, nil, d.text))
			}
		}
		if testing.Verbose() {
			fmt.Printf("bias %+.1f: recall %.3f precision %.3f\n", b, s.recall(), s.precision())
			if b == 0 && os.Getenv("ENN_DEBUG") != "" {
				for _, x := range s.strays {
					fmt.Printf("  stray %.150q\n", x)
				}
			}
		}
		if bestScore == nil || margin(s) > margin(bestScore) {
			best, bestScore = b, s
		}
	}
	return best, bestScore
}

func foldOf(template, folds int) int {
	h := fnv.New32a()
	fmt.Fprint(h, "template ", template)
	return int(h.Sum32() % uint32(folds))
}

// withExtra adds to train the synthetic shop chat and lower- and
// upper-case copies of both.
func withExtra(train []doc) []doc {
	all := append(slices.Clip(train), synthetic(train, synthPerKind)...)
	return append(append(all, lowered(all)...), uppered(all)...)
}

// margin is how far a score stands above the nearer of the two goals.
func margin(s *score) float64 { return min(s.recall()/recallGoal, s.precision()/precisionGoal) }
