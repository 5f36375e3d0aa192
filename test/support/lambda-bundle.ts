import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { FUNCTION_LIKE_BUNDLE } from '../../infra/job-function.ts';

/** A path from the repository root, as an import specifier for an entry written to a temp folder. */
export function fromRoot(path: string): string {
  return JSON.stringify(join(process.cwd(), path));
}

/**
 * Bundles `entrySource` as a Lambda function is bundled (one ESM file) and runs it with node: what
 * a worker started from the bundle does there (it loads the bundle itself) shows only this way.
 * Returns the run's stdout.
 */
export async function runAsLambdaBundle(entrySource: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cval-bundle-'));
  try {
    const entry = join(dir, 'entry.ts');
    await writeFile(entry, entrySource);
    await build({
      ...FUNCTION_LIKE_BUNDLE,
      entryPoints: [entry],
      outfile: join(dir, 'index.mjs'),
      logLevel: 'silent',
    });
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'index.mjs')]);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
