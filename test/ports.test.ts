import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/**
 * Tests whose fakes are cast to a whole adapter class: none any more, since every job declares
 * the ports it uses next to their use (a fake needs only those). The list may only shrink.
 */
const ALLOWED: string[] = [];

/** A fake passed off as a whole adapter class with a double cast. */
const CAST = /\bas\s+unknown\s+as\s+(?:ObjectStore|ItemStore)\b/;

async function typeScriptFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await typeScriptFiles(path)));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

describe('ports', () => {
  it('no test or benchmark casts a fake to ObjectStore or ItemStore, except the allowed ones', async () => {
    const files = [
      ...(await typeScriptFiles(join(ROOT, 'test'))),
      ...(await typeScriptFiles(join(ROOT, 'bench'))),
    ];
    const casting: string[] = [];
    for (const file of files) {
      if (CAST.test(await readFile(file, 'utf8'))) casting.push(relative(ROOT, file).split('\\').join('/'));
    }
    expect(casting.sort()).toEqual(ALLOWED);
  });
});
