import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { fill, messagesFor } from '../../core/i18n/index.ts';
import { publishReport } from '../../functions/compute/publish-report.ts';
import { runItem } from '../../functions/compute/run-registry.ts';
import { LakeSql } from '../../functions/local/lake-sql.ts';
import { buildReport, writeReport } from '../../functions/report/index.ts';

const AS_OF = '2026-11-20';
const UNALLOCATED = 'period_kpis: CN¥1,200.00 of acquisition spend on channel "fairs" left unallocated';
const HOSTILE = `export "</li><script>alert(1)</script>" was left out: <img src=x onerror='alert(2)'>`;

/** The section's list items, in order, as the page shows them (entities decoded). */
function listedWarnings(html: string): string[] {
  const section = /<section[^>]*id="run-warnings"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  return [...section.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) =>
    (m[1] as string)
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

describe("the report's run warnings", () => {
  let dir: string;
  let sql: LakeSql;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cval-report-warnings-'));
    sql = await LakeSql.open(join(dir, 'lake'));
  });
  afterAll(async () => {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every warning of the run, right after the headline figures, as text', async () => {
    const html = await buildReport(sql, {
      asOf: AS_OF,
      locale: 'en',
      currency: 'CNY',
      runWarnings: { listed: [UNALLOCATED, HOSTILE], count: 2 },
    });
    const m = messagesFor('en').report;
    expect(listedWarnings(html)).toEqual([UNALLOCATED, HOSTILE]);
    expect(html).toContain(`<h2>${m.sections.runWarnings}</h2>`);
    expect(html).toContain(fill(m.notes.runWarnings, { count: '2' }));
    expect(html).toContain('href="#run-warnings"');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const order = ['id="headline"', 'id="run-warnings"', 'id="whale"'].map((id) => html.indexOf(id));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('labels the section in Chinese under zh-CN', async () => {
    const html = await buildReport(sql, {
      asOf: AS_OF,
      locale: 'zh-CN',
      currency: 'CNY',
      runWarnings: { listed: [UNALLOCATED], count: 1 },
    });
    expect(html).toContain('<h2>运行提示</h2>');
    expect(listedWarnings(html)).toEqual([UNALLOCATED]);
  });

  it('says so when the run had none, and shows no section when its warnings are not known', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const none = await buildReport(sql, {
        asOf: AS_OF,
        locale,
        currency: 'CNY',
        runWarnings: { listed: [], count: 0 },
      });
      expect(none).toContain('id="run-warnings"');
      expect(none).toContain(messagesFor(locale).report.notes.noRunWarnings);
      expect(listedWarnings(none)).toEqual([]);
    }
    const unknown = await buildReport(sql, { asOf: AS_OF, locale: 'en', currency: 'CNY' });
    expect(unknown).not.toContain('id="run-warnings"');
  });

  it('says how many more the run had than its record kept', async () => {
    const html = await buildReport(sql, {
      asOf: AS_OF,
      locale: 'en',
      currency: 'CNY',
      runWarnings: { listed: [UNALLOCATED], count: 1_201 },
    });
    expect(html).toContain(fill(messagesFor('en').report.notes.moreRunWarnings, { count: '1,200' }));
  });

  it('cval report reads them from the run record of the reported day in dynamodb.jsonl', async () => {
    const out = join(dir, 'out');
    await mkdir(out, { recursive: true });
    const publishedAt = new Date('2026-11-20T18:00:00Z');
    const items = [
      runItem('2026-11-19', 'r0', ['a'], {}, ['a warning of the day before'], publishedAt),
      runItem(AS_OF, 'r1', ['a'], {}, [UNALLOCATED, HOSTILE], publishedAt),
      { ...runItem(AS_OF, 'r1', ['a'], {}, ['LATEST is a copy'], publishedAt), SK: 'LATEST' },
      // A weekly targets run's record has the same sort key.
      { PK: 'TARGET_RUNS', SK: `AS_OF#${AS_OF}`, warnings: ['a targets warning'], warnings_count: 1 },
    ];
    await writeFile(join(out, 'dynamodb.jsonl'), items.map((item) => `${JSON.stringify(item)}\n`).join(''));
    const path = await writeReport(out, { asOf: AS_OF, locale: 'en', currency: 'CNY' });
    expect(listedWarnings(await readFile(path, 'utf8'))).toEqual([UNALLOCATED, HOSTILE]);
    // A day without its record (expired, or a lake copied without its dump) says nothing either way.
    const other = await writeReport(out, { asOf: '2026-11-18', locale: 'en', currency: 'CNY' });
    expect(await readFile(other, 'utf8')).not.toContain('id="run-warnings"');
    const withoutDump = join(dir, 'out-without-dump');
    await mkdir(withoutDump, { recursive: true });
    const bare = await writeReport(withoutDump, { asOf: AS_OF, locale: 'en', currency: 'CNY' });
    expect(await readFile(bare, 'utf8')).not.toContain('id="run-warnings"');
  });

  it('the deployed compute function publishes them with the report', async () => {
    let body = '';
    const lake = {
      put: async (_key: string, content: string | Uint8Array) => {
        body = typeof content === 'string' ? content : new TextDecoder().decode(content);
      },
    };
    await publishReport(lake, sql, AS_OF, parseConfig({}), { listed: [HOSTILE], count: 1 });
    expect(listedWarnings(body)).toEqual([HOSTILE]);
  });
});
