/**
 * One step of the compute benchmark, run in its own process so peak RSS is that step's alone:
 * `generate` writes the synthetic curated exports with DuckDB, `ours` loads them into a Snapshot
 * through loadSnapshot and runs computeResults, `duckdb` computes the customer facts in SQL over the
 * same files. Prints one JSON line {seconds, rows, peakRssMb, ...}. compute.ts runs it from an esbuild
 * bundle, as the Lambda runs the job.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isMainThread } from 'node:worker_threads';

const [mode, dir, customersArg, transactionsArg, asOf, populationArg = 'heterogeneous'] = process.argv.slice(
  2,
) as [string, string, string, string, string, string?];
type Population = 'heterogeneous' | 'uniform';
if (populationArg !== 'heterogeneous' && populationArg !== 'uniform')
  throw new Error(`population ${populationArg}: expected heterogeneous or uniform`);
const population: Population = populationArg;
const customers = Number(customersArg);
const transactions = Number(transactionsArg);
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const kindDir = (kind: string) => join(dir, 'curated', kind, 'export_id=bench');

/** The lake as loadSnapshot sees it: list and getBytes over a local folder. */
class FolderLake {
  constructor(private readonly root: string) {}

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else keys.push(relative(this.root, path).split('\\').join('/'));
      }
    };
    await walk(join(this.root, prefix));
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  /** The keys with their sizes, as S3 lists them (what the compute run decides its engines by). */
  async listObjects(prefix: string): Promise<{ key: string; size: number }[]> {
    const keys = await this.list(prefix);
    return await Promise.all(
      keys.map(async (key) => ({ key, size: (await stat(join(this.root, key))).size })),
    );
  }

  /** A new array, as from S3 (a Buffer of its own: a Uint8Array of the bytes would copy them). */
  async getBytes(key: string): Promise<Uint8Array> {
    return await readFile(join(this.root, key));
  }
}

/** Deterministic pseudo-random integer in [0, n) from a row number and a salt (DuckDB's hash is stable). */
const rnd = (expr: string, salt: number, n: number) => `((hash(${expr}, ${salt}) % ${n})::BIGINT)`;

/**
 * How each customer buys: a purchase-rate weight, the days they stay active after their
 * acquisition (up to the data's end) and a spend scale in thousandths. `heterogeneous` (the
 * default) draws them as a customer base behaves and the CLV models assume (rates and spend
 * scales differ from customer to customer, customers drop out), so the models' fits converge as
 * they do on real exports. `uniform` (the data behind README's figures dated before the evening
 * of 2026-12-06) gives every customer the same rate, 900 days and the same spend: no
 * heterogeneity is left for the models to find, BG/NBD's r and Gamma-Gamma's q run off towards
 * infinity and the fits end on a failed line search. u(salt) is uniform on (0, 1).
 */
function behaviour(population: Population): string {
  const u = (salt: number) => `((hash(idx, ${salt}) % 1000000007)::DOUBLE + 1) / 1000000008`;
  const horizon = "date_diff('day', acquired_on, DATE '2024-12-31') + 1";
  if (population === 'uniform')
    return `SELECT idx, 1.0::DOUBLE AS rate, 900 AS span_days, 1000 AS spend_permille FROM cust`;
  return `SELECT idx,
      -ln(${u(60)}) AS rate,
      least(${horizon}, 1 + floor(-ln(${u(61)}) * 700)::INTEGER) AS span_days,
      200 + floor(-ln(${u(62)}) * 800)::INTEGER AS spend_permille
    FROM cust`;
}

