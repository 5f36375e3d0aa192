import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../functions/shared/dates.ts';

/**
 * `cval --help` must not load what the commands run (AWS SDK, DuckDB, Powertools, the handlers): that
 * is what made it take seconds. Asserted on the modules the process resolved, recorded by a module
 * hook, not on how long it took.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const RECORDER = join(import.meta.dirname, 'support', 'record-imports.mjs');
const run = promisify(execFile);

/** Heavy code a help or a list must not load. */
const HEAVY = [
  /\/node_modules\/@aws-sdk\//,
  /\/node_modules\/@smithy\//,
  /\/node_modules\/@duckdb\//,
  /\/node_modules\/@aws-lambda-powertools\//,
  /\/node_modules\/@middy\//,
  /\/node_modules\/hyparquet/,
  /\/node_modules\/echarts\//,
  /\/functions\/(local|ingest|compute|targets|adapters|report)\//,
];

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cval-imports-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs cval with the recorder; returns its output and the URLs of the modules it resolved. */
async function cvalRecording(...args: string[]) {
  const log = join(dir, `imports-${n++}.log`);
  const { stdout } = await run(process.execPath, ['--import', RECORDER, 'bin/cval.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, RECORD_IMPORTS: log },
  });
  const modules = [...new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean))];
  return { stdout, modules };
}

const heavy = (modules: string[]) => modules.filter((url) => HEAVY.some((re) => re.test(url)));

