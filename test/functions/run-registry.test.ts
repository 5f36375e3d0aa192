import { describe, expect, it } from 'vitest';
import { runItem } from '../../functions/compute/run-registry.ts';

describe('the run record', () => {
  const publishedAt = new Date('2026-12-07T02:10:00Z');

  it('lists the exports a run counted, and how many', () => {
    const record = runItem('2026-12-06', 'r1', ['b', 'a'], { customer_metrics: 2 }, [], publishedAt);
    expect(record).toMatchObject({
      export_ids: ['b', 'a'],
      export_count: 2,
      run_id: 'r1',
      as_of: '2026-12-06',
    });
  });

  it("stays within DynamoDB's 400 KB an item however many exports count", () => {
    // Years of daily exports of every kind: 20,000 ids of 20 characters (about 460 KB listed).
    const ids = Array.from({ length: 20_000 }, (_, i) => i.toString(16).padStart(20, '0'));
    const record = runItem('2026-12-06', 'r1', ids, { customer_metrics: 2 }, [], publishedAt);
    expect(record.export_count).toBe(20_000);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(200_000);
    // The ids it keeps are the first ones, and the digest tells two runs' sets apart.
    expect((record.export_ids as string[]).slice(0, 2)).toEqual(ids.slice(0, 2));
    const other = runItem('2026-12-06', 'r1', [...ids.slice(1), 'x'.repeat(20)], {}, [], publishedAt);
    expect(other.export_ids_digest).not.toBe(record.export_ids_digest);
  });

  it("stays within DynamoDB's 400 KB an item however many warnings the run has", () => {
    // Thousands of exports left out or loaded twice, each with its word.
    const warnings = Array.from({ length: 5000 }, (_, i) => `export ${i} was left out: ${'w'.repeat(150)}`);
    const record = runItem('2026-12-06', 'r1', ['a'], {}, warnings, publishedAt);
    expect(record.warnings_count).toBe(5000);
    expect((record.warnings as string[]).slice(0, 2)).toEqual(warnings.slice(0, 2));
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(200_000);
  });
});
