package ennames

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// tableBits sets the size of the weight table: 2^16 int16 weights, 128 KiB,
// small enough to stay in cache for the few dozen look-ups of a run; the
// model sets a few thousand of them, so collisions are rare.
const tableBits = 16

// The model file holds the non-zero weights of the table: "ENN1", the
// table bits, the count, then per weight the uvarint gap from the previous
// index and the zig-zag varint weight.
//
//go:embed model.bin
var modelFile []byte

var (
	loadOnce sync.Once
	weights  []int16
	loadErr  error
)

// model returns the weight table, decoded once.
func model() []int16 {
	loadOnce.Do(func() {
		weights, loadErr = decodeModel(modelFile)
	})
	if loadErr != nil {
		panic(loadErr) // the embedded file is part of the build
	}
	return weights
}

func decodeModel(b []byte) ([]int16, error) {
	if len(b) < 5 || string(b[:4]) != "ENN1" || b[4] != tableBits {
		return nil, errors.New("ennames: model.bin is not an ENN1 model for this table size")
	}
	w := make([]int16, 1<<tableBits)
	b = b[5:]
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, errors.New("ennames: model.bin: bad count")
	}
	b = b[k:]
	idx := uint64(0)
	for i := uint64(0); i < n; i++ {
		d, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, fmt.Errorf("ennames: model.bin: weight %d: bad index", i)
		}
		b = b[k:]
		v, k := binary.Varint(b)
		if k <= 0 {
			return nil, fmt.Errorf("ennames: model.bin: weight %d: bad value", i)
		}
		b = b[k:]
		idx += d
		if idx >= uint64(len(w)) {
			return nil, fmt.Errorf("ennames: model.bin: weight %d: index out of range", i)
		}
		w[idx] = int16(v)
	}
	return w, nil
}

// encodeModel writes the non-zero weights of w.
func encodeModel(w []int16) []byte {
	var nz uint64
	for _, v := range w {
		if v != 0 {
			nz++
		}
	}
	b := append([]byte("ENN1"), tableBits)
	b = binary.AppendUvarint(b, nz)
	last := 0
	for i, v := range w {
		if v != 0 {
			b = binary.AppendUvarint(b, uint64(i-last))
			b = binary.AppendVarint(b, int64(v))
			last = i
		}
	}
	return b
}

// slot maps a feature hash to its index in the table.
func slot(h uint64) int { return int(h >> (64 - tableBits)) }
