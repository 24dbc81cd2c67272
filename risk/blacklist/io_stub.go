package blacklist

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/sinks"
)

// STUB until the blacklist branch lands (the lead deletes this file).

func (l *List) Write(ctx context.Context, pw *sinks.PartitionWriter, mem memory.Allocator) error {
	return errStub
}

func Read(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, part sinks.Partition) (*List, error) {
	return nil, errStub
}

func Latest(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, onOrBefore time.Time) (*List, sinks.Partition, bool, error) {
	return nil, sinks.Partition{}, false, errStub
}
