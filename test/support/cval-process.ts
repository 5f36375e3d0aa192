import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The CLI as a user starts it. */
export const CVAL = join(import.meta.dirname, '..', '..', 'bin', 'cval.mjs');

/** Runs `cval <args>` in a child process: its exit code and both streams, whatever the code. */
export async function cval(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CVAL, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A row of `cval query --json`. */
export type QueryRow = Record<string, string | number | boolean | null>;

/** `cval query <sql> --json` over `out`: its rows (the test fails on a cval error). */
export async function cvalQuery(out: string, sql: string): Promise<QueryRow[]> {
  const result = await cval(['query', sql, '--out', out, '--json']);
  if (/^cval:/m.test(result.stderr)) throw new Error(`cval query failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Writes an export file under an exports folder, its kind's sub-folder made as needed. */
export async function writeExport(exportsDir: string, path: string, text: string): Promise<void> {
  await mkdir(join(exportsDir, path, '..'), { recursive: true });
  await writeFile(join(exportsDir, path), text);
}
