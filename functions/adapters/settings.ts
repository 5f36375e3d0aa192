import { type Config, parseConfig } from '../../core/config.ts';

/** What every handler needs from its environment, read and checked in one place. */
export interface Settings {
  exportsBucket: string;
  lakeBucket: string;
  tableName: string;
  config: Config;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const missing = ['EXPORTS_BUCKET', 'LAKE_BUCKET', 'TABLE_NAME'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`missing environment variable(s): ${missing.join(', ')}`);
  let config: Config;
  try {
    config = parseConfig(env.CVAL_CONFIG ? JSON.parse(env.CVAL_CONFIG) : {});
  } catch (error) {
    throw new Error(`CVAL_CONFIG: ${(error as Error).message}`);
  }
  return {
    exportsBucket: env.EXPORTS_BUCKET as string,
    lakeBucket: env.LAKE_BUCKET as string,
    tableName: env.TABLE_NAME as string,
    config,
  };
}
