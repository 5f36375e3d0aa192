import { describe, expect, it } from 'vitest';
import {
  addUnwritten,
  keyFits,
  noUnwrittenLookups,
  unwrittenLookupWarnings,
} from '../../functions/shared/lookup-keys.ts';

describe('lookup keys DynamoDB cannot take', () => {
  it('fit up to 2,048 bytes of UTF-8, not characters', () => {
    expect(keyFits(`CUSTOMER#${'x'.repeat(2048 - 9)}`)).toBe(true);
    expect(keyFits(`CUSTOMER#${'x'.repeat(2048 - 8)}`)).toBe(false);
    expect(keyFits(`CUSTOMER#${'客'.repeat(680)}`)).toBe(false);
  });

  it("add up across the scale-out path's buckets, keeping the first of each kind, and warn in the plural", () => {
    const bucketA = { customers: 2, cohorts: 0, firstCustomer: 'a'.repeat(2100), firstCohort: null };
    const combine = {
      customers: 0,
      cohorts: 1,
      firstCustomer: null,
      firstCohort: `segment#${'s'.repeat(2100)}`,
    };
    const total = addUnwritten(addUnwritten(addUnwritten(noUnwrittenLookups(), combine), bucketA), undefined);
    expect(total).toMatchObject({ customers: 2, cohorts: 1, firstCustomer: 'a'.repeat(2100) });
    expect(unwrittenLookupWarnings(total)).toEqual([
      expect.stringMatching(
        /^2 customers have ids too long .*its key 2,109 bytes\): no lookup item is written for them; their rows are in customer_metrics/,
      ),
      expect.stringMatching(
        /^1 cohort has a label too long .*"segment#ssssssssssss…", its key 2,115 bytes\): .*its row is in cohort_metrics$/,
      ),
    ]);
    expect(unwrittenLookupWarnings(noUnwrittenLookups())).toEqual([]);
  });
});
