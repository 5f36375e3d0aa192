import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeSql } from '../../functions/local/lake-sql.ts';
import { reportKey, writeReport } from '../../functions/report/index.ts';
import { makeLocalTable } from '../support/local-env.ts';
import { clvExports, EARLIER_AS_OF } from './clv-exports.ts';

/**
 * The report of the sample run (with subscriptions, a CLV holdout and a run 90 days earlier, so the
 * CLV model-validation charts draw too), opened in headless Chromium (Debian's `chromium` package): every chart
 * draws, nothing is logged as an error, nothing is fetched, and data strings stay data. Leaves a
 * full-page screenshot in test-artifacts/report.png.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CVAL = join(ROOT, 'bin', 'cval.mjs');
/** Debian's Chromium; CHROMIUM_PATH names another build. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const AS_OF = '2026-11-20';
const EVIL_SEGMENT = `<img src=x onerror="window.__pwned=1">`;
const EVIL_PRODUCT = `</script><script>window.__pwned=2</script>`;

const EXPECTED_CHARTS = [
  'chart-whale',
  'chart-cohort-profit',
  'chart-retention',
  'chart-clv',
  'chart-clv-diagnostics',
  'chart-clv-tracking',
  'chart-clv-p-alive',
  'chart-clv-survival',
  'chart-clv-backtest',
  'chart-segment-product',
  'chart-service-roi',
  'chart-burn-up',
  'chart-attainment',
];

const run = promisify(execFile);

// Code evaluated in the page (as text: the project's TypeScript has no DOM types).
/** Elements drawn by ECharts' SVG renderer, per chart container. */
const DRAWN_ELEMENTS = `Object.fromEntries([...document.querySelectorAll('.chart')].map((el) =>
  [el.id, el.querySelectorAll('svg path, svg rect, svg text').length]))`;
const SEGMENT_TOOLTIPS = `(() => {
  const el = document.getElementById('chart-segment-product');
  const chart = el && echarts.getInstanceByDom(el);
  const out = [];
  if (!chart) return out;
  for (let i = 0; i < 20; i++) {
    chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: i });
    const tip = [...el.querySelectorAll('div')].find((d) => d.style.position === 'absolute' && d.textContent);
    if (tip) out.push(tip.textContent);
  }
  return out;
})()`;

interface ChartSummary {
  id: string;
  seriesCount: number;
  dataPoints: number;
}

interface PageVisit {
  errors: string[];
  requests: string[];
  charts: ChartSummary[];
  drawn: Record<string, number>;
  pwned: unknown;
  text: string;
  /** Tooltip text of every cell of the segment x product heatmap. */
  tooltips: string[];
  injectedImages: number;
}

