import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../functions/adapters/object-store.ts';
import { mirrorLake } from '../../functions/local/mirror-outputs.ts';
import { type LocalS3, startLocalS3 } from '../support/local-env.ts';

let s3: LocalS3;
let lake: ObjectStore;
let out: string;
beforeAll(async () => {
  s3 = await startLocalS3(['mirror']);
  lake = s3.store('mirror');
  out = await mkdtemp(join(tmpdir(), 'cval-mirror-'));
});
afterAll(async () => {
  await s3?.close();
  await rm(out, { recursive: true, force: true });
});

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('the local mirror of the lake in --out', () => {
  it('stays whole when the copy that replaces it dies midway', async () => {
    for (const day of ['2025-01-31', '2025-02-28'])
      await lake.put(`results/customer_metrics/as_of=${day}/part-00000.parquet`, `day ${day}`, 'text/plain');
    expect(await mirrorLake(lake, out)).toBe(2);
    const before = await files(join(out, 'lake'));
    expect(before).toHaveLength(2);

    await lake.put('results/customer_metrics/as_of=2025-03-31/part-00000.parquet', 'day 3', 'text/plain');
    let reads = 0;
    const dying = Object.assign(Object.create(Object.getPrototypeOf(lake)), lake, {
      getBytes: async (key: string) => {
        if (++reads === 2) throw new Error('killed');
        return lake.getBytes(key);
      },
    });
    await expect(mirrorLake(dying, out)).rejects.toThrow('killed');
    expect(await files(join(out, 'lake'))).toEqual(before);
    expect(await readFile(join(out, 'lake', before[0] as string), 'utf8')).toBe('day 2025-01-31');

    // A later process clears what the killed copy left.
    await rm(join(out, `.lake-next-${process.pid}`), { recursive: true, force: true });
    await mkdir(join(out, '.lake-next-99999999', 'results'), { recursive: true });
    expect(await mirrorLake(lake, out)).toBe(3);
    expect(await files(join(out, 'lake'))).toHaveLength(3);
    // Nothing of the copies is left beside it.
    expect((await readdir(out)).filter((name) => name.startsWith('.lake-'))).toEqual([]);
  });
});
