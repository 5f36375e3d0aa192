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
  it('shows progress on a terminal, step lines on stderr in a pipe (stdout clean, JSON too), none with --quiet', async () => {
    const args = ['bin/cval.mjs', 'run', 'samples/exports', '--as-of', '2026-11-20', '--out', out];
    // util-linux `script` gives the command a real pseudo-terminal.
    const tty = await run('script', ['-qec', `node ${args.map(quote).join(' ')}`, '/dev/null'], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    // Which files get a line depends on the redraw throttle; some ingest line always shows.
    expect(tty.stdout).toMatch(/… ingest \S+ · \d+\/11 exports/);
    expect(tty.stdout).toContain('\r\u001b[2Kingest: 11 exports, 6,370 rows, 317.6 kB in ');
    expect(tty.stdout).toMatch(/customer-value run as of 2026-11-20/);

    // A fresh folder, so the piped run uploads and ingests everything again.
    const piped = await run(process.execPath, [...args.slice(0, -1), join(out, 'piped'), '--json'], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    expect(JSON.parse(piped.stdout).customers).toBe(240);
    expect(piped.stderr).not.toContain('\r');
    expect(piped.stderr).not.toContain('\u001b');
    const steps = piped.stderr
      .split('\n')
      .filter((l) => /^\w+: /.test(l))
      .map((l) => l.replace(/ in [\d.]+ s.*$/, ''));
    expect(steps).toEqual([
      'upload: 11 files, 317.6 kB',
      'ingest: 11 exports, 6,370 rows, 317.6 kB',
      expect.stringMatching(/^compute: \d+ tables, [\d,]+ rows$/),
      expect.stringMatching(/^publish: \d+ files$/),
      'report:',
    ]);
    // Anything else on stderr is a throttled progress line.
    for (const line of piped.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^(… |\w+: )/);

    const quiet = await run(process.execPath, [...args, '--quiet'], { cwd: ROOT, maxBuffer: 16 << 20 });
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^customer-value run as of 2026-11-20\n/);
    const figures = (text: string) => text.replace(/\r/g, '').match(/customers\s+\d+/)?.[0];
    expect(figures(quiet.stdout)).toBe(figures(tty.stdout));
  }, 180_000);
});
