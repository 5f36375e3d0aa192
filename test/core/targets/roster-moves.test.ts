/**
 * Reps who move between teams: the roster is a list of dated spells (rep, team, started_on,
 * ended_on, ramp, capacity), not one team per rep.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import type { RepRecord } from '../../../core/records.ts';
import { toIsoDate } from '../../../core/targets/dates.ts';
import { DEFAULT_TARGETS_CONFIG, planTargets, type TargetRow } from '../../../core/targets/index.ts';
import { rep, row, rowsOf, target } from './helpers.ts';

const config = DEFAULT_TARGETS_CONFIG;
const units = (value: { toString(): string }) => BigInt(money(value.toString()).times(100).toFixed(0));
const day = (rows: readonly TargetRow[], scope: string, date: string) =>
  Number(row(rows, scope, date).original_target);

/** Every period: the reps together hold exactly what the teams together hold. */
function expectRepsAddToTeams(rows: readonly TargetRow[], teams: string[]) {
  const reps = new Map<string, bigint>();
  const parents = new Map<string, bigint>();
  for (const r of rows) {
    const into = r.scope.startsWith('rep:') ? reps : teams.includes(r.scope) ? parents : null;
    if (into) into.set(r.period_id, (into.get(r.period_id) ?? 0n) + units(r.original_target));
  }
  expect(parents.size).toBeGreaterThan(0);
  for (const [period, total] of parents) expect(reps.get(period) ?? 0n, period).toBe(total);
}

/** Every parent period of the scope is the sum of its children (half-days up to the year). */
function expectTimeAdds(rows: readonly TargetRow[], scope: string) {
  const scoped = rowsOf(rows, scope);
  const year = scoped.find((r) => r.level === 'year');
  for (const level of ['quarter', 'month', 'week', 'day', 'half_day']) {
    const sum = scoped.filter((r) => r.level === level).reduce((a, r) => a + units(r.original_target), 0n);
    expect(sum, `${scope} ${level}`).toBe(units(year?.original_target ?? 0));
  }
}

