"""Reference fits for sklearn_test.go: reads one JSON request on stdin, fits
scikit-learn's LogisticRegression (lbfgs and newton-cholesky) on rows
already prepared by the Go code, scores AUC cases with roc_auc_score, and
writes JSON to stdout. Floats go both ways as shortest round-trip decimals,
so nothing is lost in transit."""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

req = json.load(sys.stdin)
X = np.array(req["X"], dtype=np.float64).T  # columns in, rows for sklearn
y = np.array(req["y"], dtype=np.int64)
fits = []
for f in req["fits"]:
    fit = {}
    for solver in ("lbfgs", "newton-cholesky"):
        m = LogisticRegression(C=f["C"], class_weight=f["class_weight"], solver=solver,
                               tol=1e-10, max_iter=10000)
        m.fit(X, y)
        fit[solver] = {"intercept": float(m.intercept_[0]),
                       "coef": [float(c) for c in m.coef_[0]],
                       "n_iter": int(m.n_iter_[0])}
    fits.append(fit)
aucs = [float(roc_auc_score(np.array(c["y"], dtype=np.int64), np.array(c["scores"])))
        for c in req["auc"]]
json.dump({"fits": fits, "auc": aucs, "sklearn": __import__("sklearn").__version__}, sys.stdout)
