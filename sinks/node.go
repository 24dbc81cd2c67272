package sinks

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/veil-data/veil/internal/version"
)

// CreatedBy is the created_by string of every Parquet file veil writes, in
// the form readers parse ("<app> version <semver> (build <hash>)"; parquet-mr
// and Arrow use it to decide which writer bugs to work around). parquet-go's
// own CreatedBy option leaves out the space before "(build", so the string
// is set whole through WriterConfig.
func CreatedBy() string {
	return "veil version " + version.Version() + " (build " + version.Commit() + ")"
}

// CreatedByOption sets CreatedBy on a parquet-go writer.
func CreatedByOption() parquet.WriterOption {
	return &parquet.WriterConfig{CreatedBy: CreatedBy()}
}

// Group is a Parquet group whose fields keep the order they are given in.
// parquet.Group is a map and sorts its fields by name, so a file written
// from one has its columns in alphabetical order rather than the order the
// schema declares, and `SELECT *` shows them so.
type Group []parquet.Field

// Field names a node for a Group.
func Field(name string, n parquet.Node) parquet.Field { return &groupField{Node: n, name: name} }

type groupField struct {
	parquet.Node
	name string
}

func (f *groupField) Name() string { return f.name }

// Value supports parquet-go's reflection paths on map rows; veil writes
// column by column and never reaches it on other values.
func (f *groupField) Value(base reflect.Value) reflect.Value {
	if base.Kind() == reflect.Map {
		return base.MapIndex(reflect.ValueOf(f.name))
	}
	return reflect.Value{}
}

func (g Group) ID() int                     { return 0 }
func (g Group) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g Group) Optional() bool              { return false }
func (g Group) Repeated() bool              { return false }
func (g Group) Required() bool              { return true }
func (g Group) Leaf() bool                  { return false }
func (g Group) Fields() []parquet.Field     { return g }
func (g Group) Encoding() encoding.Encoding { return nil }
func (g Group) Compression() compress.Codec { return nil }
func (g Group) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }
func (g Group) String() string {
	names := make([]string, len(g))
	for i, f := range g {
		names[i] = f.Name()
	}
	return fmt.Sprintf("group {%s}", strings.Join(names, ", "))
}
