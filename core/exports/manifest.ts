import { z } from 'zod';
import { Money } from '../money.ts';
import { parseAmount } from '../values.ts';
import type { ControlTotalsReport } from './control-totals.ts';

/** Optional sidecar `<file>.manifest.json` in which the sender states what the file holds. */
export const ManifestSchema = z.object({
  rows: z.number().int().nonnegative().optional(),
  totals: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export function parseManifest(
  text: string,
): { ok: true; manifest: Manifest } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'manifest is not valid JSON' };
  }
  const parsed = ManifestSchema.safeParse(json);
  return parsed.success
    ? { ok: true, manifest: parsed.data }
    : { ok: false, reason: `manifest is not of the form {"rows": N, "totals": {...}}` };
}

/** Plain-words mismatches between the manifest and what was read; empty when they agree. */
export function checkManifest(manifest: Manifest, totals: ControlTotalsReport): string[] {
  const problems: string[] = [];
  if (manifest.rows !== undefined && manifest.rows !== totals.rows_in) {
    problems.push(`manifest says ${manifest.rows} rows, the file has ${totals.rows_in}`);
  }
  for (const [column, expected] of Object.entries(manifest.totals ?? {})) {
    // Own keys only: `toString` or `constructor` is no amount column.
    const actual = Object.hasOwn(totals.amounts, column) ? totals.amounts[column] : undefined;
    if (!actual) {
      problems.push(`manifest gives a total for ${column}, which is not an amount column of this export`);
      continue;
    }
    // Read as the export's own amounts are (`1,003.00`, `¥1,003.00`): a total that is no amount
    // blocks the export with its reason, where a thrown DecimalError failed the load on every retry.
    const stated = parseAmount(String(expected));
    if (!stated.ok)
      problems.push(`manifest gives ${column} as "${expected}", which is not an amount: ${stated.reason}`);
    else if (!stated.value.equals(new Money(actual.in)))
      problems.push(`manifest says ${column} totals ${expected}, the file totals ${actual.in}`);
  }
  return problems;
}

/** What a manifest's text (null: there is none) finds wrong with the totals read; empty when nothing. */
export function manifestProblems(text: string | null, totals: ControlTotalsReport): string[] {
  if (text === null) return [];
  const parsed = parseManifest(text);
  return parsed.ok ? checkManifest(parsed.manifest, totals) : [parsed.reason];
}