async function generate(): Promise<number> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2', preserve_insertion_order: 'false' });
  const c = await db.connect();
  const start = "DATE '2021-01-01'";
  const orders = Math.max(1, Math.floor(transactions / 2));
  const copy = async (kind: string, select: string, partRows: number) => {
    await mkdir(join(dir, 'curated', kind), { recursive: true });
    await c.run(
      `COPY (${select}) TO ${quote(kindDir(kind))} (FORMAT parquet, COMPRESSION gzip, ROW_GROUP_SIZE 100000, ` +
        `FILE_SIZE_BYTES ${partRows}, FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE true)`,
    );
  };
  // Customers: acquired over four years, some with their own acquisition cost, a few churned.
  await c.run(`CREATE TABLE cust AS SELECT i AS idx, 'C' || lpad(i::VARCHAR, 8, '0') AS customer_id,
      (${start} + ${rnd('i', 1, 1400)}::INTEGER) AS acquired_on FROM range(${customers}) t(i)`);
  await copy(
    'customers',
    `SELECT customer_id, acquired_on,
       CASE WHEN ${rnd('idx', 2, 3)} = 0 THEN NULL ELSE (${rnd('idx', 3, 20000)} / 100)::DECIMAL(18,2) END AS acquisition_cost,
       ['search','social','referral','store'][1 + ${rnd('idx', 4, 4)}] AS acquisition_channel,
       ['enterprise','smb','consumer','vip','student'][1 + ${rnd('idx', 5, 5)}] AS segment,
       ['north','south','east','west','central','overseas'][1 + ${rnd('idx', 6, 6)}] AS region,
       CASE WHEN ${rnd('idx', 7, 4)} = 0 THEN 'bundle-' || ${rnd('idx', 8, 3)} ELSE NULL END AS product_bundle,
       CASE WHEN ${rnd('idx', 9, 10)} = 0 AND idx > 0 THEN 'C' || lpad(${rnd('idx', 10, customers)}::VARCHAR, 8, '0') ELSE NULL END AS referred_by,
       CASE WHEN ${rnd('idx', 11, 20)} = 0 THEN acquired_on + 30 + ${rnd('idx', 12, 300)}::INTEGER ELSE NULL END AS churned_on,
       (idx + 2)::BIGINT AS source_line
     FROM cust ORDER BY idx`,
    64 * 1024 * 1024,
  );
  // Orders of about two lines each, on or after the customer's acquisition, up to 2024-12-31.
  await c.run(`CREATE TABLE behaviour AS ${behaviour(population)}`);
  if (population === 'uniform') {
    await c.run(`CREATE TABLE ord AS SELECT o, ${rnd('o', 20, customers)} AS idx FROM range(${orders}) t(o)`);
  } else {
    // Each order goes to a customer with a chance in proportion to their purchase rate times their
    // active days: an ASOF join of a uniform draw on the running total of those weights.
    await c.run(`CREATE TABLE weights AS SELECT idx, rate * span_days AS weight,
        coalesce(sum(rate * span_days) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start
      FROM behaviour`);
    await c.run(`CREATE TABLE ord AS
      WITH drawn AS (
        SELECT o, (hash(o, 20) % 1000000007)::DOUBLE / 1000000007 * (SELECT sum(weight) FROM weights) AS u
        FROM range(${orders}) t(o)
      )
      SELECT d.o, w.idx FROM drawn d ASOF JOIN weights w ON d.u >= w.start`);
  }
  await copy(
    'transactions',
    `WITH lines AS (
       SELECT j, j // 2 AS o FROM range(${transactions}) t(j)
     ), placed AS (
       SELECT l.j, l.o, c.customer_id,
         least(DATE '2024-12-31', c.acquired_on + (hash(l.o, 21) % b.span_days)::INTEGER) AS order_date,
         (500 + ${rnd('l.j', 22, 200000)}) * b.spend_permille // 1000 AS base
       FROM lines l JOIN ord USING (o) JOIN cust c USING (idx) JOIN behaviour b USING (idx)
     )
     SELECT 'SO' || lpad(o::VARCHAR, 9, '0') AS order_id, customer_id, order_date,
       -- One line in a hundred a credit note (negative revenue), as finance exports carry them.
       (CASE WHEN ${rnd('j', 32, 100)} = 0 THEN -base ELSE base END / 100)::DECIMAL(18,2) AS revenue,
       CASE WHEN ${rnd('j', 23, 5)} = 0 THEN 0::DECIMAL(18,2)
            ELSE (base * (30 + ${rnd('j', 24, 40)}) // 100 / 100)::DECIMAL(18,2) END AS cost,
       CASE WHEN ${rnd('j', 25, 20)} = 0 THEN (base // 2 / 100)::DECIMAL(18,2)
            ELSE 0::DECIMAL(18,2) END AS returned_amount,
       (1 + ${rnd('j', 26, 5)})::BIGINT AS quantity,
       'P' || ${rnd('j', 27, 500)} AS product_id,
       ['software','services','hardware','support','training','cloud','accessories','licences'][1 + ${rnd('j', 28, 8)}] AS product_category,
       ['online','direct','partner','retail'][1 + ${rnd('o', 29, 4)}] AS channel,
       'R' || ${rnd('o', 30, 60)} AS rep_id,
       'T' || ${rnd('o', 31, 6)} AS team,
       (j + 2)::BIGINT AS source_line
     FROM placed`,
    96 * 1024 * 1024,
  );
  const interactions = customers * 2;
  await copy(
    'interactions',
    `SELECT c.customer_id, least(DATE '2024-12-31', c.acquired_on + ${rnd('k', 40, 700)}::INTEGER) AS occurred_on,
       ['support_call','chat','email','visit','shipment'][1 + ${rnd('k', 41, 5)}] AS touchpoint,
       (1 + ${rnd('k', 42, 3)})::BIGINT AS quantity,
       CASE WHEN ${rnd('k', 43, 10)} = 0 THEN (${rnd('k', 44, 5000)} / 100)::DECIMAL(18,2) ELSE NULL END AS cost,
       (k + 2)::BIGINT AS source_line
     FROM range(${interactions}) t(k) JOIN cust c ON c.idx = ${rnd('k', 45, customers)}`,
    64 * 1024 * 1024,
  );
  const months = `(SELECT strftime(DATE '2021-01-01' + INTERVAL (m) MONTH, '%Y-%m') AS period, m FROM range(48) t(m))`;
  await copy(
    'touchpoint_costs',
    `SELECT period, tp AS touchpoint, ((${customers} * 3 + m * 1000 + length(tp) * 77) / 10)::DECIMAL(18,2) AS total_cost,
       (row_number() OVER ())::BIGINT + 1 AS source_line
     FROM ${months}, (SELECT unnest(['support_call','chat','email','visit','shipment']) AS tp)`,
    1 << 30,
  );
  await copy(
    'retention_spend',
    `SELECT strftime(DATE '2021-01-01' + INTERVAL (q * 3) MONTH, '%Y') || '-Q' || (q % 4 + 1) AS period,
       ((${customers} * 2 + q * 100) / 1)::DECIMAL(18,2) AS amount, seg AS segment,
       (row_number() OVER ())::BIGINT + 1 AS source_line
     FROM range(16) t(q), (SELECT unnest(['enterprise','smb','consumer','vip','student']) AS seg)`,
    1 << 30,
  );
  await copy(
    'acquisition_spend',
    `SELECT period, (${customers} * 3 + m * 10)::DECIMAL(18,2) AS amount, ch AS channel,
       (row_number() OVER ())::BIGINT + 1 AS source_line
     FROM ${months}, (SELECT unnest(['search','social','referral','store']) AS ch)`,
    1 << 30,
  );
  await copy(
    'satisfaction',
    `SELECT c.customer_id, least(DATE '2024-12-31', c.acquired_on + ${rnd('s', 50, 600)}::INTEGER) AS surveyed_on,
       (${rnd('s', 51, 101)})::DECIMAL(18,6) AS score, (s + 2)::BIGINT AS source_line
     FROM range(${Math.floor(customers / 2)}) t(s) JOIN cust c ON c.idx = ${rnd('s', 52, customers)}`,
    64 * 1024 * 1024,
  );
  await copy(
    'service_costs',
    `SELECT period, (${customers} * 5 + m * 100)::DECIMAL(18,2) AS net_cost, (m + 2)::BIGINT AS source_line FROM ${months}`,
    1 << 30,
  );
  return transactions;
}

