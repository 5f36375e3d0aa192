import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { bytes, fitToWidth, progressReporter, stepReader } from '../../functions/cli/progress.ts';

/** A stream that keeps what is written, and a clock the test moves. */
function setup(
  tty: boolean,
  extra: { intervalMs?: number; quiet?: boolean; sizes?: Map<string, number> } = {},
) {
  let text = '';
  let t = 1_000_000;
  const stream = { isTTY: tty, columns: 200, write: (s: string) => (text += s) };
  const progress = progressReporter({
    stream,
    now: () => t,
    heartbeat: false,
    ...(extra.intervalMs ? { intervalMs: extra.intervalMs } : {}),
    ...(extra.quiet ? { quiet: true } : {}),
    ...(extra.sizes ? { exportSizes: extra.sizes } : {}),
  });
  return {
    progress,
    advance: (ms: number) => {
      t += ms;
    },
    text: () => text,
    lines: () => text.split('\n').filter(Boolean),
  };
}

describe('progress in a pipe or a log (stderr not a terminal)', () => {
  it('ends each step with what it did, its rate, and prints progress lines at most once per interval', () => {
    const { progress, advance, lines, text } = setup(false);
    const total = { items: 4, rows: 40_000, bytes: 4_000_000 };
    for (let i = 0; i < 4; i++) {
      progress.event({
        step: 'ingest',
        item: `transactions/part-${i}.csv`,
        done: { items: i, rows: i * 10_000, bytes: i * 1_000_000 },
        total,
      });
      advance(1000);
    }
    progress.event({
      step: 'ingest',
      done: { items: 4, rows: 40_000, bytes: 4_000_000 },
      total,
      finished: true,
    });
    progress.event({ step: 'compute', done: {} });
    advance(3500);
    progress.tick();
    progress.event({ step: 'compute', done: { items: 12, rows: 1234 }, finished: true });
    progress.done();
    expect(lines()).toEqual([
      // 2 s after the start, then no line until 2 s later.
      '… ingest transactions/part-2.csv · 2/4 exports · 20,000 rows · 2 MB of 4 MB · 10,000 rows/s · 1 MB/s · about 2.0 s left',
      'ingest: 4 exports, 40,000 rows, 4 MB in 4.0 s (10,000 rows/s, 1 MB/s)',
      '… compute · 3.5 s',
      'compute: 12 tables, 1,234 rows in 3.5 s (353 rows/s)',
    ]);
    expect(text()).not.toContain('\r');
    expect(text()).not.toContain('\u001b');
  });

  it('--quiet prints nothing', () => {
    const { progress, advance, text } = setup(false, { quiet: true });
    progress.event({ step: 'ingest', done: { items: 1 }, total: { items: 2 } });
    advance(5000);
    progress.tick();
    progress.step('computing metrics');
    progress.done();
    expect(text()).toBe('');
  });
});

describe('progress on a terminal', () => {
  it('rewrites one line in place, leaves one line per step, and clears its line at the end', () => {
    const { progress, advance, text } = setup(true);
    progress.event({ step: 'upload', done: {}, total: { items: 2, bytes: 2048 } });
    advance(500);
    progress.event({ step: 'upload', done: { items: 2, bytes: 2048 }, finished: true });
    progress.event({ step: 'compute', done: {} });
    advance(50);
    progress.event({ step: 'compute', done: { items: 1 } }); // within 100 ms: not redrawn
    progress.done();
    expect(text()).toBe(
      [
        '\r\u001b[2K… upload · 0/2 files · 0 B of 2 kB · 0.0 s',
        '\r\u001b[2Kupload: 2 files, 2 kB in 0.5 s (4.1 kB/s)\n',
        '\r\u001b[2K… compute · 0.0 s',
        '\r\u001b[2Kcompute: 1 table in 0.1 s\n',
      ].join(''),
    );
  });

  it('cuts a line to the terminal width by display width', () => {
    const line = `… ingest ${'客户'.repeat(30)}.csv · 1/2 exports`;
    expect(stringWidth(fitToWidth(line, 40))).toBeLessThanOrEqual(40);
    expect(fitToWidth(line, 40).endsWith('…')).toBe(true);
    expect(fitToWidth('short', 40)).toBe('short');
  });
});

describe("run-local's steps in words", () => {
  it('become events per step, counting the bytes of the exports ingested', () => {
    const read = stepReader(
      new Map([
        ['customers/a.csv', 1000],
        ['transactions/b.csv', 5000],
      ]),
    );
    expect(read('uploading exports')).toEqual([
      { step: 'upload', done: {}, total: { items: 2, bytes: 6000 } },
    ]);
    expect(read('ingesting customers/a.csv (1/2)')).toEqual([
      { step: 'upload', done: { items: 2, bytes: 6000 }, finished: true },
      { step: 'ingest', item: 'customers/a.csv', done: { items: 0, bytes: 0 }, total: { items: 2 } },
    ]);
    expect(read('ingesting transactions/b.csv (2/2)')).toEqual([
      { step: 'ingest', item: 'transactions/b.csv', done: { items: 1, bytes: 1000 }, total: { items: 2 } },
    ]);
    expect(read('computing metrics')).toEqual([
      { step: 'ingest', done: { items: 2, bytes: 6000 }, finished: true },
      { step: 'compute', done: {} },
    ]);
    expect(read('writing local outputs').map((e) => e.step)).toEqual(['compute', 'publish']);
  });

  it('are ignored once structured events come', () => {
    const { progress, advance, lines } = setup(false);
    progress.event({ step: 'compute', done: {} });
    progress.step('writing local outputs');
    advance(1000);
    progress.event({ step: 'compute', done: { items: 3 }, finished: true });
    progress.done();
    expect(lines()).toEqual(['compute: 3 tables in 1.0 s']);
  });
});

describe('sizes', () => {
  it('reads as bytes, kB, MB, GB', () => {
    expect([0, 999, 1000, 317_600, 4_000_000, 2_500_000_000].map(bytes)).toEqual([
      '0 B',
      '999 B',
      '1 kB',
      '317.6 kB',
      '4 MB',
      '2.5 GB',
    ]);
  });
});
