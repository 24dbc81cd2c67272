package cli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/veil-data/veil/risk/outlier"
	"github.com/veil-data/veil/sinks"
)

// table is what `veil anomaly` reads: the numeric columns as a matrix and
// the --keep columns as text (null where a Parquet cell is null).
type table struct {
	m     outlier.Matrix
	names []string // the matrix's columns
	keep  []keptColumn
}

type keptColumn struct {
	name  string
	vals  []string
	valid []bool
}

// readTable reads path (Parquet by its .parquet extension, else CSV with a
// header) into a table. Errors name the row (1-based, data rows) and the
// column, never the cell's value: a modeller's file may hold personal data.
func readTable(path string, columns, keep []string) (*table, error) {
	if len(columns) == 0 {
		return nil, errors.New("--columns: name at least one column")
	}
	seen := map[string]bool{}
	for _, c := range append(append([]string{}, columns...), keep...) {
		if c == "" {
			return nil, errors.New("--columns/--keep: empty column name")
		}
		if seen[c] {
			return nil, fmt.Errorf("column %q named twice in --columns/--keep", c)
		}
		seen[c] = true
	}
	var t *table
	var err error
	if strings.EqualFold(filepath.Ext(path), ".parquet") {
		t, err = readParquetTable(path, columns, keep)
	} else {
		t, err = readCSVTable(path, columns, keep)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.m.Rows == 0 {
		return nil, fmt.Errorf("%s: no data rows", path)
	}
	return t, nil
}

// finite checks a parsed cell: NaN and ±Inf have no distance.
func finite(v float64, row int, col string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("row %d, column %s: NaN or infinite value", row, col)
	}
	return nil
}

func readCSVTable(path string, columns, keep []string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file (no header)")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	pos := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // a spreadsheet's byte order mark
		}
		pos[strings.TrimSpace(h)] = i
	}
	idx := func(names []string) ([]int, error) {
		out := make([]int, len(names))
		for i, n := range names {
			p, ok := pos[n]
			if !ok {
				return nil, fmt.Errorf("no column %q in the header (has %s)", n, strings.Join(header, ", "))
			}
			out[i] = p
		}
		return out, nil
	}
	num, err := idx(columns)
	if err != nil {
		return nil, err
	}
	kp, err := idx(keep)
	if err != nil {
		return nil, err
	}
	t := &table{names: columns, m: outlier.Matrix{Cols: len(columns)}}
	for _, n := range keep {
		t.keep = append(t.keep, keptColumn{name: n})
	}
	for row := 1; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("row %d (line %d): %w", row, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("row %d: %w", row, err)
		}
		for i, p := range num {
			s := strings.TrimSpace(rec[p])
			if s == "" {
				return nil, fmt.Errorf("row %d, column %s: empty cell", row, columns[i])
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s: not a number", row, columns[i])
			}
			if err := finite(v, row, columns[i]); err != nil {
				return nil, err
			}
			t.m.Data = append(t.m.Data, v)
		}
		for i, p := range kp {
			t.keep[i].vals = append(t.keep[i].vals, rec[p])
			t.keep[i].valid = append(t.keep[i].valid, true)
		}
		t.m.Rows++
	}
	return t, nil
}

func readParquetTable(path string, columns, keep []string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() == 0 {
		return nil, errors.New("empty file")
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("not a Parquet file: %w", err)
	}
	leaf := func(name string) (int, error) {
		lc, ok := pf.Schema().Lookup(name)
		if !ok || lc.MaxRepetitionLevel > 0 {
			return 0, fmt.Errorf("no top-level column %q", name)
		}
		return lc.ColumnIndex, nil
	}
	n := int(pf.NumRows())
	t := &table{names: columns, m: outlier.Matrix{Rows: n, Cols: len(columns), Data: make([]float64, n*len(columns))}}
	vals := make([]parquet.Value, 4096)
	for ci, name := range columns {
		c, err := leaf(name)
		if err != nil {
			return nil, err
		}
		row := 0
		err = eachValue(pf, c, vals, func(v parquet.Value) error {
			row++
			if v.IsNull() {
				return fmt.Errorf("row %d, column %s: null", row, name)
			}
			var x float64
			switch v.Kind() {
			case parquet.Double:
				x = v.Double()
			case parquet.Float:
				x = float64(v.Float())
			case parquet.Int32:
				x = float64(v.Int32())
			case parquet.Int64:
				x = float64(v.Int64())
			case parquet.Boolean:
				if v.Boolean() {
					x = 1
				}
			default:
				return fmt.Errorf("column %s: %s is not numeric", name, v.Kind())
			}
			if err := finite(x, row, name); err != nil {
				return err
			}
			t.m.Data[(row-1)*len(columns)+ci] = x
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, name := range keep {
		c, err := leaf(name)
		if err != nil {
			return nil, err
		}
		k := keptColumn{name: name, vals: make([]string, 0, n), valid: make([]bool, 0, n)}
		err = eachValue(pf, c, vals, func(v parquet.Value) error {
			if v.IsNull() {
				k.vals, k.valid = append(k.vals, ""), append(k.valid, false)
			} else {
				k.vals, k.valid = append(k.vals, v.String()), append(k.valid, true)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		t.keep = append(t.keep, k)
	}
	return t, nil
}

// eachValue calls fn with every value of leaf column c, row group by row
// group, page by page.
func eachValue(pf *parquet.File, c int, vals []parquet.Value, fn func(parquet.Value) error) error {
	for _, rg := range pf.RowGroups() {
		err := sinks.ReadPages(rg.ColumnChunks()[c], vals, func(vs []parquet.Value) error {
			for _, v := range vs {
				if err := fn(v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
