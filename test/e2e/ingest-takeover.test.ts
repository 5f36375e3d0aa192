import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../functions/adapters/item-store.ts';
import { EVENTS_PK } from '../../functions/ingest/event-guard.ts';
import { startLocalStack } from '../../functions/local/local-stack.ts';
import { localStores } from '../../functions/local/run-local.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CVAL = join(ROOT, 'bin', 'cval.mjs');
const KILLER = join(ROOT, 'test', 'support', 'kill-on-request.mjs');
const SAMPLES = join(ROOT, 'samples', 'exports');

interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** `cval run` on the samples in its own process, SIGKILLed at the first request matching `killOn`. */
function cvalRun(out: string, killOn?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', KILLER, CVAL, 'run', SAMPLES, '--as-of', '2026-11-20', '--out', out, '--json', '--quiet'],
      {
        env: { ...process.env, ...(killOn ? { CVAL_TEST_KILL_ON_REQUEST: killOn } : {}) },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: e ? (e.code ?? null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** The registry and the idempotency records a `cval` output folder holds, read through its own servers. */
async function tableOf(out: string): Promise<{ exports: Item[]; records: Item[] }> {
  const stack = await startLocalStack(join(out, 'state'));
  try {
    const { items } = localStores();
    return { exports: await items.query('EXPORTS', 'EXPORT#'), records: await items.query(EVENTS_PK) };
  } finally {
    await stack.stop();
  }
}

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cval-takeover-'));
});
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('local mode after a run killed in the middle of loading an export', () => {
  it('the next cval run takes the export over at once and ingests everything', async () => {
    // Killed as ingest first reads an export's bytes: its record and its claim are written.
    const killed = await cvalRun(out, '^GET /cval-exports/[^?]+\\?x-id=GetObject');
    expect(killed.signal).toBe('SIGKILL');
    const left = await tableOf(out);
    const loading = left.exports.filter((item) => item.status === 'loading');
    expect(loading).toHaveLength(1);
    expect(loading[0]).toMatchObject({ attempts: 1, claimed_by: expect.stringMatching(/^s3 \["created",/) });
    // Local mode registers no time left (cval holds its folder's lock): the record has lapsed.
    const inProgress = left.records.filter((item) => item.status === 'INPROGRESS');
    expect(inProgress).toHaveLength(1);
    expect(Number(inProgress[0]?.in_progress_expiration)).toBeLessThan(Date.now());

    const rerun = await cvalRun(out);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout) as { run: { export_ids: string[] } };
    expect(summary.run.export_ids).toHaveLength(11);
    expect(summary.run.export_ids).toContain(loading[0]?.export_id);
    const items = (await readFile(join(out, 'dynamodb.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Item);
    const exports = items.filter((item) => item.PK === 'EXPORTS');
    expect(exports.map((item) => item.status)).toEqual(Array(11).fill('loaded'));
    expect(exports.find((item) => item.export_id === loading[0]?.export_id)).toMatchObject({ attempts: 2 });
    expect(items.filter((item) => item.PK.startsWith('CUSTOMER#'))).toHaveLength(240);
  }, 300_000);
});