async function ours(
  serviceCosts: 'as-the-function' | 'sql' | 'typescript' = 'as-the-function',
  threads: 1 | 2 = 2,
): Promise<Record<string, number>> {
  const { loadSnapshot } = await import('../functions/compute/load-snapshot.ts');
  const { serviceCostsBySql } = await import('../functions/compute/run-compute.ts');
  const { computeResultsOnTwoThreads } = await import('../functions/compute/compute-results.ts');
  const { parseConfig } = await import('../core/config.ts');
  const lake = new FolderLake(dir);
  const config = parseConfig({});
  const started = process.hrtime.bigint();
  // The service costs by the set queries on DuckDB (with the as_of) or by the TypeScript
  // allocation: as the compute run chooses (by the interactions' size), or as asked.
  const bySql =
    serviceCosts === 'as-the-function'
      ? await serviceCostsBySql(lake, new Set(['bench']), config.compute.serviceCostsBySqlFromBytes)
      : serviceCosts === 'sql';
  const { snapshot } = await loadSnapshot(lake, bySql ? { asOf } : {});
  const loaded = process.hrtime.bigint();
  const loadRss = process.memoryUsage().rss / 1024 / 1024;
  // CPU time (both threads') beside the wall time: on this shared machine other work stretches the
  // wall time by half or more and moves the CPU time far less. As the compute function runs it:
  // the CLV prediction on a second thread beside profitability.
  const cpuBefore = process.cpuUsage();
  const results = await computeResultsOnTwoThreads(snapshot, asOf, config, [], {
    predictOnWorkerFromCustomers: threads === 2 ? undefined : Number.POSITIVE_INFINITY,
  });
  const done = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuBefore);
  let customerRows = 0;
  for (const [table, rows] of results.tables)
    if (table.name === 'customer_metrics') customerRows = rows.length;
  return {
    seconds: Number(done - started) / 1e9,
    rows: snapshot.transactionColumns.length,
    customerRows,
    loadSeconds: Number(loaded - started) / 1e9,
    computeSeconds: Number(done - loaded) / 1e9,
    computeCpuSeconds: (cpu.user + cpu.system) / 1e6,
    loadRssMb: loadRss,
  };
}

