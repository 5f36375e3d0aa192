/**
 * `npm run bench -- compute [--customers 1000000] [--transactions 20000000] [--keep 1] [--uniform 1]`:
 * the compute job's speed and memory. Generates deterministic synthetic curated exports (customers,
 * transactions, interactions, touchpoint costs, retention and acquisition spend, satisfaction,
 * service costs) as Parquet with DuckDB, the customers' purchase rates, active spans and spend
 * differing as in a real customer base (`--uniform 1`: every customer alike, as the benchmark's
 * data were before the evening of 2026-12-06, where the CLV models' fits run off; see behaviour() in
 * compute-worker.ts), then measures, each in its own process so peak RSS is that step's alone:
 * - facts: the same work as the baseline through the job's own code: the transactions read from
 *   the lake as the job reads them, and the customer facts built by the job's CustomerFactsBuilder;
 * - job: the whole compute job's work as the function runs it, loadSnapshot (every kind) +
 *   computeResults (every table and model, the CLV prediction on a second thread, the service costs
 *   by the set queries on DuckDB past compute.serviceCostsBySqlFromBytes of interactions); beside
 *   it, once each, the same on one thread (job-1t, the baseline of the second thread) and with the
 *   service costs by the TypeScript allocation (job-ts);
 * - the baseline: DuckDB running the job's customer facts query (sql/customer-facts.ts: revenue,
 *   cogs, returns, orders, first/last order) over the same files.
 * Facts, DuckDB and the job run in turn three times and each ratio is the median of the three
 * (all three printed): on a shared machine a single pair can be a fifth off either way. Targets:
 * the facts within 2x of DuckDB (issue 4), the whole job within 4x (issue 16), peak RSS under 3 GB.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { build } from 'esbuild';
import { FUNCTION_LIKE_BUNDLE } from '../infra/job-function.ts';
import { COMPUTE_MALLOC_ENVIRONMENT } from '../infra/malloc-tuning.ts';

const exec = promisify(execFile);
const AS_OF = '2024-12-31';

interface Measured {
  seconds: number;
  rows: number;
  customerRows?: number;
  peakRssMb: number;
  loadSeconds?: number;
  computeSeconds?: number;
  /** CPU time of computeResults (user + system), less moved by other work than its wall time. */
  computeCpuSeconds?: number;
  loadRssMb?: number;
}

/**
 * The steps run from an esbuild bundle built as the compute function's is (ESM, minified, the same
 * banner), not from TypeScript compiled on the fly by tsx: the figures are those of the code as
 * deployed. (tsx compiled every module on start, on the main thread and again on the decoder's
 * worker: about half a second before the first batch.) Kept under node_modules so the bundle finds
 * DuckDB's native package, which stays outside it.
 */
async function bundleSteps(): Promise<string> {
  const outfile = join(
    import.meta.dirname,
    '..',
    'node_modules',
    '.cache',
    'cval-bench',
    'compute-worker.mjs',
  );
  await build({
    ...FUNCTION_LIKE_BUNDLE,
    entryPoints: [join(import.meta.dirname, 'compute-worker.ts')],
    outfile,
    sourcemap: true,
    external: ['@duckdb/node-api'],
    logLevel: 'warning',
  });
  return outfile;
}

