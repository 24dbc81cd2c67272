// Package configs embeds the default configuration files, so a fresh
// binary runs the demo with no files beside it. The YAML files here are the
// documentation of record: edit them, not a copy.
package configs

import _ "embed"

// Policy is policy.yaml: the default field policy.
//
//go:embed policy.yaml
var Policy []byte

// DefaultTags is tags.yaml: the default tag definitions.
//
//go:embed tags.yaml
var DefaultTags []byte

// DefaultAudience is audience.yaml: the default audience release policy.
//
//go:embed audience.yaml
var DefaultAudience []byte

// DefaultClusters is clusters.yaml: the default features and parameters
// of the risk_clusters stage.
//
//go:embed clusters.yaml
var DefaultClusters []byte

// DefaultRules is rules.yaml: the default risk rules.
//
//go:embed rules.yaml
var DefaultRules []byte

// DefaultBlacklist is blacklist.yaml: the default admission and expiry
// policy of the blacklist.
//
//go:embed blacklist.yaml
var DefaultBlacklist []byte
