// Package version says which build of veil is running: the module version
// and the commit it was built from, read from the binary's build info so
// that `go build` and `go install` need no flags. Parquet files' created_by,
// `veil --version` and the run report all take it from here.
package version

import (
	"runtime/debug"
	"sync"
)

// Overridden with -ldflags "-X github.com/veil-data/veil/internal/version.override=v1.2.3"
// by a release build whose module version the build info cannot know.
var override string

type info struct {
	version, commit string
	modified        bool
}

var read = sync.OnceValue(func() info {
	i := info{version: "devel"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return i
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		i.version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.commit = s.Value
		case "vcs.modified":
			i.modified = s.Value == "true"
		}
	}
	if override != "" {
		i.version = override
	}
	return i
})

// Version is the module version ("v0.3.1", a pseudo-version such as
// "v0.0.0-20261206120000-abcdef123456", or "devel" when unknown).
func Version() string { return read().version }

// Commit is the VCS revision the binary was built from, with "+dirty"
// when the work tree had changes; "" when unknown (go test binaries).
func Commit() string {
	i := read()
	if i.commit == "" {
		return ""
	}
	if i.modified {
		return i.commit + "+dirty"
	}
	return i.commit
}

// String is "veil <version> (<commit>)", the commit left out when unknown.
func String() string {
	if c := Commit(); c != "" {
		return "veil " + Version() + " (" + c + ")"
	}
	return "veil " + Version()
}
