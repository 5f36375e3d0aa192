"""SciPy baseline for bench/clv.ts: the same BG/NBD and Gamma-Gamma likelihoods (weighted, on the
same collapsed rows, log-scale parameters, analytic gradients, same L2 penalty and starting points),
vectorised with NumPy and minimised by scipy.optimize.minimize(method="BFGS").

Usage: python3 clv_scipy_baseline.py <meta.json>   (prints one JSON object on stdout)
"""

import json
import resource
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln


def bgnbd_objective(log_params, x, tx, T, w, penalizer):
    r, alpha, a, b = np.exp(log_params)
    total = w.sum()
    repeat = x > 0
    bx = b + np.maximum(x, 1) - 1
    alive = -(r + x) * np.log(alpha + T)
    dropped = np.where(repeat, np.log(a) - np.log(bx) - (r + x) * np.log(alpha + tx), -np.inf)
    lse = np.logaddexp(alive, dropped)
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x) + lse
    share = np.exp(dropped - lse)
    keep = 1.0 - share
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - keep * np.log(alpha + T) - share * np.log(alpha + tx)
    d_alpha = r / alpha - (r + x) * (keep / (alpha + T) + share / (alpha + tx))
    d_a = digamma(a + b) - digamma(a + b + x) + share / a
    d_b = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - np.where(repeat, share / bx, 0.0)
    params = np.array([r, alpha, a, b])
    grad = np.array([(w * d).sum() for d in (d_r, d_alpha, d_a, d_b)])
    value = -(w * ll).sum() / total + penalizer * (params**2).sum()
    grad_log = (-grad / total + 2 * penalizer * params) * params
    return value, grad_log


def gamma_gamma_objective(log_params, x, m, w, penalizer):
    p, q, v = np.exp(log_params)
    total = w.sum()
    px = p * x
    shifted = v + m * x
    log_shifted = np.log(shifted)
    ll = gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_shifted
    psi = digamma(px + q)
    d_p = x * (psi - digamma(px) + np.log(m) + np.log(x) - log_shifted)
    d_q = psi - digamma(q) + np.log(v) - log_shifted
    d_v = q / v - (px + q) / shifted
    params = np.array([p, q, v])
    grad = np.array([(w * d).sum() for d in (d_p, d_q, d_v)])
    value = -(w * ll).sum() / total + penalizer * (params**2).sum()
    grad_log = (-grad / total + 2 * penalizer * params) * params
    return value, grad_log


def fit(objective, args, starts, gtol):
    best = None
    for start in starts:
        result = minimize(objective, np.log(start), args=args, jac=True, method="BFGS", options={"gtol": gtol, "maxiter": 1000})
        if best is None or result.fun < best.fun:
            best = result
    return best


def main():
    with open(sys.argv[1]) as handle:
        meta = json.load(handle)
    data = np.fromfile(meta["data"], dtype="<f8")
    n, g = meta["rows"], meta["spendRows"]
    x, tx, T, w = (data[i * n : (i + 1) * n] for i in range(4))
    offset = 4 * n
    gx, gm, gw = (data[offset + i * g : offset + (i + 1) * g] for i in range(3))

    started = time.perf_counter()
    bgnbd = fit(bgnbd_objective, (x, tx, T, w, meta["penalizer"]), meta["bgnbdStarts"], meta["gradientTolerance"])
    bgnbd_seconds = time.perf_counter() - started
    started = time.perf_counter()
    gamma_gamma = fit(gamma_gamma_objective, (gx, gm, gw, meta["penalizer"]), meta["gammaGammaStarts"], meta["gradientTolerance"])
    gamma_gamma_seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "bgnbd": {"params": np.exp(bgnbd.x).tolist(), "logLikelihood": -bgnbd.fun * w.sum(), "message": str(bgnbd.message), "seconds": bgnbd_seconds},
                "gammaGamma": {"params": np.exp(gamma_gamma.x).tolist(), "logLikelihood": -gamma_gamma.fun * gw.sum(), "message": str(gamma_gamma.message), "seconds": gamma_gamma_seconds},
                "peakRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    main()
