import { toEpochDay, toIsoDate } from '../calendar.ts';
import type { IsoDate } from '../records.ts';
import { daysBetween } from './calendar.ts';
import type { CustomerFacts } from './types.ts';

/**
 * The day a customer counts as lost: the explicit churned_on when the export has one, otherwise the
 * end of an inactivity window after the last order (or after acquisition when they never ordered).
 * A customer who came back after a long gap is therefore not lost: only the last order matters.
 */
export function churnDate(facts: CustomerFacts, inactivityDays: number): IsoDate {
  if (facts.churnedOn !== null) return facts.churnedOn;
  const end = toEpochDay(facts.lastOrder ?? facts.acquiredOn) + inactivityDays;
  // A window that ends past the last four-digit year (inactivity churn switched off by millions of
  // days) ends on that year's last day: written with a longer year it would compare, as text,
  // before every other date and count the customer as long lost.
  return end >= LAST_DAY ? LAST_DATE : toIsoDate(end);
}

const LAST_DATE = '9999-12-31';
const LAST_DAY = toEpochDay(LAST_DATE);

export function isChurnedAt(facts: CustomerFacts, date: IsoDate): boolean {
  return facts.churnDate <= date;
}

/** Sets tenure, churn date and churn flag as of the date. */
export function applyTenureAndChurn(
  customers: readonly CustomerFacts[],
  asOf: IsoDate,
  inactivityDays: number,
): void {
  for (const facts of customers) {
    facts.tenureDays = Math.max(0, daysBetween(facts.acquiredOn, asOf));
    facts.churnDate = churnDate(facts, inactivityDays);
    facts.churned = isChurnedAt(facts, asOf);
  }
}
