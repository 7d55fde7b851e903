#!/usr/bin/env python3
"""statsmodels' vector autoregression on the splits recur used: the reference for recur's own VAR.

Usage: /usr/bin/python3 eval/sensors-var.py JOB.json RESULT.json

JOB.json (written by `recur sensors --export-splits`, or by a test):
  {"features": [..K names..], "mase_scale": [..K..] (optional: MASE denominators, per sensor),
   "groups": [{"name": str, "maxlags": M, "values": [[..K..], ...] (every row of the group, in time order),
               "train_end": int, "scored": [row, ...]}]}
For every group, VAR(values[:train_end]).fit(maxlags=M, ic='aic') (constant term), then one-step
forecasts of every scored row r from the actual rows r-p..r-1 (no refit). RESULT.json:
  {"groups": [{"p", "aic": [...], "params": [[...]], "pred": [[..K..] per scored row]}],
   "mae": {name: ...}, "mase": {name: ...} (when mase_scale is given), "scored": n}
"""
import json
import sys

import numpy as np
from statsmodels.tsa.api import VAR


def run_group(g):
    maxlags = g["maxlags"]
    y = np.asarray(g["values"], dtype=np.float64)
    train = y[: g["train_end"]]
    model = VAR(train)
    aic = [float(v) for v in model.select_order(maxlags=maxlags).ics["aic"]]
    res = model.fit(maxlags=maxlags, ic="aic")
    p = int(res.k_ar)
    pred = [res.forecast(y[r - p : r], 1)[0] if p > 0 else res.params[0] for r in g["scored"]]
    err = np.array([pr - y[r] for pr, r in zip(pred, g["scored"])]).reshape(-1, y.shape[1])
    out = {"p": p, "aic": aic, "params": res.params.tolist(), "pred": [list(map(float, v)) for v in pred]}
    return out, err


def main(job_path, result_path):
    with open(job_path) as f:
        job = json.load(f)
    groups, errs = [], []
    for g in job["groups"]:
        out, err = run_group(g)
        groups.append(out)
        errs.append(err)
    e = np.concatenate(errs)
    mae = np.abs(e).mean(axis=0)
    result = {"groups": groups, "scored": int(e.shape[0]), "mae": dict(zip(job["features"], map(float, mae)))}
    if "mase_scale" in job:
        result["mase"] = {n: float(m / s) for n, m, s in zip(job["features"], mae, job["mase_scale"])}
    with open(result_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
