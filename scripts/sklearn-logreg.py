#!/usr/bin/env python3
"""scikit-learn's side of the fraud model comparison: fit a logistic
regression on the CSV that `veil model export` writes and print its AUCs.

  sklearn-logreg.py --in F.csv [--c 1]

The CSV holds ts_ms, label, split (train|validation, the time-ordered split
veil's train makes) and the raw feature columns, an empty cell for a null.
The pipeline is the one a modeller would write with scikit-learn alone:
SimpleImputer(median, add_indicator=True), StandardScaler, then
LogisticRegression(C) (L2, the intercept unpenalised, as veil's), fitted on
the train rows only. veil additionally log1p's skewed counts, which this
leaves out on purpose: it is the outside baseline, not a copy.

Prints one JSON object: train and validation row counts and AUCs
(roc_auc_score), the solver's iterations, the scikit-learn version, and
validation_cv_auc: the same pipeline's mean AUC over a 5-fold stratified
cross-validation within the validation rows alone, i.e. what these features
hold in that period for a model allowed to learn from it (not a fair
score: a measure of the signal there, to read the time-ordered AUC by).
"""
import argparse
import csv
import json
import sys

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def load(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        if head[:3] != ["ts_ms", "label", "split"]:
            sys.exit("sklearn-logreg: not a veil model export (header %r)" % head[:3])
        y, side, rows = [], [], []
        for rec in r:
            y.append(int(rec[1]))
            side.append(rec[2])
            rows.append([float(v) if v != "" else np.nan for v in rec[3:]])
    return np.array(rows, dtype=np.float64), np.array(y), np.array(side)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in", dest="path", required=True)
    ap.add_argument("--c", type=float, default=1.0)
    a = ap.parse_args()
    X, y, side = load(a.path)
    tr, va = side == "train", side == "validation"
    # Columns all null in training carry nothing; SimpleImputer would drop
    # them silently, so drop them here where it is visible.
    keep = ~np.all(np.isnan(X[tr]), axis=0)
    X = X[:, keep]
    # newton-cholesky (scikit-learn >= 1.2) solves to the optimum; the
    # default lbfgs may stop short on unscaled indicator columns.
    def pipeline():
        lr = LogisticRegression(C=a.c, solver="newton-cholesky", tol=1e-8, max_iter=1000)
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(), lr), lr

    m, lr = pipeline()
    m.fit(X[tr], y[tr])
    Xv = X[va][:, ~np.all(np.isnan(X[va]), axis=0)]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    cv = cross_val_score(pipeline()[0], Xv, y[va], cv=folds, scoring="roc_auc")
    out = {
        "train_rows": int(tr.sum()), "validation_rows": int(va.sum()),
        "train_auc": float(roc_auc_score(y[tr], m.predict_proba(X[tr])[:, 1])),
        "validation_auc": float(roc_auc_score(y[va], m.predict_proba(X[va])[:, 1])),
        "validation_cv_auc": float(cv.mean()),
        "n_iter": int(lr.n_iter_[0]), "sklearn": sklearn.__version__,
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
