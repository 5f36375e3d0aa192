import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../core/clv/dates.ts';
import { addMonths } from '../../core/clv/subscriptions.ts';
import { donorLog } from '../core/clv/fixtures.ts';
import { cval } from '../support/cval-process.ts';
import { makeLocalTable } from '../support/local-env.ts';

/**
 * Issue 17, "done when": the published estimates reproduced end to end from exports. Each case
 * writes an exports folder (CSV files as finance would drop them), runs `cval run` on it in a child
 * process with a config file, and reads `clv_models` back with `cval query --json`.
 */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'clv');

interface ModelRow {
  model: string;
  scope: string;
  parameter: string;
  value: number;
  std_error: number | null;
  log_likelihood: number | null;
  customers: number;
  converged: boolean;
  time_unit: string;
}

let root: string;

/** Writes `files` (kind/name -> CSV text) and the config, runs cval, returns clv_models. */
async function runExports(
  name: string,
  files: Record<string, string>,
  config: object,
  asOf: string,
): Promise<{ models: ModelRow[]; out: string }> {
  const exportsDir = join(root, name, 'exports');
  const out = join(root, name, 'out');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(exportsDir, path, '..'), { recursive: true });
    await writeFile(join(exportsDir, path), text);
  }
  const configFile = join(root, name, 'config.json');
  await writeFile(configFile, JSON.stringify(config));
  await makeLocalTable(join(out, 'state'));
  const result = await cval([
    'run',
    exportsDir,
    '--as-of',
    asOf,
    '--config',
    configFile,
    '--out',
    out,
    '--quiet',
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const query = await cval([
    'query',
    `select model, scope, parameter, value, std_error, log_likelihood, customers, converged, time_unit
       from clv_models where as_of = '${asOf}' order by model, scope, parameter`,
    '--out',
    out,
    '--json',
  ]);
  expect(query.code).toBe(0);
  return { models: JSON.parse(query.stdout) as ModelRow[], out };
}

const csv = (header: string[], rows: (string | number)[][]) =>
  `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`;

/** Fader & Hardie (2007), Table 1: survivors at the start of years 0-7 of 1,000 who began in year 0. */
const REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241];
const HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491];

/**
 * A `subscriptions` export: everyone starts on 2000-01-01 on a yearly plan; the n_{t-1} - n_t who
 * leave in year t last paid for the day before the t-th anniversary; the survivors are active.
 */
function subscriptionsCsv(): string {
  const rows: (string | number)[][] = [];
  for (const [plan, survivors, prefix] of [
    ['regular', REGULAR, 'R'],
    ['high_end', HIGH_END, 'H'],
  ] as const) {
    let id = 0;
    const row = (ended: string) => {
      rows.push([`${prefix}${id}`, `${prefix}C${id}`, '2000-01-01', ended, plan, 'year', '120.00', '20.00']);
      id++;
    };
    for (let t = 1; t < survivors.length; t++)
      for (let i = 0; i < survivors[t - 1]! - survivors[t]!; i++)
        row(addDays(addMonths('2000-01-01', 12 * t), -1));
    for (let i = 0; i < survivors[survivors.length - 1]!; i++) row('');
  }
  return csv(
    [
      'subscription_id',
      'customer_id',
      'started_on',
      'ended_on',
      'plan',
      'billing_period',
      'recurring_revenue',
      'recurring_cost',
    ],
    rows,
  );
}

/** Orders from a gift log as a `transactions` export. */
function ordersCsv(orders: { order_id: string; customer_id: string; order_date: string; revenue: string }[]) {
  return csv(
    ['order_id', 'customer_id', 'order_date', 'revenue', 'cost'],
    orders.map((o) => [o.order_id, o.customer_id, o.order_date, o.revenue, '0']),
  );
}

