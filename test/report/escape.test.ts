import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormatter, messagesFor } from '../../core/i18n/index.ts';
import { LakeSql } from '../../functions/local/lake-sql.ts';
import { segmentProductChart } from '../../functions/report/charts/segment-product.ts';
import { binCaseSql, clvBins } from '../../functions/report/data/clv-bins.ts';
import { buildReport, escapeHtml, jsonForScript } from '../../functions/report/index.ts';

const EVIL = `</script><script>alert("x")</script><img src=x onerror='alert(1)'>&amp;\u2028`;

describe('escaping data for the page', () => {
  it('escapes HTML text and attributes', () => {
    expect(escapeHtml(EVIL)).not.toMatch(/[<>"']/);
    expect(escapeHtml('a & b')).toBe('a &amp; b');
    expect(escapeHtml(null)).toBe('');
  });

  it('embeds JSON in a script element without closing it, and round-trips', () => {
    const json = jsonForScript({ name: EVIL, n: 1 });
    expect(json).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(json)).toEqual({ name: EVIL, n: 1 });
  });

  it('chart options carry names as data, never as markup', () => {
    const spec = segmentProductChart(
      [{ segment: EVIL, productCategory: '<b>', revenue: '1.00', profit: '-2.50', customers: 1 }],
      { f: createFormatter('en', 'CNY'), m: messagesFor('en') },
    );
    const embedded = jsonForScript(spec);
    expect(embedded).not.toContain('<');
    expect(JSON.parse(embedded).option.yAxis.data).toEqual([EVIL]);
  });
});

describe('CLV histogram bins', () => {
  it('follow the 1-2-5 ladder, cover the range, and add a bin below zero', () => {
    const bins = clvBins(-50, 300, 362_412);
    expect(bins[0]).toEqual({ from: null, to: 0 });
    expect(bins[1]).toEqual({ from: 0, to: 200 });
    expect(bins.at(-1)).toEqual({ from: 200_000, to: 500_000 });
    for (let i = 2; i < bins.length; i++) expect(bins[i]!.from).toBe(bins[i - 1]!.to);
    expect(binCaseSql('v', bins)).toMatch(/^CASE WHEN v < 0 THEN 0 WHEN v < 200 THEN 1 .* ELSE \d+ END$/);
  });

  it('stay readable over many decades', () => {
    expect(clvBins(0, 0.01, 1e12).length).toBeLessThanOrEqual(16);
  });
});

describe('a report over an empty lake', () => {
  let dir: string;
  let sql: LakeSql;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cval-report-empty-'));
    sql = await LakeSql.open(join(dir, 'lake'));
  });
  afterAll(async () => {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says "no data" in every section and draws no chart', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const html = await buildReport(sql, { locale, currency: 'CNY' });
      const sections = html.match(/<section class="card/g) ?? [];
      const noData = html.match(/<p class="no-data">/g) ?? [];
      expect(sections.length).toBeGreaterThanOrEqual(9);
      expect(noData.length).toBe(sections.length);
      expect(html).toContain(messagesFor(locale).report.noData);
      expect(html).not.toContain('class="chart"');
      expect(html).toContain(`<html lang="${locale}">`);
    }
  });

  it('refuses an as-of date that is not YYYY-MM-DD', async () => {
    await expect(
      buildReport(sql, { asOf: "2026-01-01' OR 1=1 --", locale: 'en', currency: 'CNY' }),
    ).rejects.toThrow(/YYYY-MM-DD/);
  });
});
