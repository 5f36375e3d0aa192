import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The minified browser build of Apache ECharts, inlined into every report so it opens offline with
 * no external request. Read at run time from beside the bundle (Lambda) or from node_modules.
 */
let cached: Promise<string> | undefined;

export function echartsSource(): Promise<string> {
  cached ??= (async () => {
    // In a Lambda bundle the file ships next to the code (infra copies it there).
    const shipped = join(dirname(fileURLToPath(import.meta.url)), 'echarts.min.js');
    if (existsSync(shipped)) return readFile(shipped, 'utf8');
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