/**
 * CDNOW (FHL 2005) summaries turned back into orders: 39-week calibration ending 1997-09-30, so a
 * customer with age T weeks first bought round(7T) days before it; x repeat purchases on distinct
 * days spread up to the last one at round(7 t_x) days after the first. Amounts vary by order so the
 * spend model has something to fit.
 */
async function cdnowOrders() {
  const text = await readFile(join(FIXTURES, 'cdnow_customers_summary.csv'), 'utf8');
  const [, ...lines] = text.trim().split(/\r?\n/);
  const end = '1997-09-30';
  const orders: { order_id: string; customer_id: string; order_date: string; revenue: string }[] = [];
  for (const line of lines) {
    const [id, x, recency, age] = line.split(',').map(Number) as [number, number, number, number];
    const first = addDays(end, -Math.round(7 * age));
    const last = Math.round(7 * recency);
    const spend = (k: number) =>
      `${10 + ((id * 7 + k * 13) % 50)}.${String((id + k) % 100).padStart(2, '0')}`;
    orders.push({ order_id: `O${id}-0`, customer_id: `C${id}`, order_date: first, revenue: spend(0) });
    for (let k = 1; k <= x; k++)
      orders.push({
        order_id: `O${id}-${k}`,
        customer_id: `C${id}`,
        order_date: addDays(first, Math.round((k * last) / x)),
        revenue: spend(k),
      });
  }
  return orders;
}

const parameter = (models: ModelRow[], model: string, scope: string, name: string) => {
  const row = models.find((m) => m.model === model && m.scope === scope && m.parameter === name);
  if (!row) throw new Error(`no ${model} ${scope} ${name} in clv_models: ${JSON.stringify(models)}`);
  return row;
};

