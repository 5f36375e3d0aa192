import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { curateExport } from '../../functions/ingest/curate-export.ts';
import { readExport } from '../../functions/ingest/export-registry.ts';
import { ingest } from '../../functions/ingest/handler.ts';
import {
  handleObjectEvent,
  INGEST_TIME_MARGIN_MS,
  type IngestPorts,
  timeMargin,
} from '../../functions/ingest/ingest-export.ts';
import { fromS3Records } from '../../functions/shared/object-events.ts';
import { type LocalEnv, startLocalEnv } from '../support/local-env.ts';

/**
 * "Never a silent timeout": the ingest function watches the time its invocation has left and,
 * when reading the export would run into the limit, stops, clears what it staged and rejects the
 * export with a reason saying how far it got. Here a real export goes through the deployed
 * handler's path (ingest with a Lambda context) whose clock runs fast: every look at the remaining
 * time costs 20 s (or more) of the invocation.
 */
let env: LocalEnv;
beforeAll(async () => {
  env = await startLocalEnv();
});
afterAll(async () => {
  await env?.close();
});

/** About 3 MB of transactions, every tenth row a duplicate (so quarantine has started too). */
const orders = (prefix: string) =>
  [
    'order_id,customer_id,order_date,revenue,product_id',
    ...Array.from({ length: 60_000 }, (_, i) => {
      const order = i % 10 === 9 ? i - 1 : i;
      return `${prefix}${order},C${i % 97},2025-01-${String(1 + (i % 28)).padStart(2, '0')},${(i % 1000) + 0.25},P-${order % 3}-with-a-longer-id`;
    }),
  ].join('\n');

function fastClock(minutes = 15, msPerLook = 20_000) {
  let left = minutes * 60_000;
  const looks: number[] = [];
  return {
    looks,
    context: {
      getRemainingTimeInMillis: () => {
        looks.push(left);
        const now = left;
        left -= msPerLook;
        return now;
      },
    },
  };
}

const STOPPED =
  /^stopped after (\d+\.\d) MB of (\d+\.\d) MB, ([\d,]+) rows: ingest could not finish within the function's time limit \((\d+\.\d) minutes left when it started reading\); split the export into smaller files of the same kind$/;

async function lakeKeysOf(exportId: string): Promise<string[]> {
  const lake = env.ports().lake;
  const keys = [
    ...(await lake.list('curated/')),
    ...(await lake.list('staging/')),
    ...(await lake.list('quarantine/')),
  ];
  return keys.filter((key) => key.includes(exportId));
}

describe('ingest stops before its time runs out (never a silent timeout)', () => {
  it('rejects an export it cannot read in time, saying how far it got, with nothing published', async () => {
    const body = orders('SLOW');
    const event = await env.upload('transactions/slow.csv', body);
    // 5 minutes, 20 s a look: it stops about a dozen chunks in (S3 hands the body over in ~30).
    const clock = fastClock(5);
    const result = await ingest(event as never, clock.context);
    const outcome = result.outcomes[0];
    if (outcome?.action !== 'ingested') throw new Error(`expected an ingest, got ${outcome?.action}`);
    expect(outcome.status).toBe('rejected');
    const reason = outcome.report.status_reason;
    const [, read, size, rows, minutes] = reason.match(STOPPED) ?? [];
    expect(reason).toMatch(STOPPED);
    // Stopped partway, with the object's full size named, and in time: once less than the margin was left.
    expect(Number(size)).toBeCloseTo(Buffer.byteLength(body) / 1e6, 1);
    expect(Number(read)).toBeGreaterThan(0);
    expect(Number(read)).toBeLessThan(Number(size));
    expect(Number(rows?.replaceAll(',', ''))).toBeGreaterThan(0);
    expect(Number(rows?.replaceAll(',', ''))).toBeLessThan(60_000);
    expect(Number(minutes)).toBeGreaterThan(4);
    expect(Math.min(...clock.looks)).toBeGreaterThan(INGEST_TIME_MARGIN_MS - 20_000 * 2);

    // Nothing half-published: no curated part, nothing left in staging, no quarantine file.
    expect(await lakeKeysOf(outcome.exportId)).toEqual([]);
    expect(await readExport(env.ports().items, outcome.exportId)).toMatchObject({
      status: 'rejected',
      status_reason: reason,
    });
    const report = JSON.parse(
      (await env.ports().lake.getText(`reports/ingest/${outcome.exportId}.json`)) ?? '{}',
    );
    expect(report).toMatchObject({ status: 'rejected', status_reason: reason, curated_keys: [] });

    // Rejected is final for this upload: a redelivery does not read it again for another 15 minutes.
    const again = await ingest(event as never, fastClock().context);
    expect(again.outcomes[0]).toMatchObject({ action: 'duplicate', status: 'rejected' });
  });

  it('names the gzip and the text read from it', async () => {
    const event = await env.upload('transactions/slow.csv.gz', gzipSync(orders('GZ')));
    // A gzip this small is read in a few chunks: the clock runs faster still.
    const result = await ingest(event as never, fastClock(15, 200_000).context);
    expect(result.outcomes[0]).toMatchObject({
      action: 'ingested',
      status: 'rejected',
      report: {
        status_reason: expect.stringMatching(
          /^stopped after \d+\.\d MB of \d+\.\d MB of the gzip \(\d+\.\d MB of text\), [\d,]+ rows: ingest could not finish/,
        ),
      },
    });
  });

  it('loads the same export when the time suffices, and without a limit (local mode)', async () => {
    const timed = await ingest((await env.upload('transactions/in-time.csv', orders('OK'))) as never, {
      getRemainingTimeInMillis: () => 15 * 60_000,
    });
    expect(timed.outcomes[0]).toMatchObject({
      action: 'ingested',
      status: 'loaded',
      report: { control_totals: { rows_in: 60_000, rows_curated: 54_000, rows_quarantined: 6_000 } },
    });
    const local = await ingest((await env.upload('transactions/local.csv', orders('LOCAL'))) as never);
    expect(local.outcomes[0]).toMatchObject({ action: 'ingested', status: 'loaded' });
  });

  it('keeps a minute, or a quarter of a shorter invocation', () => {
    expect(timeMargin(15 * 60_000)).toBe(60_000);
    expect(timeMargin(2 * 60_000)).toBe(30_000);
  });
});

