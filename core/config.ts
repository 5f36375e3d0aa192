import { z } from 'zod';
import { ClvSettingsSchema } from './clv/config.ts';
import { type ClvModelConfig, DEFAULT_CLV_MODEL_CONFIG } from './clv/index.ts';
import { describeIssue, fields, oneOf, plainMessages, text, wholeNumber } from './config-schema.ts';
import { MAX_TRANSACTION_ROWS } from './exports/duplicate-keys.ts';
import { ProfitabilitySettingsSchema } from './profitability/config.ts';
import { DEFAULT_PROFITABILITY_CONFIG, type ProfitabilityConfig } from './profitability/index.ts';
import { TargetsSettingsSchema } from './targets/config.ts';

/**
 * Deployment configuration (a JSON file locally, the CVAL_CONFIG variable on AWS). Every field has
 * a default so an empty `{}` is a valid configuration; each section's schema lives with the domain
 * module whose settings it holds (core/profitability/config.ts, core/clv/config.ts,
 * core/targets/config.ts), so a setting and its rule change together.
 */
/**
 * Curated transaction Parquet the embedded compute takes (see ComputeSettingsSchema): 512 MiB is
 * about 39M lines of the generated set (13.6 bytes a line, bench/scale-out.ts), which the
 * embedded job holds in about 5.3 GB of the compute function's 6 GB.
 */
export const SCALE_OUT_ABOVE_BYTES = 512 * 1024 ** 2;

/**
 * From this much curated interactions Parquet (of the exports that count) the compute job's
 * service costs are set queries on DuckDB (sql/service-cost-*.ts) and the interactions never
 * become records. Measured in turn with the TypeScript allocation (bench/compute, 2 cores): at 100k
 * customers (1.4 MB of interactions) 0.2-0.6 s slower, at 300k (4.2 MB) 2-4 s faster, at 1M (15 MB)
 * 5-14 s faster with 0.6 GB less RSS after the load.
 */
export const SERVICE_COSTS_BY_SQL_FROM_BYTES = 2 * 1024 ** 2;

/** See ComputeSettingsSchema's reconcileLoadAboveBytes. */
export const RECONCILE_LOAD_ABOVE_BYTES = 256 * 1024 ** 2;

const aliases = z.record(
  text(),
  z.record(text(), z.array(text(), { error: 'expected a list of header names' }), {
    error: 'expected an object of column names, each with a list of header names',
  }),
  { error: 'expected an object of export kinds, e.g. {"transactions": {"revenue": ["净额"]}}' },
);

/** A zone Intl knows, so "today" and "this week" never fail halfway through a run. */
const timeZone = z.string({ error: 'expected an IANA time zone such as Asia/Shanghai' }).refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an IANA time zone such as Asia/Shanghai' },
);

/**
 * Which engine runs the nightly job. The embedded compute holds a run's transactions in one
 * function (2.7 GB at 20M lines, bench/compute.ts); past `scaleOutAboveBytes` of curated
 * transaction Parquet the run is the scale-out state machine (infra/scale-out.ts), whose per-bucket
 * steps split the customers by a hash of their id into `buckets` parts. 0 = always scale out.
 * `serviceCostsBySqlFromBytes`: see SERVICE_COSTS_BY_SQL_FROM_BYTES (0 = always by SQL).
 */
const ComputeSettingsSchema = fields({
  scaleOutAboveBytes: wholeNumber(0).default(SCALE_OUT_ABOVE_BYTES),
  buckets: wholeNumber(1, 4096).default(64),
  serviceCostsBySqlFromBytes: wholeNumber(0).default(SERVICE_COSTS_BY_SQL_FROM_BYTES),
  /**
   * An export the nightly run finds not loaded (its notification lost) is loaded by the run itself
   * up to this size, and above it handed to the ingest function, which has its own 15 minutes: a
   * large file loaded inside the run could outlast the run's function (256 MiB of file, about
   * 13 s at ingest's measured 20 MB/s uncompressed, several times that gzipped).
   */
  reconcileLoadAboveBytes: wholeNumber(0).default(RECONCILE_LOAD_ABOVE_BYTES),
});

const SettingsSchema = fields({
  locale: oneOf(['en', 'zh-CN']).default('en'),
  currency: z
    .string({ error: 'expected a three-letter ISO currency code such as CNY' })
    .regex(/^[A-Za-z]{3}$/, { error: 'expected a three-letter ISO currency code such as CNY' })
    .default('CNY'),
  /** Extra header names per kind and column, e.g. {"transactions": {"revenue": ["净额"]}}. */
  header_aliases: aliases.default({}),
  /**
   * Rows per curated Parquet part: bounds ingest memory. At most a million: a part's columns are
   * held while it fills, and rows of short text are bounded by little else (64 MiB of text).
   */
  rows_per_part: wholeNumber(1, 1_000_000).default(100_000),
  /**
   * The largest export (in bytes once decompressed) one ingest function loads within its
   * 15 minutes: 10 GiB, half of what the slowest measured row path (about 25 MB/s, GBK) reads in
   * that time, the other half left for S3 and the Parquet parts. A larger one is rejected whole,
   * with this limit named, rather than dying at the timeout.
   */
  max_export_bytes: wholeNumber(1).default(10 * 1024 ** 3),
  /**
   * The most order lines a transactions export may hold: the duplicate check keeps each in memory
   * (about 20 bytes a line, 0.8 GB at the default). A larger export is rejected whole, this limit
   * named, rather than running the ingest function out of memory. Raise it with the function's memory.
   */
  max_transaction_rows: wholeNumber(1).default(MAX_TRANSACTION_ROWS),
  /** Time zone of the business day: "today" for compute, the week for targets. */
  time_zone: timeZone.default('Asia/Shanghai'),
  profitability: ProfitabilitySettingsSchema.default({}),
  clv: ClvSettingsSchema.default({}),
  targets: TargetsSettingsSchema.default({}),
  compute: ComputeSettingsSchema.default({
    scaleOutAboveBytes: SCALE_OUT_ABOVE_BYTES,
    buckets: 64,
    serviceCostsBySqlFromBytes: SERVICE_COSTS_BY_SQL_FROM_BYTES,
    reconcileLoadAboveBytes: RECONCILE_LOAD_ABOVE_BYTES,
  }),
});

export const ConfigSchema = SettingsSchema;

export type Config = z.infer<typeof ConfigSchema>;

/**
 * The configuration, every section checked before any work starts.
 * @throws Error `configuration: <setting path>: <what is allowed>, got <value>` for the first fault.
 */
export function parseConfig(json: unknown): Config {
  const input = json ?? {};
  const parsed = ConfigSchema.safeParse(input, { error: plainMessages });
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new Error(`configuration: ${describeIssue(issue, input)}`);
  }
  return parsed.data;
}

export function profitabilitySettings(config: Config): ProfitabilityConfig {
  return { ...DEFAULT_PROFITABILITY_CONFIG, ...(config.profitability as Partial<ProfitabilityConfig>) };
}

export function clvSettings(config: Config): ClvModelConfig {
  return { ...DEFAULT_CLV_MODEL_CONFIG, ...(config.clv as Partial<ClvModelConfig>) };
}
