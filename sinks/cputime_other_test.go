//go:build !unix

package sinks

func cpuTime() int64 { return 0 }