/**
 * The same work as the DuckDB baseline, through the compute job's own code: the transactions read
 * from the lake as the job reads them (loadTransactionColumns) and the customer facts built by the
 * job's CustomerFactsBuilder (revenue, cogs, returns, distinct orders, first and last order).
 */
async function facts(): Promise<Record<string, number>> {
  const { loadTransactionColumns } = await import('../functions/compute/load-transactions.ts');
  const { CustomerFactsBuilder } = await import('../core/profitability/customer-facts.ts');
  const { Warnings } = await import('../core/profitability/types.ts');
  const lake = new FolderLake(dir);
  const keys = (await lake.list('curated/transactions/')).filter((key) => key.endsWith('.parquet'));
  const started = process.hrtime.bigint();
  const columns = await loadTransactionColumns(lake, keys);
  const loaded = process.hrtime.bigint();
  const builder = new CustomerFactsBuilder(asOf, new Warnings());
  builder.addTransactions(columns);
  const customerRows = builder.finish().length;
  return {
    rows: columns.length,
    customerRows,
    loadSeconds: Number(loaded - started) / 1e9,
    computeSeconds: Number(process.hrtime.bigint() - loaded) / 1e9,
  };
}

/** DuckDB running the job's own customer facts query (sql/customer-facts.ts) over the same files. */
async function duckdb(): Promise<Record<string, number>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { default: customerFacts } = await import('../sql/customer-facts.ts');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await db.connect();
  const files = quote(join(kindDir('transactions'), '*.parquet'));
  await c.run(`CREATE VIEW transactions AS SELECT * FROM read_parquet(${files})`);
  await c.run(`CREATE TABLE facts AS ${customerFacts}`, [asOf]);
  const counts = await c.runAndReadAll(
    `SELECT (SELECT count(*) FROM facts) AS customers, (SELECT count(*) FROM read_parquet(${files})) AS rows`,
  );
  const row = counts.getRowObjects()[0] as { customers: bigint; rows: bigint };
  return { rows: Number(row.rows), customerRows: Number(row.customers) };
}

const started = process.hrtime.bigint();
const modes: Record<string, () => Promise<Record<string, number>>> = {
  generate: async () => ({ rows: await generate() }),
  ours: () => ours(),
  'ours-sql-service': () => ours('sql'),
  'ours-typescript-service': () => ours('typescript'),
  'ours-one-thread': () => ours('as-the-function', 1),
  facts: () => facts(),
  duckdb,
};
// Bundled (see bundleSteps in compute.ts), the job's worker threads load this file too: there it
// only starts the worker's module.
if (!isMainThread) {
  await import('../functions/compute/transaction-decoder.ts');
  await import('../functions/compute/clv-prediction-worker.ts');
} else {
  const run = modes[mode];
  if (!run) throw new Error(`unknown mode ${mode}`);
  const extra = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${JSON.stringify({ seconds, ...extra, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}
