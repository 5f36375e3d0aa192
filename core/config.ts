import { z } from 'zod';
import { type ClvModelConfig, DEFAULT_CLV_MODEL_CONFIG } from './clv/index.ts';
import { DEFAULT_PROFITABILITY_CONFIG, type ProfitabilityConfig } from './profitability/index.ts';

/**
 * Deployment configuration (a JSON file locally, the CVAL_CONFIG variable on AWS). Every field has
 * a default so an empty `{}` is a valid configuration; the sections' keys are those of the domain
 * modules' own settings (see core/profitability/config.ts and core/clv/config.ts).
 */
const attribute = z.enum(['segment', 'acquisition_channel', 'region', 'product_bundle']);
const clvFormula = z.enum(['simple', 'discounted', 'continuous']);
const grain = z.enum(['month', 'quarter', 'year']);

const ProfitabilitySchema = z
  .object({
    cohortGrain: grain,
    cohortDimensions: z.array(z.union([attribute, z.array(attribute)])),
    inactivityDays: z.number().int().positive(),
    discountRate: z.union([z.number(), z.string()]),
    lifespan: z.union([
      z.object({ source: z.literal('fixed'), years: z.number().positive() }),
      z.object({ source: z.literal('cohort_expected_tenure'), fallbackYears: z.number().positive() }),
    ]),
    minimumObservationDays: z.number().int().nonnegative(),
    clvFormula,
    loyalAbove: z.number().min(0).max(100),
    disloyalBelow: z.number().min(0).max(100),
    serviceRoiClv: clvFormula,
    serviceRoiGroupBy: attribute,
    whalePoints: z.number().int().min(1).max(1000),
    profitTiers: z.array(
      z.object({
        tier: z.string(),
        fromDecile: z.number().int().min(1).max(10),
        toDecile: z.number().int().min(1).max(10),
        strategy: z.string(),
      }),
    ),
    kpiGrain: grain,
    rounding: z.enum(['half_even', 'half_up']),
  })
  .partial()
  .strict();

const ClvSchema = z
  .object({
    model: z.enum(['bgnbd', 'pareto_nbd']),
    timeUnit: z.enum(['weeks', 'days']),
    horizonMonths: z.number().int().positive(),
    annualDiscountRate: z.number().min(0),
    margin: z.union([z.literal('customer'), z.number().min(0).max(1)]),
    penalizer: z.number().min(0),
    calibrationEnd: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullable(),
    holdoutDays: z.number().int().nonnegative(),
    minRepeatCustomers: z.number().int().positive(),
    fitStarts: z.number().int().min(1).max(20),
  })
  .partial()
  .strict();

export const ConfigSchema = z
  .object({
    locale: z.enum(['en', 'zh-CN']).default('en'),
    currency: z.string().default('CNY'),
    /** Extra header names per kind and column, e.g. {"transactions": {"revenue": ["净额"]}}. */
    header_aliases: z.record(z.string(), z.record(z.string(), z.array(z.string()))).default({}),
    /** Rows per curated Parquet part: bounds ingest memory. */
    rows_per_part: z.number().int().positive().default(100_000),
    /** Time zone of the business day: "today" for compute, the week for targets. */
    time_zone: z.string().default('Asia/Shanghai'),
    profitability: ProfitabilitySchema.default({}),
    clv: ClvSchema.default({}),
    targets: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export function parseConfig(json: unknown): Config {
  const parsed = ConfigSchema.safeParse(json ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`configuration: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

export function profitabilitySettings(config: Config): ProfitabilityConfig {
  return { ...DEFAULT_PROFITABILITY_CONFIG, ...(config.profitability as Partial<ProfitabilityConfig>) };
}

export function clvSettings(config: Config): ClvModelConfig {
  return { ...DEFAULT_CLV_MODEL_CONFIG, ...(config.clv as Partial<ClvModelConfig>) };
}
