"""SciPy baseline for bench/clv.ts: the same BG/NBD, Gamma-Gamma, MBG/NBD, BG/BB and sBG likelihoods
(weighted, on the same collapsed rows, log-scale parameters, same L2 penalty and starting points;
analytic gradients except BG/BB, which both sides difference centrally), vectorised with NumPy and
minimised by scipy.optimize.minimize(method="BFGS").

Usage: python3 clv_scipy_baseline.py <meta.json>   (prints one JSON object on stdout)
"""

import json
import resource
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln


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


def mbgnbd_objective(log_params, x, tx, T, w, penalizer):
    """MBG/NBD (Batislam et al. 2007; BTYDplus mbgcnbd.LL with k = 1), analytic gradient."""
    r, alpha, a, b = np.exp(log_params)
    total = w.sum()
    alive = -(r + x) * np.log(alpha + T)
    dropped = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + tx)
    lse = np.logaddexp(alive, dropped)
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x + 1) - betaln(a, b) + lse
    share = np.exp(dropped - lse)
    keep = 1.0 - share
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - keep * np.log(alpha + T) - share * np.log(alpha + tx)
    d_alpha = r / alpha - (r + x) * (keep / (alpha + T) + share / (alpha + tx))
    d_a = digamma(a + b) - digamma(a + b + x + 1) + share / a
    d_b = digamma(b + x + 1) - digamma(a + b + x + 1) - digamma(b) + digamma(a + b) - share / (b + x)
    params = np.array([r, alpha, a, b])
    grad = np.array([(w * d).sum() for d in (d_r, d_alpha, d_a, d_b)])
    value = -(w * ll).sum() / total + penalizer * (params**2).sum()
    grad_log = (-grad / total + 2 * penalizer * params) * params
    return value, grad_log


def bgbb_objective(log_params, x, tx, n, w, penalizer):
    """BG/BB (Fader, Hardie & Shang 2010, eq. 5) as a log-sum-exp over a padded (rows x opportunities) grid."""
    alpha, beta, gamma, delta = np.exp(log_params)
    total = w.sum()
    base = -betaln(alpha, beta) - betaln(gamma, delta)
    first = betaln(alpha + x, beta + n - x) + betaln(gamma, delta + n)
    i = np.arange(int(n.max()))[None, :]
    terms = betaln(alpha + x[:, None], beta + tx[:, None] - x[:, None] + i) + betaln(gamma + 1, delta + tx[:, None] + i)
    terms = np.where(i < (n - tx)[:, None], terms, -np.inf)
    ll = base + np.logaddexp(first, np.logaddexp.reduce(terms, axis=1))
    params = np.array([alpha, beta, gamma, delta])
    return -(w * ll).sum() / total + penalizer * (params**2).sum()


def sbg_objective(log_params, churned, censored, penalizer):
    """sBG (Fader & Hardie 2007) with right-censoring, analytic gradient."""
    alpha, beta = np.exp(log_params)
    total = churned.sum() + censored.sum()
    t = np.arange(1, len(churned))
    step = np.log(beta + t - 1) - np.log(alpha + beta + t - 1)
    log_s = np.concatenate(([0.0], np.cumsum(step)))
    d_step_alpha = -1 / (alpha + beta + t - 1)
    d_step_beta = 1 / (beta + t - 1) - 1 / (alpha + beta + t - 1)
    d_s_alpha = np.concatenate(([0.0], np.cumsum(d_step_alpha)))
    d_s_beta = np.concatenate(([0.0], np.cumsum(d_step_beta)))
    lost = churned[1:]
    ll = (lost * (log_s[:-1] + np.log(alpha) - np.log(alpha + beta + t - 1))).sum() + (censored * log_s).sum()
    d_alpha = (lost * (d_s_alpha[:-1] + 1 / alpha - 1 / (alpha + beta + t - 1))).sum() + (censored * d_s_alpha).sum()
    d_beta = (lost * (d_s_beta[:-1] - 1 / (alpha + beta + t - 1))).sum() + (censored * d_s_beta).sum()
    params = np.array([alpha, beta])
    value = -ll / total + penalizer * (params**2).sum()
    grad_log = (-np.array([d_alpha, d_beta]) / total + 2 * penalizer * params) * params
    return value, grad_log


def fit(objective, args, starts, gtol, jac=True):
    best = None
    for start in starts:
        result = minimize(objective, np.log(start), args=args, jac=jac, method="BFGS", options={"gtol": gtol, "maxiter": 1000})
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
    started = time.perf_counter()
    mbgnbd = fit(mbgnbd_objective, (x, tx, T, w, meta["penalizer"]), meta["mbgnbdStarts"], meta["gradientTolerance"])
    mbgnbd_seconds = time.perf_counter() - started

    offset += 3 * g
    h = meta["bgbbRows"]
    bx, btx, bn, bw = (data[offset + i * h : offset + (i + 1) * h] for i in range(4))
    offset += 4 * h
    s = meta["sbgLength"]
    churned, censored = data[offset : offset + s], data[offset + s : offset + 2 * s]
    started = time.perf_counter()
    # Central differences, as the TypeScript fit's numeric gradient.
    bgbb = fit(bgbb_objective, (bx, btx, bn, bw, meta["penalizer"]), meta["bgbbStarts"], meta["bgbbGradientTolerance"], jac="3-point")
    bgbb_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sbg = fit(sbg_objective, (churned, censored, meta["penalizer"]), meta["sbgStarts"], meta["gradientTolerance"])
    sbg_seconds = time.perf_counter() - started

    def outcome(result, weight, seconds):
        return {"params": np.exp(result.x).tolist(), "logLikelihood": -result.fun * weight, "message": str(result.message), "seconds": seconds}

    print(
        json.dumps(
            {
                "bgnbd": {"params": np.exp(bgnbd.x).tolist(), "logLikelihood": -bgnbd.fun * w.sum(), "message": str(bgnbd.message), "seconds": bgnbd_seconds},
                "gammaGamma": {"params": np.exp(gamma_gamma.x).tolist(), "logLikelihood": -gamma_gamma.fun * gw.sum(), "message": str(gamma_gamma.message), "seconds": gamma_gamma_seconds},
                "mbgnbd": outcome(mbgnbd, w.sum(), mbgnbd_seconds),
                "bgbb": outcome(bgbb, bw.sum(), bgbb_seconds),
                "sbg": outcome(sbg, churned.sum() + censored.sum(), sbg_seconds),
                "peakRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    main()