/**
 * A source of `bytes` in 16 KB chunks, made as they are read (as a socket delivers them), that
 * records whether it was destroyed and whether the code making its chunks was closed.
 */
function observedSource(bytes: Uint8Array) {
  const seen = { chunks: 0, closed: false };
  async function* chunks() {
    try {
      for (let at = 0; at < bytes.length; at += 16_384) {
        seen.chunks += 1;
        yield bytes.subarray(at, at + 16_384);
      }
    } finally {
      seen.closed = true;
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), seen };
}

/** Every call of the clock costs 20 s of a 5-minute invocation: the reading stops a dozen looks in. */
function fastDeadline() {
  let left = 5 * 60_000;
  return {
    remainingMs: () => {
      const now = left;
      left -= 20_000;
      return now;
    },
    marginMs: INGEST_TIME_MARGIN_MS,
  };
}

describe('a reading that ends early closes the export stream it was reading', () => {
  const text = Buffer.from(orders('EARLY'));
  // A second gzip member with no deflate data: gunzip fails 2 MB of text in, past the sniffed bytes.
  const damaged = Buffer.concat([
    gzipSync(text.subarray(0, 2_000_000)),
    gzipSync(Buffer.alloc(0)).subarray(0, 10),
    Buffer.alloc(400_000, 0xff),
  ]);
  const cases: [string, Uint8Array, Parameters<typeof parseConfig>[0], boolean, RegExp][] = [
    ['stopped at the deadline', text, {}, true, /^stopped after /],
    ['stopped at the deadline, a gzip', gzipSync(text), {}, true, /^stopped after .* of the gzip /],
    ['past max_export_bytes', text, { max_export_bytes: 100_000 }, false, /100(\.0)? KB|too large|limit/],
    [
      'no required header',
      Buffer.concat([Buffer.from('a,b,c\n'), text]),
      {},
      false,
      /order_id|header|column/,
    ],
    ['not text', Buffer.concat([Buffer.alloc(70_000, 0), text]), {}, false, /not text/],
    ['damaged gzip', damaged, {}, false, /^the gzip data is damaged/],
  ];

  it.each(cases)(
    '%s: the source is destroyed and what fed it is closed',
    async (_name, bytes, settings, timed, reason) => {
      const { stream, seen } = observedSource(bytes);
      const result = await curateExport(stream, 'transactions', parseConfig(settings), async () => {}, {
        sizeHint: bytes.length,
        ...(timed ? { deadline: fastDeadline() } : {}),
      });
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toMatch(reason);
      // It stopped partway: most of the source was never asked for.
      expect(seen.chunks).toBeLessThan(bytes.length / 16_384);
      expect(stream.destroyed).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen.closed).toBe(true);
    },
  );

  it('ingest stopped at its deadline destroys the S3 response body, and with it the connection', async () => {
    const upload = (await env.upload('transactions/early-stop.csv', orders('BODY'))) as {
      Records: Parameters<typeof fromS3Records>[0];
    };
    const [event] = fromS3Records(upload.Records);
    const ports = env.ports();
    const bodies: IncomingMessage[] = [];
    const exports: IngestPorts['exports'] = Object.assign(Object.create(ports.exports), {
      openStream: async (key: string, versionId?: string) => {
        const opened = await ports.exports.openStream(key, versionId);
        bodies.push(opened.body as IncomingMessage);
        return opened;
      },
    });
    const clock = fastDeadline();
    const outcome = await handleObjectEvent(
      { ...ports, exports, remainingMs: clock.remainingMs },
      event as never,
    );
    expect(outcome).toMatchObject({
      action: 'ingested',
      status: 'rejected',
      report: { status_reason: expect.stringMatching(STOPPED) },
    });
    expect(bodies).toHaveLength(1);
    const [body] = bodies as [IncomingMessage];
    expect(body.readableEnded).toBe(false);
    expect(body.destroyed).toBe(true);
    expect(body.socket?.destroyed ?? true).toBe(true);
  });
});
