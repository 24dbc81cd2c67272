package outlier

import (
	"context"
	"errors"
)

// Placeholders until the implementations land; the files that implement
// them delete this one.
var errNotBuilt = errors.New("outlier: not built yet")

func optics(context.Context, Matrix, OPTICSParams) (*OPTICSResult, error) { return nil, errNotBuilt }

// ClusterOpticsDBSCAN is cluster_optics_dbscan(reachability, core_distances, ordering, eps).
func ClusterOpticsDBSCAN(reach, core []float64, ordering []int, eps float64) []int { return nil }
