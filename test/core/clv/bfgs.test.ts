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

  it('gives up on a line that is flat to rounding within ten trial steps, not sixty', () => {
    // A slope of 1 that a value of 1e17 cannot show (its last digit is 16): no step lowers it.
    const result = minimizeBfgs(
      (v, g) => {
        g[0] = 1;
        return 1e17 + v[0]!;
      },
      Float64Array.from([0]),
    );
    expect(result.converged).toBe(false);
    expect(result.message).toBe('line search failed');
    // The start, the first step and its doubling, then ten inside the bracket.
    expect(result.evaluations).toBe(13);
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
