import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLV_MODEL_CONFIG } from '../../core/clv/index.ts';
import { clvSettings, parseConfig, profitabilitySettings } from '../../core/config.ts';
import { DEFAULT_PROFITABILITY_CONFIG } from '../../core/profitability/index.ts';
import { DEFAULT_TARGETS_CONFIG, withTargetsDefaults } from '../../core/targets/config.ts';

/** The message parseConfig refuses `json` with. */
function refusal(json: unknown): string {
  try {
    parseConfig(json);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(json)}`);
}

describe('a valid configuration', () => {
  it('an empty file gives every default', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      locale: 'en',
      currency: 'CNY',
      header_aliases: {},
      rows_per_part: 100_000,
      time_zone: 'Asia/Shanghai',
    });
    expect(profitabilitySettings(config)).toEqual(DEFAULT_PROFITABILITY_CONFIG);
    expect(clvSettings(config)).toEqual(DEFAULT_CLV_MODEL_CONFIG);
    expect(withTargetsDefaults(config.targets as Parameters<typeof withTargetsDefaults>[0])).toEqual(
      DEFAULT_TARGETS_CONFIG,
    );
  });

  it('keeps what the README documents, exactly as written', () => {
    const json = {
      locale: 'zh-CN',
      currency: 'USD',
      header_aliases: { transactions: { revenue: ['净额'] } },
      rows_per_part: 5000,
      max_export_bytes: 1_000_000_000,
      max_transaction_rows: 5_000_000,
      time_zone: 'Europe/London',
      profitability: {
        cohortGrain: 'quarter',
        cohortDimensions: ['segment', ['region', 'acquisition_channel']],
        inactivityDays: 180,
        discountRate: '0.08',
        lifespan: { source: 'cohort_expected_tenure', fallbackYears: 5 },
        clvFormula: 'discounted',
        loyalAbove: 90,
        disloyalBelow: 40,
        profitTiers: [{ tier: 'all', fromDecile: 1, toDecile: 10, strategy: 'serve' }],
        rounding: 'half_up',
      },
      clv: {
        model: 'pareto_nbd',
        timeUnit: 'days',
        horizonMonths: 24,
        annualDiscountRate: 0.12,
        margin: 0.3,
        penalizer: 0.01,
        calibrationEnd: '2026-06-30',
        holdoutDays: 90,
        minRepeatCustomers: 2,
      },
      targets: {
        calendar: { yearRule: { kind: 'fixed_month', startMonth: 4 }, pattern: 'calendar_months' },
        workingDays: {
          holidays: { kind: 'list', holidays: ['2026-12-25'], makeUpWorkdays: [], coveredYears: [2026] },
          extraHolidays: ['2026-08-14'],
          halfDayWeights: { am: '0.6', pm: '0.4' },
        },
        phasing: { kind: 'quarters', weights: [1, '1.5', 1, 2] },
        allowNegative: true,
        revenueNetOfReturns: false,
      },
      compute: {
        scaleOutAboveBytes: 2_000_000_000,
        buckets: 32,
        serviceCostsBySqlFromBytes: 0,
        reconcileLoadAboveBytes: 1_000_000,
      },
    };
    const config = parseConfig(json);
    expect(config).toEqual(json);
    expect(profitabilitySettings(config).discountRate).toBe('0.08');
  });

  it('any discount rate from 0 to 1, as a number or an exact decimal string, is kept as written', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.integer({ min: 0, max: 10_000 }).map((n) => (n / 10_000).toFixed(4)),
        ),
        (rate) => {
          expect(parseConfig({ profitability: { discountRate: rate } }).profitability.discountRate).toBe(
            rate,
          );
        },
      ),
    );
  });
});

describe('a configuration fault is refused before any work, naming the setting and what is allowed', () => {
  it('a wrong type (issue #19)', () => {
    expect(refusal({ profitability: { discountRate: 'abc' } })).toBe(
      'configuration: profitability.discountRate: expected a number between 0 and 1, got "abc"',
    );
    expect(refusal({ clv: { horizonMonths: '12' } })).toBe(
      'configuration: clv.horizonMonths: expected a whole number between 1 and 1200, got "12"',
    );
    expect(refusal({ targets: { allowNegative: 'yes' } })).toBe(
      'configuration: targets.allowNegative: expected true or false, got "yes"',
    );
    // A part is held in memory as columns while it fills: ten million rows of numbers would be gigabytes.
    expect(refusal({ rows_per_part: 10_000_000 })).toBe(
      'configuration: rows_per_part: expected a whole number between 1 and 1000000, got 10000000',
    );
    expect(refusal({ rows_per_part: '1000' })).toBe(
      'configuration: rows_per_part: expected a whole number between 1 and 1000000, got "1000"',
    );
  });

  it('a value out of range', () => {
    expect(refusal({ profitability: { discountRate: 10 } })).toBe(
      'configuration: profitability.discountRate: expected a number between 0 and 1, got 10',
    );
    expect(refusal({ profitability: { loyalAbove: 101 } })).toMatch(
      /^configuration: profitability.loyalAbove: expected a number between 0 and 100, got 101$/,
    );
    expect(refusal({ clv: { margin: 1.3 } })).toBe(
      'configuration: clv.margin: expected "customer" or a share between 0 and 1, got 1.3',
    );
    expect(refusal({ clv: { calibrationEnd: '2025-02-30' } })).toBe(
      'configuration: clv.calibrationEnd: expected a date YYYY-MM-DD, got "2025-02-30"',
    );
    expect(refusal({ targets: { calendar: { week53Month: 13 } } })).toBe(
      'configuration: targets.calendar.week53Month: expected a whole number between 1 and 12, got 13',
    );
    expect(refusal({ targets: { phasing: { kind: 'quarters', weights: [1, 2, 3] } } })).toBe(
      'configuration: targets.phasing.weights: expected 4 quarter weights, got [1,2,3]',
    );
    expect(refusal({ targets: { workingDays: { extraHolidays: ['2026-02-30'] } } })).toBe(
      'configuration: targets.workingDays.extraHolidays[0]: expected a date YYYY-MM-DD, got "2026-02-30"',
    );
    expect(refusal({ time_zone: 'Asia/Shanghia' })).toBe(
      'configuration: time_zone: expected an IANA time zone such as Asia/Shanghai, got "Asia/Shanghia"',
    );
  });

  it('a value that is not one of the choices', () => {
    expect(refusal({ locale: 'fr' })).toBe('configuration: locale: expected one of "en", "zh-CN", got "fr"');
    expect(refusal({ profitability: { lifespan: { source: 'forever' } } })).toBe(
      'configuration: profitability.lifespan.source: expected one of "fixed", "cohort_expected_tenure", got "forever"',
    );
    expect(refusal({ profitability: { lifespan: { source: 'fixed', years: 'five' } } })).toBe(
      'configuration: profitability.lifespan.years: expected a number above 0, got "five"',
    );
  });

  it('settings that contradict each other', () => {
    // One cut listed twice would give each of its cohorts two rows in cohort_metrics.
    expect(refusal({ profitability: { cohortDimensions: ['segment', ['segment']] } })).toMatch(
      /^configuration: profitability\.cohortDimensions\[1\]: segment is listed twice/,
    );
    expect(
      refusal({
        profitability: {
          cohortDimensions: [
            ['region', 'segment'],
            ['region', 'segment'],
          ],
        },
      }),
    ).toMatch(/^configuration: profitability\.cohortDimensions\[1\]: region x segment is listed twice/);
    expect(() =>
      parseConfig({ profitability: { cohortDimensions: ['segment', ['segment', 'region']] } }),
    ).not.toThrow();
    expect(refusal({ profitability: { disloyalBelow: 90 } })).toBe(
      'configuration: profitability.disloyalBelow: disloyalBelow (90) must not be above loyalAbove (85), got 90',
    );
    expect(refusal({ targets: { calendar: { yearRule: { kind: 'calendar_year' } } } })).toMatch(
      /^configuration: targets.calendar: the 4-4-5 pattern needs a 52\/53-week year/,
    );
    expect(
      refusal({ profitability: { profitTiers: [{ tier: 'a', fromDecile: 5, toDecile: 2, strategy: '' }] } }),
    ).toBe(
      'configuration: profitability.profitTiers[0].toDecile: fromDecile must not be above toDecile, got 2',
    );
  });

  it('an unknown key in any section, listing the keys the section has', () => {
    expect(refusal({ profitabilty: {} })).toBe(
      'configuration: profitabilty: unknown setting; allowed: locale, currency, header_aliases, rows_per_part, max_export_bytes, max_transaction_rows, time_zone, profitability, clv, targets, compute',
    );
    expect(refusal({ profitability: { discountrate: 0.1 } })).toMatch(
      /^configuration: profitability.discountrate: unknown setting; allowed: cohortGrain, .*discountRate/,
    );
    expect(refusal({ clv: { horizon: 12 } })).toMatch(
      /^configuration: clv.horizon: unknown setting; allowed: model, /,
    );
    expect(refusal({ targets: { calender: {} } })).toMatch(
      /^configuration: targets.calender: unknown setting; allowed: calendar, /,
    );
    expect(refusal({ targets: { calendar: { yearrule: {} } } })).toMatch(
      /^configuration: targets.calendar.yearrule: unknown setting; allowed: yearRule, /,
    );
    expect(refusal({ profitability: { lifespan: { source: 'fixed', years: 5, months: 2 } } })).toMatch(
      /^configuration: profitability.lifespan.months: unknown setting; allowed: source, years$/,
    );
  });

  it('every refusal is one line starting with the word configuration, whatever the file holds', () => {
    const section = fc.constantFrom(
      'profitability',
      'clv',
      'targets',
      'header_aliases',
      'locale',
      'rows_per_part',
    );
    fc.assert(
      fc.property(
        fc.dictionary(section, fc.jsonValue()),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (a, b) => {
          let message: string | null = null;
          try {
            parseConfig({ ...a, ...b });
          } catch (error) {
            message = (error as Error).message;
          }
          if (message !== null) {
            expect(message).toMatch(/^configuration: \S/);
            expect(message).not.toContain('\n');
          }
        },
      ),
    );
  });

  it('a setting of a known numeric kind given as text is never accepted', () => {
    const settings: [string, string][] = [
      ['profitability', 'inactivityDays'],
      ['profitability', 'whalePoints'],
      ['profitability', 'loyalAbove'],
      ['clv', 'annualDiscountRate'],
      ['clv', 'penalizer'],
      ['clv', 'holdoutDays'],
      ['targets', 'moneyScale'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...settings), fc.string(), ([sectionName, key], value) => {
        expect(refusal({ [sectionName]: { [key]: value } })).toMatch(
          new RegExp(`^configuration: ${sectionName}\\.${key}: expected `),
        );
      }),
    );
  });
});
