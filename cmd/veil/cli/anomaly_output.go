package cli

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/veil-data/veil/sinks"
)

// outColumn is one column of `veil anomaly`'s output; exactly one of the
// slices is set. valid (strings only) marks non-null cells.
type outColumn struct {
	name   string
	ints   []int64
	floats []float64
	bools  []bool
	strs   []string
	valid  []bool
}

func (c *outColumn) node() parquet.Node {
	switch {
	case c.ints != nil:
		return parquet.Int(64)
	case c.floats != nil:
		return parquet.Leaf(parquet.DoubleType)
	case c.bools != nil:
		return parquet.Leaf(parquet.BooleanType)
	default:
		return parquet.Optional(parquet.String())
	}
}

// value is row i of the column as a Parquet value of leaf column c.
func (c *outColumn) value(i, col int) parquet.Value {
	switch {
	case c.ints != nil:
		return parquet.Int64Value(c.ints[i]).Level(0, 0, col)
	case c.floats != nil:
		return parquet.DoubleValue(c.floats[i]).Level(0, 0, col)
	case c.bools != nil:
		return parquet.BooleanValue(c.bools[i]).Level(0, 0, col)
	case !c.valid[i]:
		return parquet.NullValue().Level(0, 0, col)
	default:
		return parquet.ByteArrayValue([]byte(c.strs[i])).Level(0, 1, col)
	}
}

func (c *outColumn) text(i int) string {
	switch {
	case c.ints != nil:
		return strconv.FormatInt(c.ints[i], 10)
	case c.floats != nil:
		// Shortest round-trip form: a reader gets the exact float back.
		return strconv.FormatFloat(c.floats[i], 'g', -1, 64)
	case c.bools != nil:
		return strconv.FormatBool(c.bools[i])
	case !c.valid[i]:
		return ""
	default:
		return c.strs[i]
	}
}

// writeOutput writes the columns (all of n rows) to path, as CSV when it
// ends in .csv and as zstd Parquet otherwise. It writes a temporary file
// beside path and renames it, so path is either whole or untouched.
func writeOutput(path string, n int, cols []*outColumn) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		err = writeCSV(bw, n, cols)
	} else {
		err = writeParquet(bw, n, cols)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeCSV(w *bufio.Writer, n int, cols []*outColumn) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(cols))
	for j, c := range cols {
		rec[j] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i := range n {
		for j, c := range cols {
			rec[j] = c.text(i)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeParquet(w *bufio.Writer, n int, cols []*outColumn) error {
	// sinks.Group keeps the columns in the order given (parquet.Group
	// would sort them by name).
	g := make(sinks.Group, len(cols))
	for i, c := range cols {
		g[i] = sinks.Field(c.name, c.node())
	}
	schema := parquet.NewSchema("anomaly", g)
	pw := parquet.NewGenericWriter[any](w, schema,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		sinks.CreatedByOption())
	const group = 128 * 1024
	vals := make([]parquet.Value, 0, group)
	for start := 0; start < n; start += group {
		end := min(n, start+group)
		for l, c := range cols {
			vals = vals[:0]
			for i := start; i < end; i++ {
				vals = append(vals, c.value(i, l))
			}
			if _, err := pw.ColumnWriters()[l].WriteRowValues(vals); err != nil {
				return fmt.Errorf("column %s: %w", c.name, err)
			}
		}
		if err := pw.Flush(); err != nil {
			return err
		}
	}
	return pw.Close()
}
