import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../functions/cli/main.ts';

/** Runs the CLI in this process with `args`, capturing what it prints. */
async function cval(...args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await main(['node', 'cval', ...args]);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('command-line mistakes', () => {
  it('an unknown option is one line and where the options are, not the whole help (exit 2)', async () => {
    expect(await cval('run', 'samples/exports', '--as-off', '2026-11-20')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "cval: unknown option '--as-off' (did you mean --as-of?)\nrun 'cval run --help' for its options\n",
    });
    expect(await cval('--verbose')).toEqual({
      code: 2,
      stdout: '',
      stderr: "cval: unknown option '--verbose'\nrun 'cval --help' for the commands\n",
    });
  });

  it('an unknown command and a missing argument read the same way', async () => {
    expect((await cval('rnu')).stderr).toBe(
      "cval: unknown command 'rnu' (did you mean run?)\nrun 'cval --help' for the commands\n",
    );
    expect((await cval('targets', '--week')).stderr).toBe(
      "cval: option '--week <YYYY-Www>' argument missing\nrun 'cval targets --help' for its options\n",
    );
  });
});

describe('cval --version', () => {
  it("prints the package's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await cval('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