// No skipping when the browser is missing: a test that passes without running proves nothing, so a
// machine without Chromium fails here with the reason (.ci/run installs it, and stops if it cannot).
describe('the HTML report in headless Chromium', () => {
  let out: string;
  let profile: string;
  let browser: BrowserContext;
  let writtenAt: string;
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
    }
    out = await mkdtemp(join(tmpdir(), 'cval-report-'));
    profile = await mkdtemp(join(tmpdir(), 'cval-chromium-'));
    const cval = (args: string[]) => run(process.execPath, [CVAL, ...args], { maxBuffer: 64 * 1024 * 1024 });
    const { exportsDir, configFile } = await clvExports(out);
    await makeLocalTable(join(out, 'state'));
    for (const asOf of [EARLIER_AS_OF, AS_OF])
      await cval(['run', exportsDir, '--as-of', asOf, '--config', configFile, '--out', out, '--quiet']);
    await cval(['targets', '--week', '2026-W47', '--out', out, '--json']);
    // Both locales write the same key: keep a copy of each.
    writtenAt = await writeReport(out, { locale: 'en', currency: 'CNY' });
    paths.en = join(out, 'report-en.html');
    await copyFile(writtenAt, paths.en);
    paths['zh-CN'] = join(out, 'report-zh-CN.html');
    await copyFile(await writeReport(out, { locale: 'zh-CN', currency: 'CNY', asOf: AS_OF }), paths['zh-CN']);
    // Finance names become chart labels: add a segment x product cell whose names are markup.
    const part = join(
      out,
      'lake',
      'results',
      'segment_product_profit',
      `as_of=${AS_OF}`,
      'part-evil.parquet',
    );
    const sql = await LakeSql.open(join(out, 'lake'));
    await sql.query(
      `COPY (SELECT '${EVIL_SEGMENT}' AS segment, '${EVIL_PRODUCT}' AS product_category,
                    100.00::DECIMAL(18,2) AS revenue, 150.00::DECIMAL(18,2) AS cost,
                    (-50.00)::DECIMAL(18,2) AS profit, 1::BIGINT AS customers)
       TO '${part}' (FORMAT parquet)`,
    );
    sql.close();
    paths.evil = await writeReport(out, { locale: 'en', currency: 'CNY' });
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1366, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await rm(out, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  });

  async function visit(path: string, screenshot?: string): Promise<PageVisit> {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    const url = pathToFileURL(path).href;
    await page.goto(url);
    await page.waitForFunction('window.__reportReady === true', null, { timeout: 15_000 });
    const charts = (await page.evaluate('window.__charts')) as ChartSummary[];
    const drawn = (await page.evaluate(DRAWN_ELEMENTS)) as Record<string, number>;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    // Hover every chart, then show the segment x product tooltips (HTML) for every cell.
    for (const chart of charts) {
      const box = await page.locator(`#${chart.id}`).boundingBox();
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    }
    const tooltips = (await page.evaluate(SEGMENT_TOOLTIPS)) as string[];
    const injectedImages = (await page.evaluate(
      'document.querySelectorAll(\'img[src="x"]\').length',
    )) as number;
    const pwned = await page.evaluate('window.__pwned');
    const text = (await page.evaluate(
      "['header', 'main'].map((tag) => document.querySelector(tag)?.textContent ?? '').join('\\n')",
    )) as string;
    await page.close();
    return {
      errors,
      requests: requests.filter((r) => r !== url),
      charts,
      drawn,
      pwned,
      text,
      tooltips,
      injectedImages,
    };
  }

  it('draws every chart of the English report, offline, without errors, and saves a screenshot', async () => {
    expect(writtenAt).toBe(join(out, reportKey(AS_OF)));
    await mkdir(ARTIFACTS, { recursive: true });
    const page = await visit(paths.en!, join(ARTIFACTS, 'report.png'));
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.charts.map((c) => c.id)).toEqual(EXPECTED_CHARTS);
    for (const chart of page.charts) {
      expect(chart.seriesCount, chart.id).toBeGreaterThan(0);
      expect(chart.dataPoints, chart.id).toBeGreaterThan(0);
      expect(page.drawn[chart.id], chart.id).toBeGreaterThan(5);
    }
    expect(page.text).toContain('Customer value report');
    expect(page.text).toContain('CN¥');
    expect(page.text).not.toContain('No data for this run.');
    expect(existsSync(join(ARTIFACTS, 'report.png'))).toBe(true);
  });

  it('keeps markup in export data as text', async () => {
    const html = await readFile(paths.evil!, 'utf8');
    expect(html).not.toContain(EVIL_SEGMENT);
    expect(html).not.toContain(EVIL_PRODUCT);
    const page = await visit(paths.evil!);
    expect(page.pwned).toBeUndefined();
    expect(page.injectedImages).toBe(0);
    expect(page.tooltips.some((t) => t.includes(EVIL_SEGMENT) && t.includes(EVIL_PRODUCT))).toBe(true);
    expect(page.errors).toEqual([]);
  });

  it('renders the zh-CN report with Chinese labels and the yuan sign', async () => {
    const page = await visit(paths['zh-CN']!);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.charts.map((c) => c.id)).toEqual(EXPECTED_CHARTS);
    expect(page.text).toContain('客户价值报告');
    expect(page.text).toContain('2026年11月20日');
    expect(page.text).toMatch(/¥5,\d{3},\d{3}\.\d{2}/);
  });
});
