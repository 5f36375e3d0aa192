import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { SLOWEST_TEST_FILES, SlowestFirst } from './support/slowest-first.ts';

const ROOT = join(import.meta.dirname, '..');

describe('the suite starts its slowest files first', () => {
  it('names files that exist', () => {
    expect(SLOWEST_TEST_FILES.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });

  it('puts the listed files first, in their order, and keeps the rest in vitest order', async () => {
    // A fresh clone: vitest knows neither durations nor sizes, so its own order is the given one.
    const ctx = {
      config: { root: ROOT },
      cache: { getFileTestResults: () => undefined, getFileStats: () => undefined },
    } as unknown as Vitest;
    const project = { name: '', config: { sequence: { groupOrder: 0 }, isolate: true } };
    const spec = (file: string) => ({ moduleId: join(ROOT, file), project }) as unknown as TestSpecification;
    const files = ['test/core/money.test.ts', 'test/e2e/cli.test.ts', 'test/e2e/scale-out.test.ts'];
    const sorted = await new SlowestFirst(ctx).sort(files.map(spec));
    expect(sorted.map((file) => file.moduleId.slice(ROOT.length + 1))).toEqual([
      'test/e2e/scale-out.test.ts',
      'test/e2e/cli.test.ts',
      'test/core/money.test.ts',
    ]);
  });
});
