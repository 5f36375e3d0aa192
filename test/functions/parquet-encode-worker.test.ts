import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CuratedBatch } from '../../core/exports/curated-batch.ts';
import { ParquetEncodeWorker } from '../../functions/adapters/parquet-encode-worker.ts';
import { encodeCuratedBatch } from '../../functions/adapters/parquet-encoder.ts';
import { FUNCTION_LIKE_BUNDLE } from '../../infra/job-function.ts';

function sampleBatch(rows: number): CuratedBatch {
  const batch = new CuratedBatch('transactions');
  const names = batch.definitions.map((d) => d.name);
  for (let i = 0; i < rows; i++) {
    batch.reserve();
    batch.setValue(names.indexOf('order_id'), i, `SO${i}`);
    batch.setValue(names.indexOf('customer_id'), i, `客户${i % 17}`);
    batch.setValue(names.indexOf('order_date'), i, '2025-03-01');
    batch.setValue(names.indexOf('revenue'), i, i % 5 === 0 ? 2n ** 60n : BigInt(i * 101));
    batch.length += 1;
  }
  return batch;
}

describe('the Parquet encoder worker', () => {
  it('writes the same bytes as encoding on the calling thread, and copies what it is given', async () => {
    const batch = sampleBatch(5000);
    const inline = encodeCuratedBatch(batch.take());
    const again = sampleBatch(5000);
    const taken = again.take();
    const encoding = new ParquetEncodeWorker().encode(taken);
    // The caller may overwrite its arrays as soon as encode returns.
    for (const column of taken.columns) ('bytes' in column ? column.bytes : column.values).fill(0);
    expect(Buffer.from(await encoding).equals(Buffer.from(inline))).toBe(true);
  });

  it('runs from the Lambda bundle, where the worker loads the bundle itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cval-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      await writeFile(
        entry,
        `import { Readable } from 'node:stream';
import { curateExport } from ${JSON.stringify(join(process.cwd(), 'functions/ingest/curate-export.ts'))};
import { parseConfig } from ${JSON.stringify(join(process.cwd(), 'core/config.ts'))};
const csv = 'order_id,customer_id,order_date,revenue\\n' + Array.from({ length: 2500 }, (_, i) => 'SO' + i + ',C' + (i % 7) + ',2025-01-02,' + i + '.25').join('\\n');
const sizes = [];
const result = await curateExport(Readable.from([Buffer.from(csv)]), 'transactions', parseConfig({ rows_per_part: 1000 }), async (index, bytes) => { sizes[index] = bytes.length; });
console.log(JSON.stringify({ ok: result.ok, parts: sizes.length, magic: sizes.every((n) => n > 8) }));
`,
      );
      await build({
        ...FUNCTION_LIKE_BUNDLE,
        entryPoints: [entry],
        outfile: join(dir, 'index.mjs'),
        logLevel: 'silent',
      });
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'index.mjs')]);
      expect(JSON.parse(stdout)).toEqual({ ok: true, parts: 3, magic: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