describe('a rep who moves team mid-year', () => {
  it("gets team A's share for the days in A and team B's for the days in B, without a new ramp", () => {
    // Regression: only the later row was kept, so r5 had nothing in H1 (all of A went to r1) and
    // was ramped in B from July like a new hire.
    const roster = [
      rep('r1', 'A'),
      rep('r5', 'A', { ended_on: '2026-06-30' }),
      rep('r2', 'B'),
      rep('r5', 'B', { started_on: '2026-07-01' }),
    ];
    const targets = [target('team:A', '1200000'), target('team:B', '1200000')];
    const { rows, errors, warnings } = planTargets({
      targets,
      actuals: [],
      config,
      asOf: '2026-01-05',
      roster,
    });
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => w.startsWith('reps:'))).toEqual([]);
    expect(rowsOf(rows, 'rep:r5').filter((r) => r.level === 'year')).toHaveLength(1);
    // H1: r5 shares A with r1, B is all r2's.
    expect(day(rows, 'rep:r5', '2026-01-06')).toBeGreaterThan(0);
    expect(day(rows, 'rep:r5', '2026-01-06') / day(rows, 'rep:r1', '2026-01-06')).toBeCloseTo(1, 2);
    expect(day(rows, 'rep:r2', '2026-01-06')).toBe(day(rows, 'team:B', '2026-01-06'));
    expect(Number(row(rows, 'rep:r5', 'FY2026-Q1').original_target)).toBeGreaterThan(0);
    expect(Number(row(rows, 'rep:r5', 'FY2026-Q2').original_target)).toBeGreaterThan(0);
    // H2: r5 at full share of B (no ramp), A is all r1's.
    expect(day(rows, 'rep:r5', '2026-07-01') / day(rows, 'rep:r2', '2026-07-01')).toBeCloseTo(1, 2);
    expect(day(rows, 'rep:r1', '2026-07-01')).toBe(day(rows, 'team:A', '2026-07-01'));
    // Half of A's H1 and half of B's H2: about half of one team's year.
    const year = Number(row(rows, 'rep:r5', 'FY2026').original_target);
    expect(year).toBeGreaterThan(550_000);
    expect(year).toBeLessThan(650_000);
    expectRepsAddToTeams(rows, ['team:A', 'team:B']);
    for (const scope of ['rep:r1', 'rep:r2', 'rep:r5']) expectTimeAdds(rows, scope);
  });

  it('lets a rep hold a share of the team it is in during the fiscal year, though it moves the year after', () => {
    // Regression: r5's team was its latest (B, from 2027), so both FY2026 share rows under A were
    // rejected and r1 was given all of A.
    const roster = [
      rep('r1', 'A'),
      rep('r5', 'A', { started_on: '2025-01-01', ended_on: '2026-12-31' }),
      rep('r5', 'B', { started_on: '2027-01-01' }),
    ];
    const targets = [
      target('team:A', '1200000'),
      target('rep:r5', 0, { share: '0.5' }),
      target('rep:r1', 0, { share: '0.5' }),
    ];
    const { rows, errors } = planTargets({ targets, actuals: [], config, asOf: '2026-01-05', roster });
    expect(errors).toEqual([]);
    const r5 = Number(row(rows, 'rep:r5', 'FY2026').original_target);
    const r1 = Number(row(rows, 'rep:r1', 'FY2026').original_target);
    expect(r5).toBeGreaterThan(590_000);
    expect(r1).toBeGreaterThan(590_000);
    expect(r5 + r1).toBe(1_200_000);
  });

  it("puts a rep's share row under the team of the row's fiscal year", () => {
    const roster = [
      rep('r1', 'A'),
      rep('r2', 'B'),
      rep('r5', 'A', { started_on: '2025-01-01', ended_on: '2026-12-31' }),
      rep('r5', 'B', { started_on: '2027-01-01' }),
    ];
    const targets = [
      target('team:A', '1200000'),
      target('team:B', '1200000'),
      target('rep:r5', 0, { share: '0.5' }),
      target('rep:r1', 0, { share: '0.5' }),
      target('team:B', '1000000', { fiscalYear: 2027 }),
      target('rep:r5', 0, { share: '0.25', fiscalYear: 2027 }),
      target('rep:r2', 0, { share: '0.75', fiscalYear: 2027 }),
    ];
    const { rows, errors } = planTargets({ targets, actuals: [], config, asOf: '2026-01-05', roster });
    expect(errors).toEqual([]);
    const fy = (scope: string, year: number) => Number(row(rows, scope, `FY${year}`).original_target);
    expect(fy('rep:r5', 2026)).toBeGreaterThan(590_000);
    expect(fy('rep:r5', 2027)).toBe(250_000);
    expect(fy('rep:r2', 2027)).toBe(750_000);
  });

  it('counts the ramp from the first start in the company, and again only after a gap', () => {
    const roster = [
      rep('a', 'A'),
      rep('b', 'B'),
      // Hired into A on 2 March, moved to B on 1 April: month 2 of the ramp (50 %), not month 1.
      rep('n', 'A', { started_on: '2026-03-02', ended_on: '2026-03-31' }),
      rep('n', 'B', { started_on: '2026-04-01' }),
      // Left A on 31 March, back in B on 1 June: ramped again from the return.
      rep('g', 'A', { started_on: '2024-01-01', ended_on: '2026-03-31' }),
      rep('g', 'B', { started_on: '2026-06-01' }),
      // Ended on a Friday, started on the Monday after: no working day between, so no gap.
      rep('w', 'A', { started_on: '2024-01-01', ended_on: '2026-07-03' }),
      rep('w', 'B', { started_on: '2026-07-06' }),
    ];
    const targets = [target('team:A', '1200000'), target('team:B', '1200000')];
    const { rows, errors } = planTargets({ targets, actuals: [], config, asOf: '2026-01-05', roster });
    expect(errors).toEqual([]);
    const ratio = (scope: string, date: string) => day(rows, scope, date) / day(rows, 'rep:b', date);
    expect(day(rows, 'rep:n', '2026-03-03') / day(rows, 'rep:a', '2026-03-03')).toBeCloseTo(0.25, 2);
    expect(ratio('rep:n', '2026-04-07')).toBeCloseTo(0.5, 2);
    expect(ratio('rep:g', '2026-06-02')).toBeCloseTo(0.25, 2);
    expect(day(rows, 'rep:g', '2026-04-07')).toBe(0);
    expect(ratio('rep:w', '2026-07-07')).toBeCloseTo(1, 2);
    expectRepsAddToTeams(rows, ['team:A', 'team:B']);
  });

  it('resolves rows naming the same days in favour of the one that starts later, with a warning naming both', () => {
    // The usual roster update: the move to B added, the row in A never ended. Leaving both rows
    // out gave the rep no target at all.
    const roster = [
      rep('r1', 'A'),
      rep('r2', 'B'),
      { ...rep('r5', 'A'), source_line: 3 },
      { ...rep('r5', 'B', { started_on: '2026-07-01' }), source_line: 7 },
    ];
    const targets = [target('team:A', '1200000'), target('team:B', '1200000')];
    const planned = planTargets({ targets, actuals: [], config, asOf: '2026-01-05', roster });
    expect(planned.errors).toEqual([]);
    expect(planned.warnings.filter((w) => w.startsWith('reps:'))).toEqual([
      expect.stringMatching(
        /^reps: lines 3 and 7: r5 is in team:A \(from the start, open-ended\) and team:B \(2026-07-01 on\) on the same days from 2026-07-01: planned in team:B on them/,
      ),
    ]);
    // As if A had ended on 30 June: r5 shares A with r1 in H1, B with r2 in H2, no new ramp.
    const { rows } = planned;
    expect(day(rows, 'rep:r5', '2026-01-06') / day(rows, 'rep:r1', '2026-01-06')).toBeCloseTo(1, 2);
    expect(day(rows, 'rep:r2', '2026-01-06')).toBe(day(rows, 'team:B', '2026-01-06'));
    expect(day(rows, 'rep:r5', '2026-07-01') / day(rows, 'rep:r2', '2026-07-01')).toBeCloseTo(1, 2);
    expect(day(rows, 'rep:r1', '2026-07-01')).toBe(day(rows, 'team:A', '2026-07-01'));
    expectRepsAddToTeams(rows, ['team:A', 'team:B']);
    // A handover day written in both rows belongs to the new team; a spell inside another splits
    // it (a secondment to B in May: back in A from June).
    const secondment = planTargets({
      targets,
      actuals: [],
      config,
      asOf: '2026-01-05',
      roster: [
        rep('r1', 'A'),
        rep('r2', 'B'),
        rep('r5', 'A'),
        rep('r5', 'B', { started_on: '2026-05-01', ended_on: '2026-05-31' }),
      ],
    });
    expect(
      day(secondment.rows, 'rep:r5', '2026-04-30') / day(secondment.rows, 'rep:r1', '2026-04-30'),
    ).toBeCloseTo(1, 2);
    expect(day(secondment.rows, 'rep:r1', '2026-05-06')).toBe(day(secondment.rows, 'team:A', '2026-05-06'));
    expect(
      day(secondment.rows, 'rep:r5', '2026-05-06') / day(secondment.rows, 'rep:r2', '2026-05-06'),
    ).toBeCloseTo(1, 2);
    expect(
      day(secondment.rows, 'rep:r5', '2026-06-01') / day(secondment.rows, 'rep:r1', '2026-06-01'),
    ).toBeCloseTo(1, 2);
    expectRepsAddToTeams(secondment.rows, ['team:A', 'team:B']);
  });

  it('keeps every rep adding up to the teams in every period while reps move (property)', () => {
    const date = fc.integer({ min: 0, max: 400 }).map((d) => 20_440 + d);
    const spell = fc.record({
      team: fc.constantFrom('t', 'u'),
      capacity: fc.integer({ min: 0, max: 4 }),
      ramp: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            first: fc.option(date, { nil: null }),
            spell,
            moves: fc.array(fc.record({ on: date, gap: fc.integer({ min: 0, max: 40 }), spell }), {
              maxLength: 3,
            }),
            leaves: fc.option(date, { nil: null }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        (reps, t, u) => {
          // A rep in each team all along, so both teams are split among reps every day.
          const roster: RepRecord[] = [rep('anchor-t', 't'), rep('anchor-u', 'u')];
          reps.forEach((r, i) => {
            const spellOf = (s: typeof r.spell, start: number | null, end: number | null) =>
              rep(`r${i}`, s.team, {
                started_on: start === null ? null : toIsoDate(start),
                ended_on: end === null ? null : toIsoDate(end),
                capacity: money(s.capacity),
                ramp_months: s.ramp,
              });
            // Each move ends the spell before it, `gap` days before the move (a leave and return).
            const moves = [...r.moves]
              .filter(
                (m, k) =>
                  (r.first === null || m.on > r.first) && r.moves.findIndex((o) => o.on === m.on) === k,
              )
              .sort((a, b) => a.on - b.on);
            let start = r.first;
            let current = r.spell;
            for (const move of moves) {
              const end = move.on - 1 - move.gap;
              if (start === null || end >= start) roster.push(spellOf(current, start, end));
              start = move.on;
              current = move.spell;
            }
            roster.push(
              spellOf(current, start, r.leaves !== null && r.leaves >= (start ?? 0) ? r.leaves : null),
            );
          });
          const { rows, errors } = planTargets({
            targets: [
              target('team:t', money(t.toString()).dividedBy(100).toString()),
              target('team:u', money(u.toString()).dividedBy(100).toString()),
            ],
            actuals: [],
            config,
            asOf: '2026-01-05',
            roster,
          });
          expect(errors).toEqual([]);
          expectRepsAddToTeams(rows, ['team:t', 'team:u']);
          // Each day a rep has a part of the team it is in then, and nothing off the roster.
          const teamDay = new Map<string, bigint>();
          for (const r of rows) {
            if (r.level === 'day' && r.scope.startsWith('team:')) {
              teamDay.set(`${r.scope}|${r.period_id}`, units(r.original_target));
            }
          }
          for (const r of rows) {
            if (r.level !== 'day' || !r.scope.startsWith('rep:r')) continue;
            const spellOn = roster.find(
              (s) =>
                `rep:${s.rep_id}` === r.scope &&
                (s.started_on === null || s.started_on <= r.period_id) &&
                (s.ended_on === null || s.ended_on >= r.period_id),
            );
            const value = units(r.original_target);
            if (!spellOn) expect(value, `${r.scope} ${r.period_id}`).toBe(0n);
            else if (
              spellOn.capacity?.greaterThan(0) &&
              (teamDay.get(`team:${spellOn.team}|${r.period_id}`) ?? 0n) >= 10_000n
            ) {
              expect(value, `${r.scope} ${r.period_id}`).toBeGreaterThan(0n);
            }
          }
          for (const scope of new Set(rows.map((r) => r.scope))) {
            if (scope.startsWith('rep:')) expectTimeAdds(rows, scope);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
