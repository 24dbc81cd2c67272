package serve

import (
	"fmt"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// NewestCheckpoint is the newest committed risk_state partition's day, ""
// when there is none.
func NewestCheckpoint(w *sinks.Warehouse) (string, error) {
	parts, err := w.Partitions(schemas.RiskState)
	if err != nil {
		return "", fmt.Errorf("serve: list %s: %w", schemas.RiskState.Name, err)
	}
	dt := ""
	for _, p := range parts {
		dt = max(dt, p.DT)
	}
	return dt, nil
}
