"""Reference fits for the Go tests: reads one JSON request on stdin, fits
scikit-learn's LogisticRegression (lbfgs and newton-cholesky) on rows
already prepared by the Go code, scores held-out rows (X_test) with the
lbfgs fit and AUC cases with roc_auc_score, and writes JSON to stdout.
Floats go both ways as shortest round-trip decimals, so nothing is lost in
transit. Columns arrive column-major, as the Go code holds them."""
import json
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

req = json.load(sys.stdin)
X = np.array(req["X"], dtype=np.float64).T
y = np.array(req["y"], dtype=np.int64)
Xt = np.array(req["X_test"], dtype=np.float64).T if "X_test" in req else None
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
        if solver == "lbfgs" and Xt is not None:
            fit["test_scores"] = [float(v) for v in m.predict_proba(Xt)[:, 1]]
    fits.append(fit)
aucs = [float(roc_auc_score(np.array(c["y"], dtype=np.int64), np.array(c["scores"])))
        for c in req.get("auc", [])]
json.dump({"fits": fits, "auc": aucs, "sklearn": sklearn.__version__}, sys.stdout)
