import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays } from '../../core/calendar.ts';
import { addMonths } from '../../core/clv/subscriptions.ts';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples', 'exports');

/** The run the report tests show, and the earlier run its backtest scores (clv.backtestDays 90). */
export const AS_OF = '2026-11-20';
export const EARLIER_AS_OF = '2026-08-22';

/**
 * The sample exports plus a `subscriptions` export (160 of the sample customers on monthly Basic or
 * Pro plans, staggered starts, about half ended), and a config with a 91-day CLV holdout, so every
 * CLV chart of the report has rows: tracking plot with calibration and holdout, P(alive), sBG
 * survival per plan and, once a run 90 days earlier exists, the backtest.
 */
export async function clvExports(root: string): Promise<{ exportsDir: string; configFile: string }> {
  const exportsDir = join(root, 'exports');
  await cp(SAMPLES, exportsDir, { recursive: true });
  await mkdir(join(exportsDir, 'subscriptions'), { recursive: true });
  const lines = ['subscription_id,customer_id,started_on,ended_on,plan,billing_period,recurring_revenue'];
  let seed = 7;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 1; i <= 160; i++) {
    const customer = `C${String(i).padStart(4, '0')}`;
    const plan = i % 2 === 0 ? 'Pro' : 'Basic';
    const started = addDays('2024-01-01', 5 * i);
    // Geometric lifetimes with a churn rate that differs by customer (what sBG describes).
    const churn = plan === 'Pro' ? 0.02 + 0.1 * next() : 0.05 + 0.2 * next();
    let months = 1;
    while (next() > churn && months < 60) months++;
    const end = addDays(addMonths(started, months), -1);
    const ended = end < EARLIER_AS_OF ? end : '';
    lines.push(`S${i},${customer},${started},${ended},${plan},month,${plan === 'Pro' ? '99.00' : '29.00'}`);
  }
  await writeFile(join(exportsDir, 'subscriptions', 'plans.csv'), `${lines.join('\n')}\n`);
  const configFile = join(root, 'config.json');
  await writeFile(configFile, JSON.stringify({ clv: { holdoutDays: 91, backtestDays: [90] } }));
  return { exportsDir, configFile };
}
