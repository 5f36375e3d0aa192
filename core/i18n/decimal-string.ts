/**
 * Exact decimal strings as DuckDB and the money code write them ("-1234.50", "82.890509"): parsed and
 * rounded as digits, never through a float, so a DECIMAL(18,2) amount prints to the cent whatever its size.
 */
export interface DecimalParts {
  negative: boolean;
  /** Integer digits without leading zeros ("0" for zero). */
  integer: string;
  /** Fraction digits, as written. */
  fraction: string;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;

export function parseDecimal(text: string): DecimalParts | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const sign = match[1] ?? match[4];
  const integer = (match[2] ?? '0').replace(/^0+(?=\d)/, '');
  const fraction = match[3] ?? match[5] ?? '';
  return { negative: sign === '-', integer, fraction };
}

export function isDecimalString(text: string): boolean {
  return parseDecimal(text) !== null;
}

function isZero(parts: DecimalParts): boolean {
  return /^0*$/.test(parts.integer) && /^0*$/.test(parts.fraction);
}

/** Adds one unit in the last place to a string of digits ("199" -> "200", "99" -> "100"). */
function incrementDigits(digits: string): string {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === '9') out[i] = '0';
    else {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
  }
  return `1${out.join('')}`;
}

/** Rounds to `digits` fraction digits, half to even (banker's rounding, as the money code does). */
export function roundDecimal(parts: DecimalParts, digits: number): DecimalParts {
  const padded = parts.fraction.padEnd(digits, '0');
  const kept = padded.slice(0, digits);
  const rest = padded.slice(digits);
  let roundUp = false;
  if (rest.length > 0 && rest[0]! >= '5') {
    const exactHalf = rest[0] === '5' && /^0*$/.test(rest.slice(1));
    if (!exactHalf) roundUp = true;
    else {
      const lastKept = (digits > 0 ? kept : parts.integer).slice(-1);
      roundUp = Number(lastKept) % 2 === 1;
    }
  }
  let all = parts.integer + kept;
  if (roundUp) all = incrementDigits(all);
  const integer = (all.slice(0, all.length - digits) || '0').replace(/^0+(?=\d)/, '');
  const fraction = digits > 0 ? all.slice(all.length - digits) : '';
  const rounded = { negative: parts.negative, integer, fraction };
  // "-0.00" prints as "0.00".
  return isZero(rounded) ? { ...rounded, negative: false } : rounded;
}

/** Groups an integer digit string by thousands with the given separator. */
export function groupThousands(integer: string, separator: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}
