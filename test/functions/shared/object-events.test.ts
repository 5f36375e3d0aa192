import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectEvent } from '../../../functions/ingest/ingest-export.ts';
import { fromMessageBody, toMessageBody } from '../../../functions/shared/object-events.ts';

describe('toMessageBody', () => {
  it('writes a key as S3 notifications do: URL-encoded, a space as +', () => {
    const body = JSON.parse(
      toMessageBody({ type: 'created', bucket: 'b', key: 'transactions/big file+1 订单.csv', etag: 'e' }),
    );
    expect(body.Records[0].s3.object.key).toBe('transactions/big+file%2B1+%E8%AE%A2%E5%8D%95.csv');
  });

  it('property: the ingest function reads back the very event a run handed it', () => {
    const hex = fc.constantFrom(...'0123456789abcdef');
    const event = fc.record(
      {
        type: fc.constantFrom<ObjectEvent['type']>('created', 'removed'),
        bucket: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,20}$/),
        key: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
        versionId: fc.string({ minLength: 1, maxLength: 12 }),
        etag: fc.string({ unit: hex, minLength: 32, maxLength: 32 }),
        sequencer: fc.string({ unit: hex, minLength: 1, maxLength: 16 }),
        // A reconciliation's hand-off of an export to load again (its curated folder lost).
        reload: fc.constant(true),
      },
      { requiredKeys: ['type', 'bucket', 'key'] },
    );
    fc.assert(
      fc.property(event, (given) => {
        expect(fromMessageBody(toMessageBody(given as ObjectEvent))).toEqual([given]);
      }),
      { seed: 20261207 },
    );
  });
});
