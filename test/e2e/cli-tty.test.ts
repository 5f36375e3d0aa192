import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cval-tty-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('the CLI on a terminal and in a pipe', () => {
  it('shows progress on a pseudo-terminal and the same headline as in a pipe, where it stays quiet', async () => {
    const args = ['bin/cval.mjs', 'run', 'samples/exports', '--as-of', '2026-11-20', '--out', out];
    // util-linux `script` gives the command a real pseudo-terminal.
    const tty = await run('script', ['-qec', `node ${args.map(quote).join(' ')}`, '/dev/null'], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    expect(tty.stdout).toMatch(/… ingesting transactions\/orders-2025\.csv/);
    expect(tty.stdout).toMatch(/… computing metrics/);
    expect(tty.stdout).toMatch(/customer-value run as of 2026-11-20/);

    const piped = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('…');
    expect(piped.stdout).not.toContain('\u001b[');
    expect(piped.stdout).toMatch(/^customer-value run as of 2026-11-20\n/);
    const figures = (text: string) => text.replace(/\r/g, '').match(/customers\s+\d+/)?.[0];
    expect(figures(piped.stdout)).toBe(figures(tty.stdout));
  }, 120_000);
});