/** Agreement to about three significant digits: within half a unit of the published last digit. */
function expectPublished(actual: number, published: number, decimals: number) {
  expect(Math.abs(actual - published)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
}

let sbg: ModelRow[];
let sbgOut: string;
let bgbb: ModelRow[];
let mbgnbd: ModelRow[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cval-clv-published-'));
  const quiet = { intervalDraws: 0, backtestDays: [90] };
  [sbg, bgbb, mbgnbd] = await Promise.all([
    runExports(
      'sbg',
      { 'subscriptions/subscriptions.csv': subscriptionsCsv() },
      { clv: { ...quiet, subscriptionDimensions: ['plan'] } },
      '2007-01-01',
    ).then((r) => {
      sbgOut = r.out;
      return r.models;
    }),
    runExports(
      'bgbb',
      {
        'transactions/donations.csv': ordersCsv(
          donorLog().map((t) => ({ ...t, revenue: t.revenue.toFixed(2) })),
        ),
      },
      { clv: { ...quiet, model: 'bgbb', opportunityPeriod: 'year' } },
      '2002-06-30',
    ).then((r) => r.models),
    cdnowOrders().then((orders) =>
      runExports(
        'mbgnbd',
        { 'transactions/cdnow.csv': ordersCsv(orders) },
        { clv: { ...quiet, model: 'mbgnbd', timeUnit: 'weeks', calibrationEnd: '1997-09-30' } },
        '1997-09-30',
      ).then((r) => r.models),
    ),
  ]);
}, 240_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('sBG through cval run: Fader & Hardie (2007) from a subscriptions export', () => {
  it.each([
    ['plan=regular', 0.704, 1.182],
    ['plan=high_end', 0.668, 3.806],
  ])('%s: alpha and beta as published', (scope, alpha, beta) => {
    expectPublished(parameter(sbg, 'sbg', scope, 'alpha').value, alpha, 3);
    expectPublished(parameter(sbg, 'sbg', scope, 'beta').value, beta, 3);
    const row = parameter(sbg, 'sbg', scope, 'alpha');
    expect(row).toMatchObject({ customers: 1000, converged: true, time_unit: 'year' });
    expect(row.std_error).toBeGreaterThan(0);
  });

  it('the log-likelihoods are the paper’s (-1680.3 regular, -1611.2 high end)', () => {
    expect(parameter(sbg, 'sbg', 'plan=regular', 'alpha').log_likelihood).toBeCloseTo(-1680.3, 1);
    expect(parameter(sbg, 'sbg', 'plan=high_end', 'alpha').log_likelihood).toBeCloseTo(-1611.2, 1);
    expect(parameter(sbg, 'sbg', 'all', 'alpha').customers).toBe(2000);
  });
});

describe('BG/BB through cval run: Fader, Hardie & Shang (2010) donors from a transactions export', () => {
  it('alpha 1.204, beta 0.750, gamma 0.657, delta 2.783 on 11,104 donors by calendar year', () => {
    expectPublished(parameter(bgbb, 'bgbb', 'all', 'alpha').value, 1.204, 3);
    expectPublished(parameter(bgbb, 'bgbb', 'all', 'beta').value, 0.75, 3);
    expectPublished(parameter(bgbb, 'bgbb', 'all', 'gamma').value, 0.657, 3);
    expectPublished(parameter(bgbb, 'bgbb', 'all', 'delta').value, 2.783, 3);
    expect(parameter(bgbb, 'bgbb', 'all', 'alpha')).toMatchObject({
      customers: 11104,
      converged: true,
      time_unit: 'year',
    });
    expect(parameter(bgbb, 'bgbb', 'all', 'alpha').log_likelihood).toBeCloseTo(-33225.6, 1);
  });
});

describe('MBG/NBD through cval run: CDNOW (BTYDplus estimates) from a transactions export', () => {
  it('r 0.525, alpha 6.183, a 0.891, b 1.614 on 2,357 customers, 39 weeks of calibration', () => {
    expectPublished(parameter(mbgnbd, 'mbgnbd', 'all', 'r').value, 0.525, 3);
    expectPublished(parameter(mbgnbd, 'mbgnbd', 'all', 'alpha').value, 6.183, 3);
    expectPublished(parameter(mbgnbd, 'mbgnbd', 'all', 'a').value, 0.891, 3);
    expectPublished(parameter(mbgnbd, 'mbgnbd', 'all', 'b').value, 1.614, 3);
    expect(parameter(mbgnbd, 'mbgnbd', 'all', 'r')).toMatchObject({
      customers: 2357,
      converged: true,
      time_unit: 'weeks',
    });
    // -9582.1327 on the fixture's times (weeks to two decimals); the orders fall on whole days.
    expect(parameter(mbgnbd, 'mbgnbd', 'all', 'r').log_likelihood).toBeCloseTo(-9582.13, 1);
  });
});

describe('clv.blockOnDrift through cval run', () => {
  it('a run whose parameters moved beyond clv.driftThreshold exits 1 with one line naming the drift, and publishes nothing', async () => {
    // A year on, the 732 subscribers still active have survived one more renewal: sBG's beta moves.
    const configFile = join(root, 'sbg', 'block.json');
    await writeFile(
      configFile,
      JSON.stringify({ clv: { intervalDraws: 0, driftThreshold: 0.01, blockOnDrift: true } }),
    );
    const exportsDir = join(root, 'sbg', 'exports');
    const result = await cval([
      'run',
      exportsDir,
      '--as-of',
      '2008-01-01',
      '--config',
      configFile,
      '--out',
      sbgOut,
      '--quiet',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^cval: not published: the CLV model drifted beyond clv\.driftThreshold \(1%\) since the run of 2007-01-01, and clv\.blockOnDrift is set\. clv drift: sbg \(/,
    );
    expect(lines[0]).toContain('sbg (plan=regular) moved more than 1% since the run of 2007-01-01: ');
    const published = await cval([
      'query',
      "select count(*) as n from clv_models where as_of = '2008-01-01'",
      '--out',
      sbgOut,
      '--json',
    ]);
    expect(JSON.parse(published.stdout)).toEqual([{ n: 0 }]);
  }, 120_000);
});