async function step(
  bundle: string,
  mode: string,
  dir: string,
  customers: number,
  transactions: number,
  population: 'heterogeneous' | 'uniform' = 'heterogeneous',
): Promise<Measured> {
  const { stdout } = await exec(
    process.execPath,
    [
      '--max-old-space-size=12288',
      bundle,
      mode,
      dir,
      String(customers),
      String(transactions),
      AS_OF,
      population,
    ],
    {
      maxBuffer: 1 << 20,
      // The compute function's allocator setting (set on the function by the stack).
      env: {
        ...process.env,
        LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...COMPUTE_MALLOC_ENVIRONMENT,
      },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Measured;
}

const GB = 1024;

/** Rounds of facts, DuckDB and the job in turn; the medians are printed. */
const ROUNDS = 3;

export async function runComputeBenchmark(
  options: { customers?: number; transactions?: number; keep?: number; uniform?: number } = {},
): Promise<void> {
  const customers = options.customers ?? 1_000_000;
  const transactions = options.transactions ?? 20_000_000;
  const population = options.uniform ? 'uniform' : 'heterogeneous';
  const dir = await mkdtemp(join(tmpdir(), 'cval-bench-compute-'));
  const out = (text: string) => process.stdout.write(`${text}\n`);
  try {
    out(
      `generating ${customers.toLocaleString('en')} customers, ${transactions.toLocaleString('en')} transactions, ${population} population (Parquet, DuckDB)...`,
    );
    const bundle = await bundleSteps();
    const generated = await step(bundle, 'generate', dir, customers, transactions, population);
    out(`  generated in ${generated.seconds.toFixed(1)} s`);
    // Facts, DuckDB and the job in turn, ROUNDS times: on a shared machine one pair can be a fifth off.
    const rounds: { facts: Measured; duck: Measured; job: Measured }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const facts = await step(bundle, 'facts', dir, customers, transactions);
      const duck = await step(bundle, 'duckdb', dir, customers, transactions);
      const job = await step(bundle, 'ours', dir, customers, transactions);
      rounds.push({ facts, duck, job });
    }
    const median = (of: (round: (typeof rounds)[number]) => number) => {
      const sorted = [...rounds].sort((a, b) => of(a) - of(b));
      const middle = sorted[Math.floor(ROUNDS / 2)] as (typeof rounds)[number];
      return { round: middle, ratio: of(middle), all: rounds.map((r) => `${of(r).toFixed(2)}x`).join(', ') };
    };
    const factsRatio = median((r) => r.facts.seconds / r.duck.seconds);
    const jobRatio = median((r) => r.job.seconds / r.duck.seconds);
    const { facts } = factsRatio.round;
    const { job: ours, duck } = jobRatio.round;
    const oneThread = await step(bundle, 'ours-one-thread', dir, customers, transactions);
    // The service costs the other way than the function chose (by the interactions' size, see
    // serviceCostsBySql): by the TypeScript allocation at 1M customers.
    const other = await step(bundle, 'ours-typescript-service', dir, customers, transactions);
    const line = (name: string, m: Measured) =>
      `  ${name.padEnd(8)} ${m.seconds.toFixed(2).padStart(8)} s  ${Math.round(m.rows / m.seconds)
        .toLocaleString('en')
        .padStart(12)} rows/s  peak RSS ${Math.round(m.peakRssMb).toLocaleString('en').padStart(6)} MB`;
    const jobLine = (name: string, m: Measured, what: string) =>
      `${line(name, m)}  (${what}load every kind ${m.loadSeconds?.toFixed(2)} s, RSS after load ${Math.round(m.loadRssMb ?? 0)} MB; computeResults ${m.computeSeconds?.toFixed(2)} s, CPU ${m.computeCpuSeconds?.toFixed(2)} s)`;
    out(
      `compute as of ${AS_OF}: ${customers.toLocaleString('en')} customers, ${ours.rows.toLocaleString('en')} transactions`,
    );
    out(
      `${line('facts', facts)}  (customer facts: load transactions ${facts.loadSeconds?.toFixed(2)} s, facts ${facts.computeSeconds?.toFixed(2)} s)`,
    );
    out(`${line('duckdb', duck)}  (sql/customer-facts.ts on DuckDB, 2 threads; the job's round)`);
    out(jobLine('job', ours, ''));
    out(jobLine('job-1t', oneThread, 'the CLV prediction on the main thread: '));
    out(jobLine('job-ts', other, 'service costs by the TypeScript allocation over interaction records: '));
    if (facts.customerRows !== duck.customerRows) {
      out(`  note: customer rows differ (facts ${facts.customerRows}, duckdb ${duck.customerRows})`);
    }
    out(
      `  ratios, medians of ${ROUNDS} rounds: facts / duckdb ${factsRatio.ratio.toFixed(2)}x (${factsRatio.all}); whole job / duckdb facts ${jobRatio.ratio.toFixed(2)}x (${jobRatio.all}); one thread ${(oneThread.seconds / duck.seconds).toFixed(2)}x, service costs by TypeScript ${(other.seconds / duck.seconds).toFixed(2)}x (single runs, against the job's round)`,
    );
    out(
      `  targets: facts within 2x of DuckDB ${factsRatio.ratio <= 2 ? 'MET' : 'NOT MET'}; whole job within 4x ${jobRatio.ratio <= 4 ? 'MET' : 'NOT MET'}; peak RSS under 3 GB (whole job) ${ours.peakRssMb < 3 * GB ? 'MET' : 'NOT MET'} (${(ours.peakRssMb / GB).toFixed(2)} GB; facts ${(facts.peakRssMb / GB).toFixed(2)} GB)`,
    );
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
    else out(`data kept in ${dir}`);
  }
}
