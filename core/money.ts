import DecimalModule, { type Decimal as DecimalClass } from 'decimal.js';

// decimal.js ships an ESM build whose only export is the default, while its typings describe a
// CommonJS module; this cast gives the runtime default its class type.
const Decimal = DecimalModule as unknown as typeof DecimalClass;
type Decimal = DecimalClass;
export type DecimalValue = DecimalClass.Value;

/**
 * Money is exact: every amount is a decimal.js Decimal, rounded only when written out.
 * A dedicated clone keeps our precision and rounding independent of any other Decimal user.
 */
export const Money = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Money = Decimal;

export const ZERO: Money = new Money(0);

/** Smallest currency unit: amounts are stored as DECIMAL(18,2). */
export const MONEY_SCALE = 2;

export type RoundingMode = 'half_even' | 'half_up';

const ROUNDING: Record<RoundingMode, DecimalClass.Rounding> = {
  half_even: Decimal.ROUND_HALF_EVEN,
  half_up: Decimal.ROUND_HALF_UP,
};

export function money(value: DecimalValue): Money {
  return new Money(value);
}

export function sumMoney(values: Iterable<DecimalValue>): Money {
  let total = ZERO;
  for (const value of values) total = total.plus(value);
  return total;
}

/** Rounds to the cent (or another scale) with the configured mode; half-even by default. */
export function roundMoney(
  value: DecimalValue,
  scale = MONEY_SCALE,
  mode: RoundingMode = 'half_even',
): Money {
  return new Money(value).toDecimalPlaces(scale, ROUNDING[mode]);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Integer parts above this could overflow the safe range once scaled to cents. */
const MAX_UNITS = Math.floor(MAX_SAFE / 100);

/**
 * The amount in cents when it is a whole number of cents and a safe integer, else NaN. Reads the
 * Decimal's documented digits (`d`, base 1e7 words aligned on the decimal point), exponent `e` and
 * sign `s`, so no text is built.
 */
export function centsOf(value: Money): number {
  const words = value.d;
  if (!words) return Number.NaN; // NaN or infinite
  let exponent = Math.floor(value.e / 7); // base-1e7 exponent of the first word
  let units = 0;
  let cents = 0;
  for (let i = 0; i < words.length; i++, exponent--) {
    const word = words[i] as number;
    if (exponent >= 0) {
      units = units * 1e7 + word;
      if (units > MAX_UNITS) return Number.NaN;
    } else if (exponent === -1) {
      if (word % 100_000 !== 0) return Number.NaN;
      cents = word / 100_000;
    } else if (word !== 0) {
      return Number.NaN;
    }
  }
  for (; exponent >= 0; exponent--) {
    units *= 1e7;
    if (units > MAX_UNITS) return Number.NaN;
  }
  const total = units * 100 + cents;
  if (total > MAX_SAFE) return Number.NaN;
  return value.s < 0 ? -total : total;
}

/** The unscaled integer of a DECIMAL(18, scale) column: 12.34 -> 1234n. */
export function toUnscaled(
  value: DecimalValue,
  scale = MONEY_SCALE,
  mode: RoundingMode = 'half_even',
): bigint {
  // Whole cents need no rounding: read from the Decimal's digits (a million customers' rows have
  // some fifteen amounts each, and the text round trip below was a tenth of writing them).
  if (scale === 2 && value instanceof Money) {
    const cents = centsOf(value);
    if (!Number.isNaN(cents)) return BigInt(cents);
  }
  // toFixed rounds with the mode and always prints `scale` decimals, so dropping the point scales it.
  const fixed = roundMoney(value, scale, mode).toFixed(scale);
  return BigInt(scale === 0 ? fixed : fixed.replace('.', ''));
}

export function fromUnscaled(unscaled: bigint, scale = MONEY_SCALE): Money {
  return new Money(unscaled.toString()).dividedBy(new Money(10).pow(scale));
}

/** Fixed-point text with exactly `scale` decimals, as finance reads it ("1234.50"). */
export function formatMoney(value: DecimalValue, scale = MONEY_SCALE): string {
  return roundMoney(value, scale).toFixed(scale);
}

/**
 * Splits `total` into parts proportional to `weights` so that the parts sum exactly to `total`
 * (largest remainder method on units of 10^-scale). Ties go to the earlier part so the result is
 * deterministic. Zero or empty weights split evenly.
 */
export function allocate(
  total: DecimalValue,
  weights: readonly DecimalValue[],
  scale = MONEY_SCALE,
): Money[] {
  const count = weights.length;
  if (count === 0) return [];
  const unit = new Money(10).pow(-scale);
  const totalUnits = BigInt(new Money(total).dividedBy(unit).toFixed(0));
  const asDecimals = weights.map((w) => new Money(w));
  if (asDecimals.some((w) => w.isNegative())) throw new RangeError('allocation weights must not be negative');
  const weightSum = sumMoney(asDecimals);
  const effective = weightSum.isZero() ? asDecimals.map(() => new Money(1)) : asDecimals;
  const effectiveSum = weightSum.isZero() ? new Money(count) : weightSum;
  const units = allocateUnits(totalUnits, effective, effectiveSum);
  return units.map((u) => new Money(u.toString()).times(unit));
}

/** Whole-number split (counts: orders, customers) with the same exact-sum guarantee. */
export function allocateCount(total: number | bigint, weights: readonly DecimalValue[]): bigint[] {
  return allocate(total.toString(), weights, 0).map((part) => BigInt(part.toFixed(0)));
}

function allocateUnits(totalUnits: bigint, weights: Money[], weightSum: Money): bigint[] {
  const negative = totalUnits < 0n;
  const magnitude = negative ? -totalUnits : totalUnits;
  // Share i is w_i * magnitude / W. Its floor and its remainder (w_i * magnitude mod W) are exact,
  // so equal fractions compare equal and ties really go to the earlier part; dividing first would
  // round the fractions at different digits depending on the size of their integer parts.
  const products = weights.map((w) => w.times(magnitude.toString()));
  const floors = products.map((p) => BigInt(p.dividedToIntegerBy(weightSum).toFixed(0)));
  const remainders = products.map((p) => p.mod(weightSum));
  let remaining = magnitude - floors.reduce((a, b) => a + b, 0n);
  const order = remainders
    .map((remainder, index) => ({ index, remainder }))
    .sort((x, y) => y.remainder.comparedTo(x.remainder) || x.index - y.index);
  for (const { index } of order) {
    if (remaining <= 0n) break;
    floors[index] = (floors[index] as bigint) + 1n;
    remaining -= 1n;
  }
  return negative ? floors.map((f) => -f) : floors;
}
