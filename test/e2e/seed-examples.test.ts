import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../core/money.ts';
import { LakeSql } from '../../functions/local/lake-sql.ts';
import { runLocal } from '../../functions/local/run-local.ts';
import { makeLocalTable } from '../support/local-env.ts';

/**
 * The seed documents' worked examples, run through the real pipeline: export files -> ingest ->
 * compute -> output tables read back with SQL.
 */
let dir: string;

async function exportsFolder(name: string, files: Record<string, string>): Promise<string> {
  const root = join(dir, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function runAndOpen(name: string, files: Record<string, string>, asOf: string, config?: unknown) {
  const exportsDir = await exportsFolder(name, files);
  let configFile: string | undefined;
  if (config) {
    configFile = join(dir, `${name}.json`);
    await writeFile(configFile, JSON.stringify(config));
  }
  const outDir = join(dir, `${name}-out`);
  await makeLocalTable(join(outDir, 'state'));
  await runLocal({ exportsDir, outDir, asOf, ...(configFile ? { configFile } : {}) });
  return LakeSql.open(join(outDir, 'lake'));
}

const quarterly = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const month = 6 + 3 * i;
    return `${from + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}-01`;
  });

let sql: LakeSql;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cval-seeds-'));
  const standard = Array.from({ length: 400 }, (_, i) => `S${String(i).padStart(3, '0')}`);
  const yOrders = quarterly(2021, 16);
  sql = await runAndOpen(
    'seeds',
    {
      'customers/customers.csv': [
        'customer_id,acquired_on,acquisition_cost,segment',
        ...standard.map((id) => `${id},2024-06-01,0,standard`),
        'X,2024-06-01,500,vip',
        'Y,2021-03-31,0,solo',
      ].join('\n'),
      'transactions/orders.csv': [
        'order_id,customer_id,order_date,revenue',
        ...standard.map((id) => `O-${id},${id},2025-02-01,10.00`),
        'O-X,X,2025-02-01,3000.00',
        ...yOrders.map((date, i) => `O-Y${i},Y,${date},100.00`),
      ].join('\n'),
      'retention_spend/q1.csv': 'period,amount,segment\n2025-Q1,"20,000.00",standard\n2025-Q1,200.00,vip\n',
      'satisfaction/march.csv': [
        'customer_id,surveyed_on,score',
        ...standard.map((id, i) => `${id},2025-03-10,${i < 300 ? 90 : i < 350 ? 40 : 70}`),
        'X,2025-03-10,95',
      ].join('\n'),
      'service_costs/2025.csv': 'period,net_cost\n2025-03,100000.00\n',
    },
    '2025-03-31',
  );
}, 120_000);

afterAll(async () => {
  sql?.close();
  await rm(dir, { recursive: true, force: true });
});

const one = async (text: string) => (await sql.query(text)).rows[0] as Record<string, string>;

describe('seed worked examples through the pipeline', () => {
  it('retention cost per retained customer = 20,000 / 400 = 50', async () => {
    const row = await one(
      `SELECT count(*) AS n, min(retention_cost)::VARCHAR AS lo, max(retention_cost)::VARCHAR AS hi
       FROM customer_metrics WHERE segment = 'standard'`,
    );
    expect(row).toEqual({ n: 400, lo: '50.00', hi: '50.00' });
  });

  it('customer profitability = 3,000 - 500 - 200 = 2,300', async () => {
    const row = await one(
      `SELECT revenue::VARCHAR AS revenue, acquisition_cost::VARCHAR AS acquisition, retention_cost::VARCHAR AS retention,
              profit::VARCHAR AS profit FROM customer_metrics WHERE customer_id = 'X'`,
    );
    expect(row).toEqual({
      revenue: '3000.00',
      acquisition: '500.00',
      retention: '200.00',
      profit: '2300.00',
    });
  });

  it('simple CLV = 100 x 4 x 5 = 2,000, and the annuity R x (1 - (1 + i)^-n) / i', async () => {
    const row = await one(
      `SELECT average_order_value::VARCHAR AS aov, orders_per_year::VARCHAR AS per_year, clv_simple::VARCHAR AS simple,
              clv_discounted::VARCHAR AS discounted FROM customer_metrics WHERE customer_id = 'Y'`,
    );
    expect(row.aov).toBe('100.00');
    expect(row.per_year).toBe('4.000000');
    expect(row.simple).toBe('2000.00');
    // R = 400 a year (1,600 over exactly four years), i = 10 %, n = 5 years.
    const annuity = money(400)
      .times(money(1).minus(money('1.1').pow(-5)))
      .dividedBy('0.1');
    expect(row.discounted).toBe(annuity.toFixed(2));
    expect(row.discounted).toBe('1516.31');
  });

  it('service-centre ROI % = (net benefit - net cost) x 100 / net cost, with loyal > 85 and disloyal < 50', async () => {
    const row = await one(
      `SELECT loyal_customers, disloyal_customers, benefit::VARCHAR AS benefit, loss::VARCHAR AS loss,
              net_benefit::VARCHAR AS net_benefit, net_cost::VARCHAR AS net_cost, roi_pct::VARCHAR AS roi_pct
       FROM service_roi WHERE month = '2025-03'`,
    );
    expect(row.loyal_customers).toBe(301);
    expect(row.disloyal_customers).toBe(50);
    expect(row.net_cost).toBe('100000.00');
    expect(
      money(row.net_benefit as string).equals(money(row.benefit as string).minus(row.loss as string)),
    ).toBe(true);
    const expected = money(row.net_benefit as string)
      .minus(row.net_cost as string)
      .times(100)
      .dividedBy(row.net_cost as string);
    expect(
      money(row.roi_pct as string)
        .minus(expected)
        .abs()
        .lessThanOrEqualTo('0.000001'),
    ).toBe(true);
  });

  it('simple CLV = 3,000 x 4 x 10 = 120,000 with a ten-year lifespan configured', async () => {
    const tenYears = await runAndOpen(
      'ten-years',
      {
        'customers/c.csv': 'customer_id,acquired_on\nZ,2021-03-31\n',
        'transactions/t.csv': [
          'order_id,customer_id,order_date,revenue',
          ...quarterly(2021, 16).map((d, i) => `Z${i},Z,${d},3000`),
        ].join('\n'),
      },
      '2025-03-31',
      { profitability: { lifespan: { source: 'fixed', years: 10 } } },
    );
    const row = (
      await tenYears.query(`SELECT clv_simple::VARCHAR AS clv FROM customer_metrics WHERE customer_id = 'Z'`)
    ).rows[0];
    tenYears.close();
    expect(row).toEqual({ clv: '120000.00' });
  }, 60_000);
});
