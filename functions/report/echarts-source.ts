import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * The minified browser build of Apache ECharts, inlined into every report so it opens offline with
 * no external request. Read from node_modules at run time; a Lambda bundle must ship the file (or
 * replace this module with a text import of it).
 */
let cached: Promise<string> | undefined;

export function echartsSource(): Promise<string> {
  cached ??= (async () => {
    let path: string;
    try {
      path = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
    } catch {
      throw new Error('the report needs the echarts package (npm install echarts)');
    }
    return readFile(path, 'utf8');
  })();
  return cached;
}
