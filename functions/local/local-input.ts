import { existsSync, readdirSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXPORT_KINDS } from '../../core/exports/kinds.ts';
import { RESULT_TABLES } from '../../core/tables.ts';
import { UsageError } from '../shared/usage-error.ts';

/**
 * The checks of what a local command is given (configuration file, exports folder, output folder),
 * apart from run-local.ts: that one loads the handlers, the AWS SDK and the local servers, and a
 * command refused for bad input must not pay for loading them. Only node:fs and core/ load here
 * (core/config.ts, with zod, only to check a configuration file).
 */

export { UsageError };

/** The configuration file's text ('{}' without one), checked; a UsageError if unreadable or invalid. */
export async function loadConfigFile(path: string | undefined): Promise<string> {
  if (!path) return '{}';
  let text: string;
  try {
    // Without a byte order mark: Windows Notepad saves UTF-8 with one, and JSON.parse refused it
    // with an "Unexpected token" of a character nobody can see.
    text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch {
    throw new UsageError(`cannot read the configuration file ${path}`);
  }
  // The configuration's schema (zod and every module's settings) loads only when there is one to check.
  const { parseConfig } = await import('../../core/config.ts');
  try {
    parseConfig(JSON.parse(text));
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  return text;
}

/**
 * `cval run`'s folder of exports must be a folder with a file in a kind's sub-folder. The folder
 * is mirrored: one holding none (a typo, or the parent of the exports) withdrew every export
 * loaded before and published an empty run, exit 0.
 */
export async function checkExportsDir(exportsDir: string): Promise<void> {
  const root = resolve(exportsDir);
  const isDir = await stat(root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UsageError(`exports folder not found: ${exportsDir}`);
  const entries = await readdir(root, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isDirectory() || !(EXPORT_KINDS as readonly string[]).includes(entry.name)) continue;
    const files = await readdir(join(root, entry.name), { recursive: true, withFileTypes: true });
    if (files.some((file) => file.isFile())) return;
  }
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => `${entry.name}/`);
  throw new UsageError(
    `no exports in ${exportsDir}: each file goes in a sub-folder named after its kind (${EXPORT_KINDS.join(', ')}); found ${folders.length === 0 ? 'no sub-folder' : `none in ${folders.join(', ')}`}`,
  );
}

/** `cval targets` works on the exports a `cval run` loaded into `outDir` (its `state/`). */
export async function checkExportsLoaded(outDir: string): Promise<void> {
  const loaded = await stat(join(resolve(outDir), 'state')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!loaded)
    throw new UsageError(
      `no exports loaded in ${outDir}: run "cval run <exports-dir> --out ${outDir}" first`,
    );
}

/** `cval query`'s lake must exist: a folder no run wrote (a typo in --out) read as empty tables. */
export function checkLakeExists(outDir: string): void {
  const lake = resolve(outDir, 'lake');
  if (!existsSync(lake)) throw noRunFound(lake);
}

function noRunFound(lake: string): UsageError {
  return new UsageError(`no run found under ${lake}: run \`cval run\` first`);
}

/**
 * The report's "no run found", where it is certain without DuckDB: a lake with no customer_metrics
 * folder gives an empty view (lake-sql.ts), so no latest as_of; with `asOf`, a lake without that
 * day's folder has no run of it.
 */
export function checkRunExists(outDir: string, asOf?: string): void {
  const lake = resolve(outDir, 'lake');
  const customerMetrics = RESULT_TABLES.find((t) => t.name === 'customer_metrics');
  if (!customerMetrics) return;
  const folder = join(lake, customerMetrics.prefix);
  if (!existsSync(folder)) throw noRunFound(lake);
  // A day without a run wrote an empty report and exited 0.
  if (asOf !== undefined && !existsSync(join(folder, `as_of=${asOf}`))) {
    const days = readdirSync(folder)
      .map((name) => /^as_of=(\d{4}-\d{2}-\d{2})$/.exec(name)?.[1])
      .filter((day): day is string => day !== undefined)
      .sort();
    const listed =
      days.length > 10 ? `${days.slice(-10).join(', ')} (the latest 10 of ${days.length})` : days.join(', ');
    throw new UsageError(`no run as of ${asOf} under ${lake}: its runs are as of ${listed}`);
  }
}
