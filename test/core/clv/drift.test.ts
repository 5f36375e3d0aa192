import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClvDriftError,
  checkParameterDrift,
  driftOutcome,
  type ParameterValue,
} from '../../../core/clv/drift.ts';

const row = (model: string, parameter: string, value: number | null, scope = 'all'): ParameterValue => ({
  model,
  scope,
  parameter,
  value,
});

const lastNight = [
  row('bgnbd', 'r', 0.243),
  row('bgnbd', 'alpha', 4.414),
  row('bgnbd', 'a', 0.793),
  row('bgnbd', 'b', 2.426),
  row('gamma_gamma', 'p', 6.25),
  row('sbg', 'alpha', 0.704, 'plan=Gold'),
  row('sbg', 'beta', 1.182, 'plan=Gold'),
  row('pareto_nbd', 'not_fitted', null),
];

describe('checkParameterDrift', () => {
  it('flags each parameter that moved more than the threshold, one warning per model and scope', () => {
    const tonight = [
      row('bgnbd', 'r', 0.31), // +27.6 %
      row('bgnbd', 'alpha', 4.5), // +1.9 %
      row('bgnbd', 'a', 0.5), // -36.9 %
      row('bgnbd', 'b', 2.426),
      row('gamma_gamma', 'p', 6.5),
      row('sbg', 'alpha', 0.704, 'plan=Gold'),
      row('sbg', 'beta', 2.0, 'plan=Gold'), // +69.2 %
      row('sbg', 'alpha', 9, 'plan=Silver'), // new scope: nothing to compare
      row('pareto_nbd', 'r', 1), // not fitted last night
    ];
    const check = checkParameterDrift(lastNight, tonight, { previousAsOf: '2025-03-31', threshold: 0.25 });
    expect(check.findings.map((f) => [f.model, f.scope, f.parameter])).toEqual([
      ['bgnbd', 'all', 'r'],
      ['bgnbd', 'all', 'a'],
      ['sbg', 'plan=Gold', 'beta'],
    ]);
    expect(check.findings[1]!.relativeChange).toBeCloseTo(0.5 / 0.793 - 1, 12);
    expect(check.warnings).toEqual([
      'clv drift: bgnbd (all) moved more than 25% since the run of 2025-03-31: r 0.2430 -> 0.3100 (+27.6%), a 0.7930 -> 0.5000 (-36.9%)',
      'clv drift: sbg (plan=Gold) moved more than 25% since the run of 2025-03-31: beta 1.182 -> 2.000 (+69.2%)',
    ]);
  });

  it('blocks with a clear error only when clv.blockOnDrift is set and something moved', () => {
    const tonight = [row('bgnbd', 'r', 0.5)];
    const check = checkParameterDrift(lastNight, tonight, { previousAsOf: '2025-03-31', threshold: 0.25 });
    expect(driftOutcome(check, false)).toEqual({ warnings: check.warnings, error: null });
    const blocked = driftOutcome(check, true);
    expect(blocked.error).toBeInstanceOf(ClvDriftError);
    expect(blocked.error!.message).toMatch(
      /^not published: the CLV model drifted beyond clv.driftThreshold \(25%\) since the run of 2025-03-31/,
    );
    expect(blocked.error!.message).toContain('r 0.2430 -> 0.5000 (+105.8%)');
    const calm = checkParameterDrift(lastNight, lastNight, { previousAsOf: '2025-03-31', threshold: 0.25 });
    expect(driftOutcome(calm, true)).toEqual({ warnings: [], error: null });
    expect(driftOutcome(null, true)).toEqual({ warnings: [], error: null });
  });

  it('finds exactly the parameters whose relative move exceeds the threshold', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            before: fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
            factor: fc.double({ min: 0.01, max: 5, noNaN: true }),
          }),
          { maxLength: 12 },
        ),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (pairs, threshold) => {
          const previous = pairs.map((p, i) => row('bgnbd', `p${i}`, p.before));
          const current = pairs.map((p, i) => row('bgnbd', `p${i}`, p.before * p.factor));
          const check = checkParameterDrift(previous, current, { previousAsOf: '2025-01-01', threshold });
          const expected = pairs.flatMap((p, i) =>
            Math.abs((p.before * p.factor - p.before) / p.before) > threshold ? [`p${i}`] : [],
          );
          expect(check.findings.map((f) => f.parameter)).toEqual(expected);
          expect(check.warnings.length).toBe(expected.length > 0 ? 1 : 0);
          // Unchanged parameters never drift, whatever the threshold.
          expect(
            checkParameterDrift(previous, previous, { previousAsOf: '2025-01-01', threshold }).findings,
          ).toEqual([]);
        },
      ),
    );
  });
});
