package sinks

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/parquet-go/parquet-go"
)

// List columns. An Arrow field of type list<string> (arrow.ListOf or
// arrow.ListOfNonNullable of arrow.BinaryTypes.String) is stored as the
// standard three-level Parquet LIST:
//
//	<optional|required> group NAME (LIST) {
//	  repeated group list {
//	    required binary element (STRING);
//	  }
//	}
//
// The outer group is optional when the field is nullable. Elements are
// always required: a list holds strings, never nulls (WriteRows rejects a
// null element), whatever the Arrow element field's Nullable says, so
// arrow.ListOf and arrow.ListOfNonNullable are stored alike. Per row the
// leaf column holds one value at definition level 0 for a null list,
// maxDef-1 for an empty list, or one value per element at maxDef, the first
// at repetition level 0 and the rest at 1; maxDef is 2 for a nullable field
// and 1 otherwise.

// listElementPath is the path of a LIST column's leaf under the field.
var listElementPath = []string{"list", "element"}

// leafPath is the path of the one Parquet leaf column that holds field f.
func leafPath(f arrow.Field) []string {
	if f.Type.ID() == arrow.LIST {
		return append([]string{f.Name}, listElementPath...)
	}
	return []string{f.Name}
}

// listNode is the Parquet node of a list<string> field; dictionary
// encoding, when asked for, applies to the element leaf.
func listNode(f arrow.Field, dictionary bool) (parquet.Node, error) {
	elem := f.Type.(*arrow.ListType).Elem()
	if elem.ID() != arrow.STRING {
		return nil, fmt.Errorf("field %s: unsupported list element type %s, only list<string> is supported", f.Name, elem)
	}
	var n parquet.Node = parquet.String()
	if dictionary {
		n = parquet.Encoded(n, &parquet.RLEDictionary)
	}
	return parquet.List(n), nil
}

// listMaxDef is the definition level of a present element.
func listMaxDef(nullable bool) int {
	if nullable {
		return 2
	}
	return 1
}

// checkListElements reports a null element in the rows of a that sel
// selects (all rows when sel is nil). It runs before any column of a
// record is written, so that a bad record leaves the file untouched.
func checkListElements(a *array.List, sel []int) error {
	elems := a.ListValues()
	if elems.NullN() == 0 {
		return nil
	}
	n := a.Len()
	if sel != nil {
		n = len(sel)
	}
	for p := range n {
		i := row(sel, p)
		if a.IsNull(i) {
			continue
		}
		lo, hi := a.ValueOffsets(i)
		for j := lo; j < hi; j++ {
			if elems.IsNull(int(j)) {
				return fmt.Errorf("row %d: null list element (list elements must be non-null strings)", i)
			}
		}
	}
	return nil
}

// fillList appends to vals the Parquet values of rows start..end of a list
// column (positions in sel, when it is not nil), levels as described above,
// and returns the extended slice.
func fillList(vals []parquet.Value, a *array.List, nullable bool, sel []int, start, end, c int) []parquet.Value {
	elems := a.ListValues().(*array.String) // the schema check admits only list<string>
	maxDef := listMaxDef(nullable)
	nulls := nullable && a.NullN() > 0
	null := parquet.NullValue().Level(0, 0, c)
	empty := parquet.NullValue().Level(0, maxDef-1, c)
	for p := start; p < end; p++ {
		i := row(sel, p)
		if nulls && a.IsNull(i) {
			vals = append(vals, null)
			continue
		}
		lo, hi := a.ValueOffsets(i)
		if lo == hi {
			vals = append(vals, empty)
			continue
		}
		rep := 0
		for j := int(lo); j < int(hi); j++ {
			s := elems.Value(j)
			// As for flat strings: the writer copies the bytes before
			// WriteRowValues returns.
			vals = append(vals, parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s))).Level(rep, maxDef, c))
			rep = 1
		}
	}
	return vals
}

// readList reads a LIST column chunk into b: a value at repetition level 0
// starts a row, whose definition level says whether the list is null,
// empty, or starts with this element.
func readList(cc parquet.ColumnChunk, b *array.ListBuilder, vals []parquet.Value, nullable bool) error {
	elems, ok := b.ValueBuilder().(*array.StringBuilder)
	if !ok {
		return fmt.Errorf("list of %s, want list<string>", b.ValueBuilder().Type())
	}
	maxDef := listMaxDef(nullable)
	return ReadPages(cc, vals, func(vs []parquet.Value) error {
		for _, v := range vs {
			d := v.DefinitionLevel()
			if v.RepetitionLevel() == 0 {
				switch {
				case d == maxDef:
					b.Append(true)
				case d == maxDef-1:
					b.Append(true) // empty list
					continue
				case d == 0 && nullable:
					b.AppendNull()
					continue
				default:
					return fmt.Errorf("definition level %d out of range for a list (max %d)", d, maxDef)
				}
			} else if d != maxDef {
				return fmt.Errorf("repeated value at definition level %d, want %d", d, maxDef)
			}
			elems.BinaryBuilder.Append(v.ByteArray())
		}
		return nil
	})
}
