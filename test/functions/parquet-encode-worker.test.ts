import { describe, expect, it } from 'vitest';
import { CuratedBatch } from '../../core/exports/curated-batch.ts';
import { ParquetEncodeWorker } from '../../functions/adapters/parquet-encode-worker.ts';
import { encodeCuratedBatch } from '../../functions/adapters/parquet-encoder.ts';
import { fromRoot, runAsLambdaBundle } from '../support/lambda-bundle.ts';

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
    const stdout = await runAsLambdaBundle(
      `import { Readable } from 'node:stream';
import { curateExport } from ${fromRoot('functions/ingest/curate-export.ts')};
import { parseConfig } from ${fromRoot('core/config.ts')};
const csv = 'order_id,customer_id,order_date,revenue\\n' + Array.from({ length: 2500 }, (_, i) => 'SO' + i + ',C' + (i % 7) + ',2025-01-02,' + i + '.25').join('\\n');
const sizes = [];
const result = await curateExport(Readable.from([Buffer.from(csv)]), 'transactions', parseConfig({ rows_per_part: 1000 }), async (index, bytes) => { sizes[index] = bytes.length; });
console.log(JSON.stringify({ ok: result.ok, parts: sizes.length, magic: sizes.every((n) => n > 8) }));
`,
    );
    expect(JSON.parse(stdout)).toEqual({ ok: true, parts: 3, magic: true });
  }, 60_000);
});
