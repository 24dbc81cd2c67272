"""Reference for risk/outlier's OPTICS tests: scikit-learn's own OPTICS.

Reads {"cases": [...]} as JSON on stdin; each case holds X and OPTICS
parameters (max_eps null = inf, algorithm defaults to kd_tree) and a list
of eps values for cluster_optics_dbscan. Writes {"results": [...]}: floats
as repr strings so that inf and every bit survive, or {"error": msg} when
scikit-learn refuses the case.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.cluster import OPTICS, cluster_optics_dbscan


def run(c):
    X = np.asarray(c["X"], dtype=np.float64)
    max_eps = c.get("max_eps")
    est = OPTICS(
        min_samples=c.get("min_samples", 5),
        max_eps=np.inf if max_eps is None else max_eps,
        xi=c.get("xi", 0.05),
        min_cluster_size=c.get("min_cluster_size"),
        predecessor_correction=c.get("predecessor_correction", True),
        algorithm=c.get("algorithm", "kd_tree"),
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X)
    except ValueError as e:
        return {"error": str(e)}
    fl = lambda a: [repr(float(v)) for v in a]
    dbscan = [
        cluster_optics_dbscan(
            reachability=est.reachability_,
            core_distances=est.core_distances_,
            ordering=est.ordering_,
            eps=eps,
        ).tolist()
        for eps in c.get("dbscan_eps") or []
    ]
    return {
        "ordering": est.ordering_.tolist(),
        "reachability": fl(est.reachability_),
        "core_distances": fl(est.core_distances_),
        "predecessor": est.predecessor_.tolist(),
        "labels": est.labels_.tolist(),
        "hierarchy": est.cluster_hierarchy_.reshape(-1, 2).tolist(),
        "dbscan": dbscan,
    }


def main():
    cases = json.load(sys.stdin)["cases"]
    json.dump({"results": [run(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
