import { generateTargets, generateTransactions } from '../../bench/targets.ts';
import type { TargetRecord } from '../../core/records.ts';
import { actualsFromTransactions, DEFAULT_TARGETS_CONFIG, planTargets } from '../../core/targets/index.ts';

/** The targets of 6 reps in 2 teams for FY2026, and their sales from 2025-12-29 to 2026-03-16. */
export const { targets, repTeams } = generateTargets(6, 2);
const transactions = generateTransactions(6, 2, '2025-12-29', '2026-03-16');

/** The plan as of `asOf`, over the sales before it. */
export function plan(asOf: string, records: TargetRecord[] = targets) {
  const actuals = actualsFromTransactions(
    transactions.filter((t) => t.order_date < asOf),
    { revenueNetOfReturns: true },
  );
  return planTargets({ targets: records, actuals, config: DEFAULT_TARGETS_CONFIG, asOf, repTeams });
}

/** The run of the week starting `asOf`, as publishPlan takes it. */
export const run = (asOf: string) => ({ asOf, week: asOf, runId: `r-${asOf}`, errors: [] });
