import { z } from 'zod';
import { isIsoDate } from './targets/dates.ts';

/**
 * Building blocks of the configuration schemas. Every rule carries its own message saying what is
 * allowed, so the one line a finance user sees names the setting, the allowed values and what the
 * file said: `profitability.discountRate: expected a number between 0 and 1, got "abc"`.
 */

const list = (values: readonly (string | number)[]) => values.map((v) => JSON.stringify(v)).join(', ');

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${list(values)}` });
}

export function numberBetween(
  min: number,
  max: number,
  error = `expected a number between ${min} and ${max}`,
) {
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** `max` omitted: no upper bound. */
export function wholeNumber(min: number, max?: number) {
  const error =
    max === undefined
      ? `expected a whole number of at least ${min}`
      : `expected a whole number between ${min} and ${max}`;
  const atLeast = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? atLeast : atLeast.max(max, { error });
}

export function positiveNumber() {
  const error = 'expected a number above 0';
  return z.number({ error }).positive({ error });
}

export function nonNegativeNumber() {
  const error = 'expected a number of at least 0';
  return z.number({ error }).min(0, { error });
}

/**
 * Rates and weights may be written as JSON numbers or as decimal strings ("0.10"), which stay exact
 * all the way to the figures. `max` omitted: no upper bound.
 */
export function decimal(min: number, max?: number) {
  const error =
    max === undefined
      ? `expected a number of at least ${min}`
      : `expected a number between ${min} and ${max}`;
  return z.custom<number | string>(
    (value) => {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/.test(value)
            ? Number(value)
            : Number.NaN;
      return Number.isFinite(n) && n >= min && (max === undefined || n <= max);
    },
    { error },
  );
}

export function text() {
  return z.string({ error: 'expected text' });
}

export function flag() {
  return z.boolean({ error: 'expected true or false' });
}

export function isoDate() {
  const error = 'expected a date YYYY-MM-DD';
  return z.string({ error }).refine(isIsoDate, { error });
}

export function listOf<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: `expected a list of ${what}` });
}

/**
 * A section of settings: every key optional (the module's defaults fill the rest), and a key the
 * section does not know is an error naming the keys it does, since a typo must not silently fall
 * back to a default.
 */
export function section<T extends z.ZodRawShape>(shape: T) {
  const optional = Object.fromEntries(
    Object.entries(shape).map(([key, schema]) => [key, (schema as z.ZodType).optional()]),
  );
  return fields(optional as unknown as { [K in keyof T]: z.ZodOptional<T[K]> });
}

/** An object whose keys are all given (unless optional in `shape`), and no others. */
export function fields<T extends z.ZodRawShape>(shape: T) {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown setting; allowed: ${keys}`
        : `expected an object with the settings ${keys}`,
  });
}

/**
 * One of several shapes told apart by `key` (e.g. `{"source": "fixed", "years": 5}`), each shape
 * strict like a section's.
 */
export function variants<K extends string, const O extends readonly [z.ZodObject, ...z.ZodObject[]]>(
  key: K,
  options: O,
) {
  const tags = options.map((o) => (o.shape[key] as z.ZodLiteral<string>).value);
  return z.discriminatedUnion(key, options as never as [z.ZodObject, ...z.ZodObject[]], {
    // Typed as invalid_union only, but a value that is not an object at all arrives as invalid_type.
    error: (issue) =>
      (issue.code as string) === 'invalid_type'
        ? `expected an object with "${key}" one of ${list(tags)}`
        : `expected one of ${list(tags)}`,
  }) as unknown as z.ZodDiscriminatedUnion<[...O]>;
}

/** The value a zod issue is about, read back from the input along its path (for the message). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** One line per issue: the setting's path (dotted, list positions in brackets), what is allowed, what was there. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, root = ''): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] as string] : issue.path;
  const name = path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const label = String(key);
    // Keys that are not plain words (a typo with a space, a newline) are quoted so the line stays one line.
    if (!/^[\w-]+$/.test(label)) return `${text}[${JSON.stringify(label)}]`;
    return text ? `${text}.${label}` : label;
  }, root);
  const got = issue.code === 'unrecognized_keys' ? '' : `, got ${shown(valueAt(input, issue.path))}`;
  return `${name || '(the configuration)'}: ${issue.message}${got}`;
}

/** Fallback messages for issues a rule above did not word (kept plain, never zod's own phrasing). */
export const plainMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${list(issue.values as (string | number)[])}`;
    default:
      return undefined;
  }
};
