import { rename, writeFile } from 'node:fs/promises';

/**
 * Writes a file beside `path` and renames it over: a `cval` killed midway leaves the previous file
 * whole, never a truncated one that later commands read. `data` as `writeFile` takes it (a string,
 * or lines from an iterable, a million items' dump without one string of it all).
 */
export async function replaceFile(path: string, data: Parameters<typeof writeFile>[1]): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, data);
  await rename(partial, path);
}
