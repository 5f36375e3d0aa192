import { type Money, money } from '../../../core/money.ts';
import type { RepRecord, TargetMetric, TargetRecord, TransactionRecord } from '../../../core/records.ts';
import type { ActualRow } from '../../../core/targets/actuals.ts';
import type { Period } from '../../../core/targets/fiscal-calendar.ts';
import type { TargetRow } from '../../../core/targets/target-rows.ts';

let line = 1;

export function target(
  scope: string,
  amount: string | number,
  options: { metric?: TargetMetric; share?: string | number; fiscalYear?: number; line?: number } = {},
): TargetRecord {
  line += 1;
  return {
    fiscal_year: options.fiscalYear ?? 2026,
    metric: options.metric ?? 'revenue',
    amount: money(amount),
    scope,
    share: options.share === undefined ? null : money(options.share),
    source_line: options.line ?? line,
  };
}

export function sale(
  date: string,
  revenue: string,
  options: Partial<Omit<TransactionRecord, 'revenue' | 'order_date'>> & { cost?: Money } = {},
): TransactionRecord {
  return {
    order_id: options.order_id ?? `o-${date}-${revenue}`,
    customer_id: options.customer_id ?? 'c1',
    order_date: date,
    revenue: money(revenue),
    cost: options.cost ?? money(0),
    returned_amount: options.returned_amount ?? money(0),
    quantity: null,
    product_id: null,
    product_category: null,
    channel: null,
    rep_id: options.rep_id ?? null,
    team: options.team ?? null,
  };
}

/** Every parent period equals the sum of its children. */
export function expectTreeSums(periods: readonly Period[], values: readonly bigint[]): void {
  for (const p of periods) {
    if (p.children.length === 0) continue;
    const sum = p.children.reduce((acc, c) => acc + (values[c] as bigint), 0n);
    if (sum !== values[p.index]) throw new Error(`${p.id}: children sum ${sum}, parent ${values[p.index]}`);
  }
}

export function rowsOf(
  rows: readonly TargetRow[],
  scope: string,
  metric: TargetMetric = 'revenue',
): TargetRow[] {
  return rows.filter((r) => r.scope === scope && r.metric === metric);
}

export function row(
  rows: readonly TargetRow[],
  scope: string,
  periodId: string,
  metric: TargetMetric = 'revenue',
): TargetRow {
  const found = rows.find((r) => r.scope === scope && r.period_id === periodId && r.metric === metric);
  if (!found) throw new Error(`no row ${scope} ${periodId} ${metric}`);
  return found;
}

/** A roster row: a rep in a team, open on both ends, default ramp and capacity. */
export function rep(rep_id: string, team: string, options: Partial<RepRecord> = {}): RepRecord {
  return { rep_id, team, started_on: null, ended_on: null, ramp_months: null, capacity: null, ...options };
}

/** A day's actual of revenue, company-wide unless the options say a team or rep. */
export function actual(date: string, value: string, options: Partial<ActualRow> = {}): ActualRow {
  return { date, metric: 'revenue', value: money(value), team: null, rep_id: null, ...options };
}
