// Package model trains and evaluates veil's fraud models on risk_training
// rows: a preprocessing step (Prep), an L2-regularised logistic regression
// (TrainLogistic), evaluation metrics, a time-ordered split, and a JSON
// model artefact (Artefact) that predicts the same scores after a round
// trip.
//
// # Data layout
//
// A feature matrix is column-major: X[j] is column j, one value per row,
// as columns come out of Parquet. NaN (and ±Inf) mean null. Labels are
// []bool (true = fraud).
//
// # Preprocessing
//
// FitPrep looks at training rows only. Per column: nulls are replaced by
// the training median (or mean), and a column with nulls in training also
// gets a 0/1 "<name>_missing" indicator; a non-negative column with more
// than two distinct values and skewness above 2 gets sign(v)·log1p(|v|)
// (the sign keeps it defined if an online row brings a negative value);
// then every output column is standardised to mean 0 and population
// standard deviation 1, like scikit-learn's StandardScaler. Columns that are
// all null or constant in training are dropped and listed with the reason.
// Every decision and statistic is recorded in Prep, which the artefact
// stores, so validation and online rows are transformed identically.
//
// # Regularisation strength
//
// TrainLogistic minimises
//
//	sum_i s_i * (log(1+exp(eta_i)) - y_i*eta_i) + (Lambda/2) * ||beta||^2
//
// where eta_i = b0 + x_i·beta, s_i is the row's class weight (1 unless
// set), and the intercept b0 is not penalised. The loss is a sum over rows,
// not a mean, so Lambda is exactly 1/C in scikit-learn's convention:
// LogisticRegression(C=c) and LogisticOptions{Lambda: 1/c} solve the same
// problem (tested against scikit-learn when it is installed). Because the
// loss is a sum, the same Lambda regularises less as the training set
// grows: on standardised columns the data's curvature per coefficient is
// about n·r(1−r) for n rows and a positive rate r, and Lambda matters only
// as it approaches that.
//
// # Evaluation
//
// AUC is the Mann–Whitney statistic with ties counted as one half, the
// same quantity as scikit-learn's roc_auc_score, computed from integer
// counts so the only rounding is one division. Thresholds flag rows with
// score >= threshold; RecallAtFPR picks the lowest score threshold whose
// false-positive rate stays within the target, never splitting a tie.
// SplitByTime trains on the rows before a cut time and tests on the rows at
// or after it.
//
// # Determinism
//
// The same input gives a bit-identical model: every sum runs in a fixed
// order. Row work is split into fixed-size chunks whose partial sums are
// added in chunk order, so the result does not depend on GOMAXPROCS or on
// goroutine scheduling. (Bit-identity holds for one architecture and Go
// build; a compiler that fuses multiply-adds, as on arm64, rounds
// differently from amd64.)
//
// # Privacy
//
// Errors name columns and row indices, never values. An artefact holds
// per-column training statistics (median, mean, standard deviation, null
// fraction) and coefficients, not rows.
package model
