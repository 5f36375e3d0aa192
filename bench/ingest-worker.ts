/**
 * One measured step of the ingest benchmark, run in its own process: prints {seconds, cpuSeconds,
 * rows, peakRssMb} (cpuSeconds: user and system time of every thread, which other work on the
 * machine stretches less than the elapsed time).
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../core/config.ts';
import { curateExport } from '../functions/ingest/curate-export.ts';

const [mode, file, outDir] = process.argv.slice(2) as [string, string, string];
await mkdir(outDir, { recursive: true });
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
let rows = 0;
if (mode === 'ingest') {
  const result = await curateExport(
    createReadStream(file),
    'transactions',
    parseConfig({}),
    (index, bytes) => writeFile(join(outDir, `part-${index}.parquet`), bytes),
    {
      sizeHint: (await stat(file)).size,
      // Streamed to a file as ingest streams it to S3, so quarantined rows are never all in memory.
      quarantine: () => {
        const path = join(outDir, 'quarantine.csv');
        const handle = open(path, 'w');
        return {
          write: async (chunk) => {
            await (await handle).write(chunk);
          },
          end: async () => (await handle).close(),
          abort: async () => {
            await (await handle).close();
            await rm(path, { force: true });
          },
        };
      },
    },
  );
  if (!result.ok) throw new Error(result.reason);
  if (!result.totals.balanced) throw new Error('control totals do not balance');
  rows = result.totals.rows_in;
} else {
  // Loaded only for the baseline, so the native library does not count against our peak RSS.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await db.connect();
  const target = join(outDir, 'duckdb.parquet').replaceAll("'", "''");
  await connection.run(
    `COPY (SELECT * FROM read_csv('${file.replaceAll("'", "''")}', header = true${''})) TO '${target}' (FORMAT parquet, COMPRESSION snappy)`,
  );
  const count = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${target}')`);
  rows = Number(count.getRowObjects()[0]?.n);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({ seconds, cpuSeconds, rows, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
