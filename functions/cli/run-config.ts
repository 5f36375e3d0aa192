import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../../core/config.ts';
import { runDayRefusal, targetWeekRefusal } from '../../core/run-day.ts';
import { mondayOfIsoWeek } from '../../core/targets/week.ts';
import { checkRunExists, loadConfigFile, UsageError } from '../local/local-input.ts';
import type { RunWarnings } from '../report/run-warnings-section.ts';
import { isIsoDate, todayIn } from '../shared/dates.ts';

// Only node:fs and core/ load with this module: the checks below refuse bad input before anything
// heavy (the report, DuckDB, the handlers) is imported.

/** The configuration given with --config, else the one the exports in `outDir` were loaded with. */
export async function runConfig(outDir: string, configFile?: string): Promise<Config> {
  const { parseConfig } = await import('../../core/config.ts');
  if (configFile) return parseConfig(JSON.parse(await loadConfigFile(configFile)));
  const saved = join(resolve(outDir), 'state', 'config.json');
  const text = await readFile(saved, 'utf8').catch(() => '{}');
  try {
    return parseConfig(JSON.parse(text));
  } catch (error) {
    // Saved by a run whose rules were looser: the file to fix (or replace with --config) is named.
    throw new UsageError(`${saved}: ${(error as Error).message}`);
  }
}

/** A run's day must have come, in the configured business time zone (runDayRefusal). */
export async function checkRunDay(
  flag: string,
  value: string | undefined,
  configText: string,
): Promise<void> {
  if (value === undefined) return;
  const { parseConfig } = await import('../../core/config.ts');
  const timeZone = parseConfig(JSON.parse(configText)).time_zone;
  const refusal = runDayRefusal(flag, value, todayIn(timeZone), timeZone);
  if (refusal) throw new UsageError(refusal);
}

/** Targets are re-planned as of a week that has begun, in the configured business time zone (targetWeekRefusal). */
export function checkWeekHasCome(flag: string, week: string | undefined, timeZone: string): void {
  const monday = week === undefined ? null : mondayOfIsoWeek(week);
  if (week === undefined || monday === null) return;
  const refusal = targetWeekRefusal(flag, week, monday, todayIn(timeZone), timeZone);
  if (refusal) throw new UsageError(refusal);
}

export function checkDate(flag: string, value: string | undefined): void {
  if (value !== undefined && !isIsoDate(value)) {
    throw new UsageError(`${flag} must be a date YYYY-MM-DD, got "${value}"`);
  }
}

/**
 * An ISO week that exists: the handler would refuse 2026-W54 too, but as a failed run (exit 1) after
 * starting the local servers, when it is the command line that is wrong.
 */
export function checkWeek(flag: string, value: string | undefined): void {
  if (value === undefined) return;
  const match = /^(\d{4})-W\d{2}$/.exec(value);
  if (!match) throw new UsageError(`${flag} must be YYYY-Www, got "${value}"`);
  if (mondayOfIsoWeek(value) === null) {
    const weeks = mondayOfIsoWeek(`${match[1]}-W53`) === null ? 52 : 53;
    throw new UsageError(`${flag} ${value} does not exist: ISO year ${match[1]} has weeks W01 to W${weeks}`);
  }
}

export interface RunReportOptions {
  /** The run to report on; default the latest. */
  asOf?: string;
  /** The configuration to take the language and currency from; default the run's. */
  configFile?: string;
  /** Given by `cval run`, which has every one; else read from the run's record. */
  runWarnings?: RunWarnings;
}

/** Writes the run's HTML report in the run's language and currency; returns its path. */
export async function writeRunReport(outDir: string, options: RunReportOptions = {}): Promise<string> {
  const { asOf, configFile, runWarnings } = options;
  checkDate('--as-of', asOf);
  const config = await runConfig(outDir, configFile);
  checkRunExists(outDir, asOf);
  const { writeReport } = await import('../report/index.ts');
  try {
    return await writeReport(outDir, {
      locale: config.locale,
      currency: config.currency,
      ...(asOf ? { asOf } : {}),
      runWarnings,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/no run found/.test(message)) throw new UsageError(message);
    throw error;
  }
}
