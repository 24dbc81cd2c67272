package ingest

import "unsafe"

// unsafeString views b as a string without copying. The chunk that owns b
// is never written again after its lines are cut, and Arrow builders copy
// what they keep, so the string does not outlive its bytes in use.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