/** Runs cval with the recorder when it is expected to fail; returns its exit code, stderr and modules. */
async function refusedRecording(...args: string[]) {
  const log = join(dir, `imports-${n++}.log`);
  const child = spawn(process.execPath, ['--import', RECORDER, 'bin/cval.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, RECORD_IMPORTS: log },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const modules = [...new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean))];
  return { code, stdout, stderr, modules };
}

/**
 * What a refused command may load of functions/local: the checks of its input and the folder lock,
 * which import only node:fs and core/. The rest of HEAVY (handlers, SDK, DuckDB, run-local) not.
 */
const CHECKS = /\/functions\/local\/(local-input|out-lock)\.ts$/;

describe('cval loads a command only to run it', () => {
  it.each([
    [['--help']],
    [['run', '--help']],
    [['targets', '--help']],
    [['report', '--help']],
    [['query', '--help']],
    [['query', '--list']],
    [['--version']],
  ])(
    'cval %j loads no SDK, database or handler',
    async (args) => {
      const { stdout, modules } = await cvalRecording(...args);
      expect(stdout).not.toBe('');
      // The recorder saw the CLI itself (so an empty list below means something).
      expect(modules.some((url) => url.endsWith('/functions/cli/main.ts'))).toBe(true);
      expect(heavy(modules)).toEqual([]);
    },
    30_000,
  );

  it('the recorder sees a package the command does load (DuckDB for a query)', async () => {
    // A lake a run left (an empty one will do for a query of no table).
    await mkdir(join(dir, 'lake'), { recursive: true });
    const { stdout, modules } = await cvalRecording('query', 'select 42 as answer', '--out', dir, '--json');
    expect(JSON.parse(stdout)).toEqual([{ answer: 42 }]);
    expect(modules.some((url) => url.includes('/node_modules/@duckdb/node-api/'))).toBe(true);
  }, 60_000);
});

describe('a refused command loads nothing it would have run', () => {
  // Each case: the arguments (`<dir>` is a scratch folder), then the one line cval prints. Exit 2.
  const cases: [string[], string][] = [
    [
      ['run', 'samples/exports', '--as-of', '2025-02-30', '--out', '<dir>/out'],
      'cval: --as-of must be a date YYYY-MM-DD, got "2025-02-30"',
    ],
    [['run', '<dir>/missing', '--out', '<dir>/out'], 'cval: exports folder not found: <dir>/missing'],
    [
      ['run', 'samples/exports', '--config', '<dir>/missing.json', '--out', '<dir>/out'],
      'cval: cannot read the configuration file <dir>/missing.json',
    ],
    [
      ['run', 'samples/exports', '--as-off', '2026-11-20'],
      "cval: unknown option '--as-off' (did you mean --as-of?)\nrun 'cval run --help' for its options",
    ],
    [['run'], "cval: missing required argument 'exports-dir'\nrun 'cval run --help' for its options"],
    [
      ['targets', '--week', '2026-W54', '--out', '<dir>/out'],
      'cval: --week 2026-W54 does not exist: ISO year 2026 has weeks W01 to W53',
    ],
    [
      ['targets', '--out', '<dir>/out'],
      'cval: no exports loaded in <dir>/out: run "cval run <exports-dir> --out <dir>/out" first',
    ],
    [
      ['report', '--as-of', '2026-13-01', '--out', '<dir>/out'],
      'cval: --as-of must be a date YYYY-MM-DD, got "2026-13-01"',
    ],
    [['report', '--out', '<dir>/out'], 'cval: no run found under <dir>/out/lake: run `cval run` first'],
    // A typo in --out: every table read as empty, "(0 rows)", exit 0.
    [
      ['query', 'whale_curve', '--out', '<dir>/typo'],
      'cval: no run found under <dir>/typo/lake: run `cval run` first',
    ],
    [
      ['report', '--as-of', '2020-01-01', '--out', '<dir>/out'],
      'cval: no run found under <dir>/out/lake: run `cval run` first',
    ],
    // A folder with no kind's sub-folder (the parent of the exports, a typo): the mirror would
    // withdraw every export loaded before and publish an empty run.
    [
      ['run', '<dir>/no-kinds', '--out', '<dir>/out'],
      'cval: no exports in <dir>/no-kinds: each file goes in a sub-folder named after its kind (transactions, customers, interactions, touchpoint_costs, retention_spend, acquisition_spend, satisfaction, service_costs, targets, reps, holidays, subscriptions); found none in exports/',
    ],
    // A day after today: the run would publish it as the newest, and every later run of today
    // would stay behind it (report, named queries, LATEST items).
    [
      ['run', 'samples/exports', '--as-of', '2999-01-01', '--out', '<dir>/out'],
      'cval: --as-of 2999-01-01 is after today (<today> in Asia/Shanghai): a run is as of a day that has come',
    ],
    // `<dir>/ran` holds runs of two days (made below), not of the one asked for.
    [
      ['report', '--as-of', '2020-01-01', '--out', '<dir>/ran'],
      'cval: no run as of 2020-01-01 under <dir>/ran/lake: its runs are as of 2025-02-28, 2025-03-31',
    ],
  ];
  beforeAll(async () => {
    await mkdir(join(dir, 'no-kinds', 'exports', 'transactions'), { recursive: true });
    await writeFile(join(dir, 'no-kinds', 'exports', 'transactions', 'a.csv'), 'order_id\n');
    for (const day of ['2025-02-28', '2025-03-31'])
      await mkdir(join(dir, 'ran', 'lake', 'results', 'customer_metrics', `as_of=${day}`), {
        recursive: true,
      });
  });

  it.each(cases)(
    'cval %j says so in one line, exits 2, and loads no handler, SDK or database',
    async (args, line) => {
      const { code, stdout, stderr, modules } = await refusedRecording(
        ...args.map((a) => a.replaceAll('<dir>', dir)),
      );
      expect({ code, stdout, stderr }).toEqual({
        code: 2,
        stdout: '',
        stderr: `${line.replaceAll('<dir>', dir).replaceAll('<today>', todayIn('Asia/Shanghai'))}\n`,
      });
      expect(modules.some((url) => url.endsWith('/functions/cli/main.ts'))).toBe(true);
      expect(heavy(modules).filter((url) => !CHECKS.test(url))).toEqual([]);
    },
    30_000,
  );
});
