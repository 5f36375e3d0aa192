import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Config, parseConfig } from '../../core/config.ts';
import { loadConfigFile, UsageError } from '../local/run-local.ts';
import { writeReport } from '../report/index.ts';
import { isIsoDate } from '../shared/dates.ts';

/** The configuration given with --config, else the one the exports in `outDir` were loaded with. */
export async function runConfig(outDir: string, configFile?: string): Promise<Config> {
  const text = configFile
    ? await loadConfigFile(configFile)
    : await readFile(join(resolve(outDir), 'state', 'config.json'), 'utf8').catch(() => '{}');
  return parseConfig(JSON.parse(text));
}

export function checkDate(flag: string, value: string | undefined): void {
  if (value !== undefined && !isIsoDate(value)) {
    throw new UsageError(`${flag} must be a date YYYY-MM-DD, got "${value}"`);
  }
}

/** Writes the run's HTML report in the run's language and currency; returns its path. */
export async function writeRunReport(
  outDir: string,
  asOf: string | undefined,
  configFile?: string,
): Promise<string> {
  checkDate('--as-of', asOf);
  const config = await runConfig(outDir, configFile);
  try {
    return await writeReport(outDir, {
      locale: config.locale,
      currency: config.currency,
      ...(asOf ? { asOf } : {}),
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/no run found/.test(message)) throw new UsageError(message);
    throw error;
  }
}
