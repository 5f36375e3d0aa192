import { z } from 'zod';

/**
 * Deployment configuration (a JSON file locally, the CVAL_CONFIG variable on AWS). Every field has
 * a default so an empty `{}` is a valid configuration.
 */
export const ConfigSchema = z.object({
  locale: z.enum(['en', 'zh-CN']).default('en'),
  currency: z.string().default('CNY'),
  /** Extra header names per kind and column, e.g. {"transactions": {"revenue": ["净额"]}}. */
  header_aliases: z.record(z.string(), z.record(z.string(), z.array(z.string()))).default({}),
  /** Rows per curated Parquet part: bounds ingest memory. */
  rows_per_part: z.number().int().positive().default(200_000),
});

export type Config = z.infer<typeof ConfigSchema>;

export function parseConfig(json: unknown): Config {
  const parsed = ConfigSchema.safeParse(json ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`configuration: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}
