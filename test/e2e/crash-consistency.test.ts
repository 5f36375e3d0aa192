import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PK } from '../../functions/ingest/event-guard.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CVAL = join(ROOT, 'bin', 'cval.mjs');
const KILLER = join(ROOT, 'test', 'support', 'kill-after-requests.mjs');
const SAMPLES = join(ROOT, 'samples', 'exports');
const AS_OF = '2026-11-20';

interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** `cval run` in its own process, SIGKILLed at its Nth request to the local servers when asked. */
function cvalRun(out: string, env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', KILLER, CVAL, 'run', SAMPLES, '--as-of', AS_OF, '--out', out, '--json', '--quiet'],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: e ? (e.code ?? null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** Fields that record when something happened or how often it was tried, not what it is. */
// S3 sequencers order the notifications of one key; their values depend on the upload's moment.
const VOLATILE = new Set(['received_at', 'published_at', 'expires_at', 'attempts', 'sequencer']);

/**
 * What a user can see of a run: every DynamoDB item and every published lake file but the clocked
 * ones. Ingest's idempotency records (INGEST_EVENTS) are named after each delivery (its S3
 * sequencer, a reconciliation's id), which a killed run and its rerun cannot share with a clean
 * run: they are counted by status instead.
 */
async function visibleState(out: string) {
  const all = (await readFile(join(out, 'dynamodb.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line, (key, value) => (VOLATILE.has(key) ? undefined : value)));
  const items = all.filter((item) => item.PK !== EVENTS_PK);
  const records: Record<string, number> = {};
  for (const item of all.filter((item) => item.PK === EVENTS_PK))
    records[item.status] = (records[item.status] ?? 0) + 1;
  const lake = join(out, 'lake');
  const files: Record<string, string> = {};
  for (const entry of await readdir(lake, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(lake, join(entry.parentPath, entry.name));
    // The exports table and the ingest reports carry the time each export was received.
    if (path.startsWith('results/exports/') || path.startsWith('reports/')) {
      files[path] = 'present';
      continue;
    }
    files[path] = (await readFile(join(lake, path))).toString('base64');
  }
  return { items, files, records };
}

let cleanOut: string;
let clean: Awaited<ReturnType<typeof visibleState>>;
let requests: number;
const outs: string[] = [];

beforeAll(async () => {
  cleanOut = await mkdtemp(join(tmpdir(), 'cval-crash-clean-'));
  const countFile = join(cleanOut, 'requests');
  const result = await cvalRun(cleanOut, { CVAL_TEST_COUNT_FILE: countFile });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  requests = Number(await readFile(countFile, 'utf8'));
  clean = await visibleState(cleanOut);
  // Every handling of the clean run finished: its records are all COMPLETED.
  expect(Object.keys(clean.records)).toEqual(['COMPLETED']);
}, 300_000);

afterAll(async () => {
  for (const dir of [cleanOut, ...outs]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('cval run killed with SIGKILL at points spread over a run, then run again', () => {
  it('every rerun converges to the clean run: the same items and the same published files', async () => {
    expect(requests).toBeGreaterThan(100);
    // Upload, ingest, compute, staging, items and publication each take a stretch of the requests.
    const fractions = [0.04, 0.25, 0.5, 0.75, 0.96];
    // Each kill point is a folder and processes of its own (a kill lands at a request count, not a
    // moment), so two run at once: one's process starting or waiting while the other computes.
    const killAndRerun = async (fraction: number) => {
      const out = await mkdtemp(join(tmpdir(), 'cval-crash-'));
      outs.push(out);
      const killAt = Math.max(1, Math.round(requests * fraction));
      const killed = await cvalRun(out, { CVAL_TEST_KILL_AFTER_REQUESTS: String(killAt) });
      expect(killed.signal, `kill at request ${killAt}`).toBe('SIGKILL');
      const rerun = await cvalRun(out);
      expect(rerun.stderr, `rerun after a kill at request ${killAt}`).toBe('');
      expect(rerun.code).toBe(0);
      const state = await visibleState(out);
      expect(state.items, `items after a kill at request ${killAt} of ${requests}`).toEqual(clean.items);
      expect(state.files, `lake after a kill at request ${killAt} of ${requests}`).toEqual(clean.files);
      // Handlings run one at a time: a kill leaves at most one record in progress (lapsed at once).
      expect(state.records.INPROGRESS ?? 0, `records after a kill at request ${killAt}`).toBeLessThanOrEqual(
        1,
      );
    };
    const pending = [...fractions];
    const lane = async () => {
      for (let fraction = pending.shift(); fraction !== undefined; fraction = pending.shift())
        await killAndRerun(fraction).catch((error) => {
          pending.length = 0; // the other lane stops after its current kill point
          throw error;
        });
    };
    const failed = (await Promise.allSettled([lane(), lane()])).find((lane) => lane.status === 'rejected');
    if (failed) throw failed.reason;
  }, 900_000);

  it('two kills in a row (the rerun dies too) still converge', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cval-crash-twice-'));
    outs.push(out);
    const first = await cvalRun(out, { CVAL_TEST_KILL_AFTER_REQUESTS: String(Math.round(requests * 0.4)) });
    expect(first.signal).toBe('SIGKILL');
    const second = await cvalRun(out, { CVAL_TEST_KILL_AFTER_REQUESTS: String(Math.round(requests * 0.2)) });
    expect(second.signal).toBe('SIGKILL');
    const last = await cvalRun(out);
    expect(last.code).toBe(0);
    const state = await visibleState(out);
    expect(state.items).toEqual(clean.items);
    expect(state.files).toEqual(clean.files);
    expect(state.records.INPROGRESS ?? 0).toBeLessThanOrEqual(2);
  }, 300_000);
});
