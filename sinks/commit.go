package sinks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
)

// PartitionWriter collects the files of one partition in a staging
// directory and commits them together.
type PartitionWriter struct {
	w        *Warehouse
	ds       schemas.Dataset
	part     Partition
	staging  string
	manifest Manifest
	done     bool
	open     map[*ParquetWriter]bool // files not yet closed
	release  func()                  // drops the run's staging hold
}

// CommitInfo is what the producing stage records in the manifest.
type CommitInfo struct {
	KeyIDs map[string]uint32
	Inputs []Input
	Stats  any
	// Incomplete lists the upstream gaps the partition was computed
	// despite (reports); see Manifest.Incomplete.
	Incomplete []Gap
}

// Parquet starts the next Parquet data file of the partition.
func (pw *PartitionWriter) Parquet(mem memory.Allocator) (*ParquetWriter, error) {
	if pw.ds.Schema == nil {
		return nil, fmt.Errorf("dataset %s is not parquet", pw.ds.Name)
	}
	name := fmt.Sprintf("part-%05d.parquet", len(pw.manifest.Files))
	f, err := os.Create(filepath.Join(pw.staging, name))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	w, err := newParquetWriter(pw, f, name, mem)
	if err != nil {
		return nil, err
	}
	if pw.open == nil {
		pw.open = make(map[*ParquetWriter]bool)
	}
	pw.open[w] = true
	return w, nil
}

// WriteFile adds a whole non-Parquet file (e.g. a report) to the partition.
func (pw *PartitionWriter) WriteFile(name string, data []byte, rows int64) error {
	if err := os.WriteFile(filepath.Join(pw.staging, name), data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	pw.addFile(File{Name: name, Rows: rows, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	return nil
}

func (pw *PartitionWriter) addFile(f File) {
	pw.manifest.Files = append(pw.manifest.Files, f)
	pw.manifest.Rows += f.Rows
}

// Commit writes the manifest into staging, fsyncs, and renames the staging
// directory over the partition. A previous version is moved to trash first
// and deleted after; if the process dies between the two renames the
// partition is absent, never partial, and the scheduler re-runs it. If
// Commit fails it puts the previous version back and discards the staging.
func (pw *PartitionWriter) Commit(info CommitInfo) (_ *Manifest, err error) {
	if pw.done {
		return nil, errors.New("commit: partition writer already finished")
	}
	if len(pw.open) > 0 {
		return nil, fmt.Errorf("commit %s: %d parquet file(s) not closed", pw.ds.Name, len(pw.open))
	}
	pw.done = true
	defer func() {
		if err != nil {
			pw.discard()
		}
	}()
	m := pw.manifest
	m.CommittedAt = pw.w.Now().UTC()
	m.KeyIDs = info.KeyIDs
	m.Inputs = info.Inputs
	m.Incomplete = info.Incomplete
	if info.Stats != nil {
		b, err := json.Marshal(info.Stats)
		if err != nil {
			return nil, fmt.Errorf("commit %s: stats: %w", pw.ds.Name, err)
		}
		m.Stats = b
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Name < m.Files[j].Name })
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(pw.staging, ManifestName), b); err != nil {
		return nil, fmt.Errorf("commit %s: %w", pw.ds.Name, err)
	}
	if err := syncDir(pw.staging); err != nil {
		return nil, fmt.Errorf("commit %s: %w", pw.ds.Name, err)
	}
	final := pw.w.Dir(pw.ds, pw.part)
	var trash string
	if _, err := os.Stat(final); err == nil {
		trash = filepath.Join(pw.w.trashDir(m.RunID), pw.ds.Name, filepath.FromSlash(pw.part.Path(pw.ds)))
		if err := renameInto(final, trash); err != nil {
			return nil, fmt.Errorf("commit %s: retire old partition: %w", pw.ds.Name, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("commit %s: %w", pw.ds.Name, err)
	}
	if err := renameInto(pw.staging, final); err != nil {
		if trash != "" {
			_ = os.Rename(trash, final) // the old version stays visible
		}
		return nil, fmt.Errorf("commit %s: %w", pw.ds.Name, err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		// Renamed but perhaps not durable: the manifest is in place, so
		// the partition is whole; report the error.
		return nil, fmt.Errorf("commit %s: %w", pw.ds.Name, err)
	}
	if trash != "" {
		_ = os.RemoveAll(trash) // best effort; releasing the run removes leftovers
	}
	pw.finish()
	return &m, nil
}

// renameInto renames src to dst, creating dst's parent. A concurrent
// clean-up may remove an empty _trash between the two steps, or between
// MkdirAll's own steps; retry then.
func renameInto(src, dst string) error {
	var err error
	for range 10 {
		// MkdirAll itself can lose that race: a parent it just made may be
		// gone when it makes the child.
		if err = os.MkdirAll(filepath.Dir(dst), 0o755); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if err = os.Rename(src, dst); !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if _, serr := os.Stat(src); serr != nil {
			return err
		}
	}
	return err
}

// Abort discards everything written, closing files left open. It is safe
// to call after Commit, so stages defer it right after Begin.
func (pw *PartitionWriter) Abort() {
	if pw.done {
		return
	}
	pw.done = true
	pw.discard()
}

// discard removes the staging and ends the writer's hold on its run.
func (pw *PartitionWriter) discard() {
	for w := range pw.open {
		w.f.Close()
	}
	pw.open = nil
	_ = os.RemoveAll(pw.staging)
	pw.finish()
}

// finish removes the run's staging directories once they are empty
// (os.Remove refuses a directory another writer still uses) and drops the
// writer's hold on the run.
func (pw *PartitionWriter) finish() {
	stop := pw.w.Root
	for dir := filepath.Dir(pw.staging); len(dir) > len(stop); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	if pw.release != nil {
		pw.release()
	}
}

func writeSynced(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// countingHash tees writes into a SHA-256 and counts bytes.
type countingHash struct {
	w io.Writer
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}
