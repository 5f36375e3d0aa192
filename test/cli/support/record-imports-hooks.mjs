import { appendFileSync } from 'node:fs';

/** Module customization hook (runs on the loader thread): records each resolved URL. */
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, `${result.url}\n`);
  return result;
}
