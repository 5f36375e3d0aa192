/**
 * DynamoDB takes a partition key of at most 2,048 bytes. Ingest lets a text cell have 1,000
 * characters, up to 3,000 bytes in UTF-8, so an id or a cohort label can make a lookup item's key
 * too long: the batch write would fail the whole run every night for one row. Such an item is not
 * written, and the run says so.
 */
export const MAX_PARTITION_KEY_BYTES = 2048;

/** A UTF-16 code unit is at most 3 bytes of UTF-8: nearly every key fits without counting them. */
export const keyFits = (partitionKey: string): boolean =>
  partitionKey.length * 3 <= MAX_PARTITION_KEY_BYTES ||
  Buffer.byteLength(partitionKey, 'utf8') <= MAX_PARTITION_KEY_BYTES;

/** The lookup items left unwritten for their key's length: how many, and the first of each kind. */
export interface UnwrittenLookups {
  customers: number;
  cohorts: number;
  firstCustomer: string | null;
  firstCohort: string | null;
}

export const noUnwrittenLookups = (): UnwrittenLookups => ({
  customers: 0,
  cohorts: 0,
  firstCustomer: null,
  firstCohort: null,
});

export function addUnwritten(into: UnwrittenLookups, more: UnwrittenLookups | undefined): UnwrittenLookups {
  if (!more) return into;
  return {
    customers: into.customers + more.customers,
    cohorts: into.cohorts + more.cohorts,
    firstCustomer: into.firstCustomer ?? more.firstCustomer,
    firstCohort: into.firstCohort ?? more.firstCohort,
  };
}

/**
 * The first of the items a warning counts: its id or label cut to 20 characters, and its key's
 * length, e.g. `"客客客…", its key 2,109 bytes`.
 */
export function tooLongKeySample(text: string, key: string): string {
  const chars = [...text];
  const shown = chars.length > 20 ? `${chars.slice(0, 20).join('')}…` : text;
  return `"${shown}", its key ${Buffer.byteLength(key, 'utf8').toLocaleString('en')} bytes`;
}

export function unwrittenLookupWarnings(unwritten: UnwrittenLookups): string[] {
  const warnings: string[] = [];
  const shown = (text: string, prefix: string) => tooLongKeySample(text, prefix + text);
  if (unwritten.customers > 0 && unwritten.firstCustomer !== null) {
    const one = unwritten.customers === 1;
    warnings.push(
      `${unwritten.customers.toLocaleString('en')} ${one ? 'customer has an id' : 'customers have ids'} too long for a DynamoDB key (CUSTOMER#<id> over ${MAX_PARTITION_KEY_BYTES.toLocaleString('en')} bytes; ${shown(unwritten.firstCustomer, 'CUSTOMER#')}): no lookup item is written for ${one ? 'it' : 'them'}; ${one ? 'its row is' : 'their rows are'} in customer_metrics. An id this long is usually a misread file (a text column taken for customer_id): check the export`,
    );
  }
  if (unwritten.cohorts > 0 && unwritten.firstCohort !== null) {
    const one = unwritten.cohorts === 1;
    warnings.push(
      `${unwritten.cohorts.toLocaleString('en')} ${one ? 'cohort has a label' : 'cohorts have labels'} too long for a DynamoDB key (COHORT#<dimension>#<cohort> over ${MAX_PARTITION_KEY_BYTES.toLocaleString('en')} bytes; ${shown(unwritten.firstCohort, 'COHORT#')}): no lookup item is written for ${one ? 'it' : 'them'}; ${one ? 'its row is' : 'their rows are'} in cohort_metrics`,
    );
  }
  return warnings;
}
