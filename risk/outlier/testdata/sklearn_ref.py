"""Reference outputs from scikit-learn for risk/outlier's tests.

Reads {"cases": [request, ...]} on stdin and prints {"cases": [result,
...]}, so that one python start serves every test. A request is {"rows", "cols", "X" (row-major floats),
and any of "tree" (leaf_size), "knn" ({"k", "leaf_size"}), "lof" (list of
{"n_neighbors", "contamination", "algorithm"}), "dbscan" (list of {"eps",
"min_samples", "algorithm"}), "scale" (bool)}; its result has
the same keys holding scikit-learn's results.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.cluster import DBSCAN
from sklearn.neighbors import KDTree, LocalOutlierFactor, NearestNeighbors
from sklearn.preprocessing import StandardScaler


def main():
    warnings.simplefilter("ignore")  # n_neighbors > n is a case we test
    cases = json.load(sys.stdin)["cases"]
    json.dump({"cases": [run(req) for req in cases]}, sys.stdout)


def run(req):
    X = np.asarray(req["X"], dtype=np.float64).reshape(req["rows"], req["cols"])
    out = {}
    if "tree" in req:
        _, idx, nodes, _ = KDTree(X, leaf_size=req["tree"]).get_arrays()
        out["tree"] = {
            "idx": idx.tolist(),
            "nodes": [[int(n["idx_start"]), int(n["idx_end"]), int(n["is_leaf"])] for n in nodes],
        }
    if "knn" in req:
        q = req["knn"]
        nn = NearestNeighbors(algorithm="kd_tree", leaf_size=q["leaf_size"]).fit(X)
        dist, ind = nn.kneighbors(X, q["k"])
        out["knn"] = {"dist": dist.ravel().tolist(), "ind": ind.ravel().tolist()}
    if "lof" in req:
        res = []
        for p in req["lof"]:
            c = p["contamination"] if p["contamination"] else "auto"
            m = LocalOutlierFactor(n_neighbors=p["n_neighbors"], contamination=c, algorithm=p["algorithm"])
            pred = m.fit_predict(X)
            res.append({
                "nof": m.negative_outlier_factor_.tolist(),
                "offset": float(m.offset_),
                "outlier": (pred == -1).tolist(),
                "n_neighbors": int(m.n_neighbors_),
            })
        out["lof"] = res
    if "dbscan" in req:
        res = []
        for p in req["dbscan"]:
            m = DBSCAN(eps=p["eps"], min_samples=p["min_samples"], algorithm=p["algorithm"]).fit(X)
            core = np.zeros(len(X), dtype=bool)
            core[m.core_sample_indices_] = True
            res.append({"labels": m.labels_.tolist(), "core": core.tolist()})
        out["dbscan"] = res
    if req.get("scale"):
        out["scale"] = StandardScaler().fit_transform(X).ravel().tolist()
    return out


if __name__ == "__main__":
    main()
