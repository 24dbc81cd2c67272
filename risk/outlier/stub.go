package outlier

import (
	"context"
	"errors"
)

// Placeholders until the implementations land; the files that implement
// them delete this one.
var errNotBuilt = errors.New("outlier: not built yet")

func lof(context.Context, Matrix, LOFParams) (*LOFResult, error)          { return nil, errNotBuilt }
func dbscan(context.Context, Matrix, DBSCANParams) (*DBSCANResult, error) { return nil, errNotBuilt }

// Standardize scales each column as StandardScaler does (mean 0, population
// standard deviation 1; a constant column is only centred).
func Standardize(m Matrix) Matrix { return m }
