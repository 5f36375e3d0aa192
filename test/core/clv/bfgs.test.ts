import { describe, expect, it } from 'vitest';
import { minimizeBfgs } from '../../../core/clv/bfgs.ts';

describe('minimizeBfgs', () => {
  it('finds the Rosenbrock minimum', () => {
    const result = minimizeBfgs(
      (v, g) => {
        const [x, y] = [v[0]!, v[1]!];
        g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
        g[1] = 200 * (y - x * x);
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
      },
      Float64Array.from([-1.2, 1]),
    );
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });

  it('finds the minimum of ill-conditioned quadratics whose first step overshoots by far', () => {
    // The first step (up to five units) overshoots the minimum by far more than 2^10: a line
    // search capped at ten halvings finds no decrease and stops at the start (tried, reverted).
    const narrow = minimizeBfgs(
      (v, g) => {
        g[0] = 2e6 * v[0]!;
        return 1e6 * v[0]! * v[0]!;
      },
      Float64Array.from([1e-4]),
    );
    expect(narrow.converged).toBe(true);
    expect(Math.abs(narrow.x[0]!)).toBeLessThan(1e-12);
    const valley = minimizeBfgs(
      (v, g) => {
        const [x, y] = [v[0]!, v[1]!];
        g[0] = 2 * x;
        g[1] = 2e4 * (y - x);
        g[0] -= 2e4 * (y - x);
        return x * x + 1e4 * (y - x) ** 2;
      },
      Float64Array.from([1, 1.001]),
    );
    expect(valley.converged).toBe(true);
    expect(Math.abs(valley.x[0]!)).toBeLessThan(1e-6);
    expect(Math.abs(valley.x[1]!)).toBeLessThan(1e-6);
  });

  it('backs off from regions where the objective is not finite', () => {
    // ln-barrier at x = 0: a full Newton-like step would jump past it.
    const result = minimizeBfgs(
      (v, g) => {
        const x = v[0]!;
        if (x <= 0) return Number.NaN;
        g[0] = 1 - 1 / x;
        return x - Math.log(x);
      },
      Float64Array.from([20]),
    );
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
  });

  it('stops where rounding hides any further decrease, converged, without grinding the line search', () => {
    // A likelihood summed over many customers: its value carries rounding of about 1e-12 of
    // itself, its gradient is exact. Near the optimum no line search can find a decrease by value.
    const noise = (v: Float64Array) => {
      const h = Math.sin(v[0]! * 12_345.678 + v[1]! * 98_765.4321 + v[2]! * 4_321.5) * 43_758.5453;
      return (h - Math.floor(h)) * 1e-11;
    };
    const scales = [1e4, 1, 30];
    const result = minimizeBfgs(
      (v, g) => {
        let value = 8.5 + noise(v);
        for (let i = 0; i < 3; i++) {
          value += 0.5 * scales[i]! * (v[i]! - 0.25) ** 2;
          g[i] = scales[i]! * (v[i]! - 0.25);
        }
        return value;
      },
      Float64Array.from([1, -2, 0.5]),
    );
    expect(result.converged).toBe(true);
    expect(result.message).toBe('no further decrease possible at rounding precision');
    for (const v of result.x) expect(v).toBeCloseTo(0.25, 5);
    // Each unresolved search gets ten evaluations at most (68 in all before, 42 with).
    expect(result.evaluations).toBeLessThan(50);
  });

  it('follows a flat direction the inverse Hessian does not know yet, far from its optimum', () => {
    // Along x1 the decrease a first step promises is below rounding (-gᵀd tiny with the identity
    // as inverse Hessian), yet the optimum is half a unit away: the search must still go there.
    const curvatures = [1, 1e-5];
    const optimum = [0.25, 0.5];
    const result = minimizeBfgs(
      (v, g) => {
        let value = 3;
        for (let i = 0; i < 2; i++) {
          value += 0.5 * curvatures[i]! * (v[i]! - optimum[i]!) ** 2;
          g[i] = curvatures[i]! * (v[i]! - optimum[i]!);
        }
        return value;
      },
      Float64Array.from([3, 0]),
    );
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(0.25, 6);
    expect(result.x[1]).toBeCloseTo(0.5, 4);
  });

  it('reports no convergence honestly when stopped early', () => {
    const result = minimizeBfgs(
      (v, g) => {
        g[0] = 2 * v[0]!;
        return v[0]! * v[0]!;
      },
      Float64Array.from([5]),
      { maxIterations: 0 },
    );
    expect(result.converged).toBe(false);
    expect(result.message).toBe('iteration limit reached');
  });
});
