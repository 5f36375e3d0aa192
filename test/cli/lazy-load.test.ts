import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
    const { stdout, modules } = await cvalRecording('query', 'select 42 as answer', '--out', dir, '--json');
    expect(JSON.parse(stdout)).toEqual([{ answer: 42 }]);
    expect(modules.some((url) => url.includes('/node_modules/@duckdb/node-api/'))).toBe(true);
  }, 60_000);
});
