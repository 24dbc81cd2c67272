package cli

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/spf13/cobra"
)

// blobsCmd writes benchmark data: Gaussian blobs (make_blobs' shape:
// centres uniform in [-10, 10]^d, standard deviation 1) with a share of
// points uniform over [-15, 15]^d, shuffled. truth is the blob (-1 for
// the uniform points). The same seed gives the same file.
func (a *app) blobsCmd() *cobra.Command {
	var n, d, centers int
	var share float64
	var seed uint64
	var out string
	cmd := &cobra.Command{
		Use:   "blobs --n N --dims D --out F",
		Short: "Write Gaussian blobs with uniform outliers (columns x0.., truth) for benchmarks and tests",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required(cmd, "out"); err != nil {
				return err
			}
			if n < 1 || d < 1 || centers < 1 || !(share >= 0 && share < 1) {
				return errors.New("want --n >= 1, --dims >= 1, --centers >= 1 and --outliers in [0, 1)")
			}
			cols := blobs(n, d, centers, share, seed)
			if err := writeOutput(out, n, cols); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "blobs: %d points in %d dimensions, %d centres, %d uniform outliers -> %s\n",
				n, d, centers, int(share*float64(n)), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&n, "n", 50000, "points")
	f.IntVar(&d, "dims", 8, "dimensions")
	f.IntVar(&centers, "centers", 5, "Gaussian blobs")
	f.Float64Var(&share, "outliers", 0.02, "share of points drawn uniformly instead")
	f.Uint64Var(&seed, "seed", 1, "random seed")
	f.StringVar(&out, "out", "", "output file: Parquet, or CSV when it ends in .csv")
	return cmd
}

func blobs(n, d, centers int, share float64, seed uint64) []*outColumn {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	ctr := make([]float64, centers*d)
	for i := range ctr {
		ctr[i] = -10 + 20*rng.Float64()
	}
	x := make([][]float64, d)
	for j := range x {
		x[j] = make([]float64, n)
	}
	truth := make([]int64, n)
	nOut := int(share * float64(n))
	for i := range n {
		if i < nOut {
			truth[i] = -1
			for j := range d {
				x[j][i] = -15 + 30*rng.Float64()
			}
			continue
		}
		c := (i - nOut) % centers
		truth[i] = int64(c)
		for j := range d {
			x[j][i] = ctr[c*d+j] + rng.NormFloat64()
		}
	}
	// Shuffle rows so input order says nothing about the truth.
	rng.Shuffle(n, func(a, b int) {
		truth[a], truth[b] = truth[b], truth[a]
		for j := range d {
			x[j][a], x[j][b] = x[j][b], x[j][a]
		}
	})
	cols := make([]*outColumn, 0, d+1)
	for j := range d {
		cols = append(cols, &outColumn{name: fmt.Sprintf("x%d", j), floats: x[j]})
	}
	return append(cols, &outColumn{name: "truth", ints: truth})
}
