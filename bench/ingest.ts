/**
 * `npm run bench -- ingest [--rows 5000000]`: ingest throughput and memory.
 * Generates a transactions export (UTF-8, and the same rows in GBK), ingests each through the real
 * ingest row path (curateExport: decode, parse, validate, control totals, Parquet parts) from a local
 * file, and runs DuckDB reading the same CSV and writing Parquet as the baseline, each in its own
 * process so peak RSS is that step's alone.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import iconv from 'iconv-lite';

const run = promisify(execFile);

interface Measured {
  seconds: number;
  /** CPU time of all the step's threads. */
  cpuSeconds: number;
  rows: number;
  peakRssMb: number;
}

async function generate(path: string, rows: number, encoding: 'utf8' | 'gbk'): Promise<void> {
  const out = createWriteStream(path);
  const write = (text: string) =>
    new Promise<void>((resolve) => {
      const bytes = encoding === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gbk');
      if (out.write(bytes)) resolve();
      else out.once('drain', resolve);
    });
  await write(
    encoding === 'gbk'
      ? '订单号,客户编号,订单日期,金额,成本,数量,产品类别,团队\n'
      : 'order_id,customer_id,order_date,revenue,cost,quantity,product_category,team\n',
  );
  const categories = ['软件', '服务', '硬件'];
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const day = 1 + (i % 28);
    const cents = 1000 + ((i * 7919) % 500000);
    chunk += `SO${i},C${i % 1_000_000},2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')},${(cents / 100).toFixed(2)},${(cents / 250).toFixed(2)},${1 + (i % 5)},${categories[i % 3]},T${i % 7}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve) => out.end(resolve));
}

/**
 * One transactions row repeated until the gzip holds `megabytes` of CSV: every row after the first
 * is a duplicate, so nearly everything goes to quarantine (the shape that once grew to 4.4 GB).
 */
async function generateDuplicates(path: string, megabytes: number): Promise<number> {
  const gzip = createGzip();
  const done = new Promise<void>((resolve, reject) => {
    gzip.pipe(createWriteStream(path)).on('finish', resolve).on('error', reject);
  });
  const write = (text: string) =>
    new Promise<void>((resolve) => {
      if (gzip.write(text)) resolve();
      else gzip.once('drain', resolve);
    });
  const row = 'SO1,C1,2025-03-01,120.50,48.20,2,软件,T1\n';
  const block = row.repeat(Math.ceil((1 << 20) / Buffer.byteLength(row)));
  await write('order_id,customer_id,order_date,revenue,cost,quantity,product_category,team\n');
  const blocks = Math.ceil((megabytes * (1 << 20)) / Buffer.byteLength(block));
  for (let i = 0; i < blocks; i++) await write(block);
  gzip.end();
  await done;
  return (blocks * block.length) / row.length;
}

async function measure(mode: 'ingest' | 'duckdb', file: string, outDir: string): Promise<Measured> {
  const worker = join(import.meta.dirname, 'ingest-worker.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', worker, mode, file, outDir], {
    maxBuffer: 1 << 20,
    env: { ...process.env, LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Measured;
}

/**
 * `--rows 0` skips the throughput lines; `--duplicatesMb 0` skips the all-duplicates line (peak
 * RSS of a gzip holding that many MB of one repeated row).
 */
export async function runIngestBenchmark(
  options: { rows?: number; duplicatesMb?: number } = {},
): Promise<void> {
  const rows = options.rows ?? 5_000_000;
  const duplicatesMb = options.duplicatesMb ?? 300;
  const dir = await mkdtemp(join(tmpdir(), 'cval-bench-ingest-'));
  const line = (name: string, m: Measured, megabytes: number) =>
    `  ${name.padEnd(12)} ${m.seconds.toFixed(2).padStart(7)} s  ${Math.round(m.rows / m.seconds)
      .toLocaleString('en')
      .padStart(
        10,
      )} rows/s  ${(megabytes / m.seconds).toFixed(1).padStart(6)} MB/s  CPU ${m.cpuSeconds.toFixed(2).padStart(6)} s  peak RSS ${Math.round(m.peakRssMb)} MB`;
  try {
    if (rows > 0) await throughput(dir, rows, line);
    if (duplicatesMb > 0) {
      const file = join(dir, 'transactions-duplicates.csv.gz');
      const repeated = await generateDuplicates(file, duplicatesMb);
      const gzipKb = (await stat(file)).size / 1024;
      const ours = await measure('ingest', file, join(dir, 'ours-duplicates'));
      process.stdout.write(
        `all duplicates: ${duplicatesMb} MB of one row (${repeated.toLocaleString('en')} rows, ${gzipKb.toFixed(0)} KB gzip)\n`,
      );
      process.stdout.write(`${line('ours dups', ours, duplicatesMb)}\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function throughput(
  dir: string,
  rows: number,
  line: (name: string, m: Measured, megabytes: number) => string,
): Promise<void> {
  {
    const utf8 = join(dir, 'transactions-utf8.csv');
    process.stdout.write(`generating ${rows.toLocaleString('en')} rows (UTF-8 and GBK)...\n`);
    await generate(utf8, rows, 'utf8');
    const gbk = join(dir, 'transactions-gbk.csv');
    await generate(gbk, rows, 'gbk');
    const megabytes = (await stat(utf8)).size / 1024 / 1024;
    // DuckDB reads GBK only through an extension it downloads, so its baseline is the UTF-8 file
    // of the same rows.
    const duck = await measure('duckdb', utf8, join(dir, 'duck'));
    process.stdout.write(
      `ingest of ${rows.toLocaleString('en')} transactions, ${megabytes.toFixed(0)} MB as UTF-8\n`,
    );
    process.stdout.write(`${line('duckdb utf8', duck, megabytes)}\n`);
    for (const [encoding, file] of [
      ['utf8', utf8],
      ['gbk', gbk],
    ] as const) {
      const ours = await measure('ingest', file, join(dir, `ours-${encoding}`));
      const fileMb = (await stat(file)).size / 1024 / 1024;
      process.stdout.write(`${line(`ours ${encoding}`, ours, fileMb)}\n`);
      process.stdout.write(
        `  ratio ours ${encoding} / duckdb throughput: ${(duck.seconds / ours.seconds).toFixed(3)} (target >= 0.33); peak RSS ${Math.round(ours.peakRssMb)} MB (target < 512)\n`,
      );
    }
  }
}
