import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: bundling resolves entries, package-lock.json and tsconfig.json from here. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda functions and the file whose `handler` export each one runs. */
export const HANDLER_ENTRIES = {
  ingest: 'functions/ingest/handler.ts',
  compute: 'functions/compute/handler.ts',
  targets: 'functions/targets/handler.ts',
  scaleOut: 'functions/scale-out/handler.ts',
} as const;

export type FunctionName = keyof typeof HANDLER_ENTRIES;

export function handlerEntry(name: FunctionName): string {
  return join(PROJECT_ROOT, HANDLER_ENTRIES[name]);
}
