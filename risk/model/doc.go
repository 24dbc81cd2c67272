// Package model trains and evaluates veil's fraud models on risk_training
// rows: a preprocessing step (Prep), an L2-regularised logistic regression
// (Logistic), evaluation metrics, a time-ordered split, and a JSON model
// artefact that predicts the same scores after a round trip.
//
// # Data layout
//
// A feature matrix is column-major: X[j] is column j, one value per row,
// as columns come out of Parquet. NaN (and ±Inf) mean null. Prep is fitted
// on training rows only and applied unchanged to validation and online
// rows.
//
// # Regularisation strength
//
// Logistic minimises
//
//	sum_i s_i * (log(1+exp(eta_i)) - y_i*eta_i) + (Lambda/2) * ||beta||^2
//
// where eta_i = b0 + x_i·beta, s_i is the row's class weight (1 unless
// set), and the intercept b0 is not penalised. The loss is a sum over rows,
// not a mean, so Lambda is exactly 1/C in scikit-learn's convention:
// LogisticRegression(C=c) and Logistic{Lambda: 1/c} solve the same problem
// and agree to the solvers' tolerance (tested against scikit-learn when it
// is installed). Because the loss is a sum, the same Lambda regularises
// less as the training set grows; pick it per dataset size.
//
// # Determinism
//
// The same input gives a bit-identical model: every sum runs in a fixed
// order. Row work is split into fixed-size chunks whose partial sums are
// added in chunk order, so the result does not depend on GOMAXPROCS or on
// goroutine scheduling. (Bit-identity holds for one architecture and Go
// build; a compiler that fuses multiply-adds, as on arm64, rounds
// differently from amd64.)
package model
