import { Money } from '../money.ts';
import {
  controlCharacterProblem,
  type Parsed,
  parseAmount,
  parseAmountCents,
  parseDate,
  parseFiscalYear,
  parseInteger,
  parseMonth,
  parsePeriod,
  parseShare,
} from '../values.ts';
import type { HeaderMapping } from './headers.ts';
import { type ColumnSpec, type ExportKind, KIND_COLUMNS, normaliseMetric, type ValueType } from './kinds.ts';

/** Amounts are integer cents (bigint); scores and shares are decimals. */
export type CuratedValue = string | number | bigint | Money | null;
export type CuratedRow = Record<string, CuratedValue>;

export interface RowProblem {
  column: string;
  reason: string;
}

export type RowResult = { ok: true; row: CuratedRow } | { ok: false; problem: RowProblem };

const SCOPE = /^(company|team:[^\s:]+|rep:[^\s:]+)$/;

/** Amounts are stored as DECIMAL(18,2): 16 digits before the point. */
const MONEY_LIMIT = new Money(10).pow(16);

/**
 * Scores and shares are stored as DECIMAL(18,6): a seventh decimal would be rounded away, so it is a
 * reason instead (their ranges, 0-100 and 0-1, keep them far inside the 12 digits before the point).
 */
function rate(raw: string, parsed: Parsed<Money>): Parsed<CuratedValue> {
  if (parsed.ok && parsed.value.decimalPlaces() > 6)
    return { ok: false, reason: `"${raw}" has more than 6 decimal places` };
  return parsed;
}

function parseValue(type: ValueType, raw: string): Parsed<CuratedValue> {
  switch (type) {
    case 'string': {
      const text = unwrapSpreadsheetText(raw.trim()).trim();
      return text.length > 1000
        ? { ok: false, reason: 'is longer than 1000 characters' }
        : { ok: true, value: text };
    }
    case 'amount': {
      // Curated money is exact integer cents; a third decimal is a reason, never a rounding.
      const cents = parseAmountCents(raw);
      if (cents.ok) return cents;
      const exact = parseAmount(raw);
      return exact.ok && exact.value.abs().greaterThanOrEqualTo(MONEY_LIMIT)
        ? {
            ok: false,
            reason: `"${raw}" is too large for DECIMAL(18,2) (at most 16 digits before the point)`,
          }
        : cents;
    }
    case 'date':
      return parseDate(raw);
    case 'month':
      return parseMonth(raw);
    case 'period':
      return parsePeriod(raw);
    case 'integer':
      return parseInteger(raw);
    case 'fiscal_year':
      return parseFiscalYear(raw);
    case 'share':
      return rate(raw, parseShare(raw));
    case 'score': {
      const score = parseAmount(raw);
      if (!score.ok || score.value.isNegative() || score.value.greaterThan(100)) {
        return { ok: false, reason: `"${raw}" is not a score between 0 and 100` };
      }
      return rate(raw, score);
    }
    case 'metric': {
      const metric = normaliseMetric(raw);
      return metric
        ? { ok: true, value: metric }
        : { ok: false, reason: `"${raw}" is not a metric (revenue, profit, orders, new_customers)` };
    }
    case 'scope': {
      const scope = raw.trim().toLowerCase() === 'company' ? 'company' : raw.trim();
      return SCOPE.test(scope)
        ? { ok: true, value: scope }
        : { ok: false, reason: `"${raw}" is not a scope (company, team:<id> or rep:<id>)` };
    }
  }
}

/**
 * Why a text cell holding a line break is not taken: no column of any kind holds one, and the
 * only way one gets there is a quote opened in a cell and not closed on its line, which takes the
 * lines after it (rows, often) into the cell. Curated, those rows vanished with the totals balanced.
 */
function lineBreakProblem(raw: string): string | null {
  const breaks = raw.match(/\r\n|\r|\n/g)?.length ?? 0;
  if (breaks === 0) return null;
  return `holds a line break (it spans ${breaks + 1} lines of the file): a quote opened in a cell and not closed on its line takes the lines after it into the cell (they are in this quarantined row); close the quote, or remove it`;
}

/** Columns that identify something: an id a spreadsheet shortened would merge two of them. */
const isIdColumn = (spec: ColumnSpec) => spec.name.endsWith('_id') || spec.name === 'referred_by';

/**
 * An id such as `1.23457E+11`: a spreadsheet showed a long number in scientific notation and
 * exported it so. Its digits are gone (6222020000000000 and 6222029999999999 both read so), and
 * taken as text it would make different customers or orders one.
 */
function shortenedIdProblem(spec: ColumnSpec, raw: string): string | null {
  if (!isIdColumn(spec) || !/^\s*[+-]?\d+(\.\d+)?E\+\d+\s*$/i.test(raw)) return null;
  return `"${raw.trim()}" looks like a number a spreadsheet shortened (its digits are lost): format the column as text before exporting`;
}

/**
 * Excel's way of keeping a number's text (leading zeros, long ids) in a CSV: `="00123"`, read as
 * the text inside it.
 */
function unwrapSpreadsheetText(text: string): string {
  const inside = /^="(.*)"$/s.exec(text);
  return inside ? (inside[1] as string) : text;
}

/** Validates one row of an export against its kind: the first problem found is the reason. */
export function validateRow(kind: ExportKind, mapping: HeaderMapping, fields: readonly string[]): RowResult {
  const row: CuratedRow = {};
  for (const spec of KIND_COLUMNS[kind]) {
    const position = mapping.positions.get(spec.name);
    const raw = position === undefined ? undefined : fields[position];
    const result = validateCell(spec, raw);
    if (!result.ok) return { ok: false, problem: { column: spec.name, reason: result.reason } };
    row[spec.name] = result.value;
  }
  return { ok: true, row };
}

/** Types whose cells are kept as the text they hold, ids among them. */
const TEXT_TYPES: ReadonlySet<ValueType> = new Set(['string', 'scope']);

function validateCell(spec: ColumnSpec, raw: string | undefined): Parsed<CuratedValue> {
  // Before the blank check: trim() removes a vertical tab or form feed, and a cell holding one is
  // no more blank than one holding a NUL.
  if (raw !== undefined && TEXT_TYPES.has(spec.type)) {
    const problem = lineBreakProblem(raw) ?? controlCharacterProblem(raw) ?? shortenedIdProblem(spec, raw);
    if (problem) return { ok: false, reason: problem };
  }
  const blank = raw === undefined || raw.trim() === '';
  if (blank) {
    if (spec.required) return { ok: false, reason: raw === undefined ? 'is missing' : 'is empty' };
    if (spec.defaultValue === undefined) return { ok: true, value: null };
    return parseValue(spec.type, spec.defaultValue);
  }
  return parseValue(spec.type, raw);
}
