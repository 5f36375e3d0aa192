import fc from 'fast-check';

/**
 * Cells as finance types them, the broken ones included: amounts with separators, currency signs
 * and brackets, fractions of a cent (which must be quarantined, and sum exactly when they are),
 * impossible and foreign dates, text, blanks, and plain amounts of every size.
 */
export const financeCell = fc.oneof(
  fc.constantFrom(
    '10',
    '1,234.56',
    '¥99.99',
    '(5.00)',
    'abc',
    '',
    ' 7 ',
    '2025-13-01',
    '2025-01-31',
    '2025/3/1',
    '0.001',
    '0.015',
    '-0.005',
    'C1',
    '客户1',
    '"quoted"',
  ),
  fc.integer({ min: -100000, max: 100000 }).map((n) => (n / 100).toFixed(2)),
  fc.integer({ min: -1000, max: 1000 }).map((n) => (n / 10).toFixed(1)),
);
