import { fill } from '../../core/i18n/index.ts';
import { card } from './card.ts';
import type { ChartContext, ChartSpec } from './charts/chart-spec.ts';
import { clvDiagnosticsChart, clvHistogramChart } from './charts/clv.ts';
import { backtestChart, pAliveChart, survivalChart, trackingChart } from './charts/clv-validation.ts';
import { cohortProfitChart } from './charts/cohort-profit.ts';
import { retentionChart } from './charts/retention.ts';
import { segmentProductChart } from './charts/segment-product.ts';
import { serviceRoiChart } from './charts/service-roi.ts';
import { attainmentChart, burnUpChart, scopeName } from './charts/targets.ts';
import { whaleChart } from './charts/whale.ts';
import { clvMessagesFor } from './clv-messages.ts';
import type { ReportData } from './data/index.ts';
import { escapeHtml } from './escape.ts';
import { type RunWarnings, runWarningsSection } from './run-warnings-section.ts';

/** One block of the report: its HTML (every data string escaped) and the charts it draws. */
export interface Section {
  id: string;
  title: string;
  html: string;
  charts: ChartSpec[];
}

function noData(ctx: ChartContext): string {
  return `<p class="no-data">${escapeHtml(ctx.m.report.noData)}</p>`;
}

function chartDiv(spec: ChartSpec, title: string): string {
  return `<div class="chart" id="${escapeHtml(spec.id)}" style="height:${spec.height}px" role="img" aria-label="${escapeHtml(title)}"></div>`;
}

interface Cell {
  text: string;
  numeric?: boolean;
}

function table(headers: Cell[], rows: Cell[][]): string {
  const cell = (tag: 'th' | 'td', c: Cell) =>
    `<${tag}${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.text)}</${tag}>`;
  return `<table class="data"><thead><tr>${headers.map((h) => cell('th', h)).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => cell('td', c)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A section with a note and one chart, or the "no data" note when the chart has nothing to draw. */
function chartSection(
  id: string,
  title: string,
  note: string,
  spec: ChartSpec | null,
  ctx: ChartContext,
  extra = '',
): Section {
  const body = spec
    ? `<p class="note">${escapeHtml(note)}</p>\n${chartDiv(spec, title)}${extra}`
    : `${noData(ctx)}${extra}`;
  return { id, title, html: card(id, title, body), charts: spec ? [spec] : [] };
}

function headlineSection(data: ReportData, ctx: ChartContext): Section {
  const { f, m } = ctx;
  const title = m.report.sections.headline;
  const h = data.headline;
  if (!h) return { id: 'headline', title, html: card('headline', title, noData(ctx), false), charts: [] };
  const tiles: [string, string][] = [
    [m.report.headline.customers, f.number(h.customers)],
    [m.report.headline.revenue, f.amount(h.revenue)],
    [m.report.headline.profit, f.amount(h.profit)],
    [m.report.headline.top20Share, f.percent(h.top20SharePct)],
    [
      fill(m.report.headline.latestRoi, { month: h.latestRoi ? f.month(h.latestRoi.month) : '—' }),
      f.percent(h.latestRoi?.roiPct ?? null),
    ],
  ];
  const html = `<div class="tiles">${tiles
    .map(
      ([label, value]) =>
        `<div class="tile"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div></div>`,
    )
    .join('')}</div>`;
  return { id: 'headline', title, html: card('headline', title, html, false), charts: [] };
}

function clvDiagnosticsSection(data: ReportData, ctx: ChartContext): Section {
  const { f, m } = ctx;
  const labels = m.report.labels;
  const models = data.clvDiagnostics.models;
  const modelTable =
    models.length === 0
      ? ''
      : `<h3>${escapeHtml(labels.model)}</h3>${table(
          [
            { text: labels.model },
            { text: labels.parameters },
            { text: labels.logLikelihood, numeric: true },
            { text: labels.customers, numeric: true },
            { text: labels.converged },
          ],
          models.map((fit) => [
            { text: fit.model },
            {
              text:
                fit.parameters
                  .map((p) => `${p.name} = ${p.value === null ? '—' : p.value.toPrecision(4)}`)
                  .join(', ') || fit.note,
            },
            { text: fit.logLikelihood === null ? '—' : f.number(fit.logLikelihood, 1), numeric: true },
            { text: f.number(fit.customers), numeric: true },
            { text: fit.converged === null ? '—' : fit.converged ? labels.yes : labels.no },
          ]),
        )}`;
  return chartSection(
    'clv-diagnostics',
    m.report.sections.clvDiagnostics,
    m.report.notes.clvDiagnostics,
    clvDiagnosticsChart(data.clvDiagnostics, ctx),
    ctx,
    modelTable,
  );
}

/**
 * The model-validation sections (issue 17, section 5), each only when its table has rows for the run:
 * a run without subscriptions has no survival curves, a first run nothing to backtest.
 */
function clvValidationSections(data: ReportData, ctx: ChartContext): Section[] {
  const { f } = ctx;
  const c = clvMessagesFor(f.locale);
  const sections: Section[] = [];
  const tracking = data.clvTracking;
  const trackingSpec = trackingChart(tracking, ctx);
  if (tracking && trackingSpec) {
    const values = {
      customers: f.number(tracking.customers),
      model: tracking.model,
      start: f.date(tracking.start),
      calibrationEnd: f.date(tracking.calibrationEnd),
    };
    const note = tracking.calibrationEnd < tracking.asOf ? c.notes.tracking : c.notes.trackingNoHoldout;
    sections.push(chartSection('clv-tracking', c.sections.tracking, fill(note, values), trackingSpec, ctx));
  }
  const pAlive = pAliveChart(data.pAlive, ctx);
  if (pAlive) sections.push(chartSection('clv-p-alive', c.sections.pAlive, c.notes.pAlive, pAlive, ctx));
  const survival = survivalChart(data.survival, ctx);
  if (survival)
    sections.push(chartSection('clv-survival', c.sections.survival, c.notes.survival, survival, ctx));
  const backtest = backtestChart(data.backtest, ctx);
  if (backtest) {
    const l = c.labels;
    const totals = data.backtest.filter((r) => r.bucket === 'total');
    const rows = table(
      [
        { text: l.lookback },
        { text: l.predictedAsOf },
        { text: l.customers, numeric: true },
        { text: l.predictedPurchases, numeric: true },
        { text: l.actualPurchases, numeric: true },
        { text: l.purchasesError, numeric: true },
        { text: l.predictedRevenue, numeric: true },
        { text: l.actualRevenue, numeric: true },
        { text: l.revenueError, numeric: true },
      ],
      totals.map((r) => [
        { text: fill(l.days, { days: f.number(r.days) }) },
        { text: f.date(r.predictedAsOf) },
        { text: f.number(r.customers), numeric: true },
        { text: f.number(r.predictedPurchases, 1), numeric: true },
        { text: f.number(r.actualPurchases), numeric: true },
        { text: f.percent(r.purchasesErrorPct), numeric: true },
        { text: f.amount(r.predictedRevenue.toFixed(f.currencyDigits)), numeric: true },
        { text: f.amount(r.actualRevenue.toFixed(f.currencyDigits)), numeric: true },
        { text: f.percent(r.revenueErrorPct), numeric: true },
      ]),
    );
    sections.push(chartSection('clv-backtest', c.sections.backtest, c.notes.backtest, backtest, ctx, rows));
  }
  return sections;
}

function attainmentSection(data: ReportData, ctx: ChartContext): Section {
  const { f, m } = ctx;
  const labels = m.report.labels;
  const t = data.targets;
  const spec = attainmentChart(t, ctx);
  const title = m.report.sections.attainment;
  if (!t || !spec || !t.week) return chartSection('attainment', title, '', null, ctx);
  const note = fill(m.report.notes.attainmentWeek, {
    week: t.week.periodId,
    dates: `${f.date(t.week.startDate)} – ${f.date(t.week.endDate)}`,
  });
  const rows = table(
    [
      { text: labels.scope },
      { text: labels.target, numeric: true },
      { text: labels.actual, numeric: true },
      { text: labels.attainmentPct, numeric: true },
    ],
    t.attainment.map((a) => [
      { text: scopeName(a.scope, a.level, m) },
      { text: f.amount(a.originalTarget), numeric: true },
      { text: f.amount(a.actual), numeric: true },
      { text: f.percent(a.attainmentPct), numeric: true },
    ]),
  );
  return chartSection('attainment', title, note, spec, ctx, rows);
}

/**
 * The report's sections in order. The run's warnings, when known, come right after the headline
 * figures: they say what those figures leave out (money left unallocated, exports left out).
 */
export function reportSections(data: ReportData, ctx: ChartContext, runWarnings?: RunWarnings): Section[] {
  const { f, m } = ctx;
  const s = m.report.sections;
  const n = m.report.notes;
  const targetsNote = data.targets ? fill(n.targetsAsOf, { asOf: f.date(data.targets.asOf) }) : '';
  return [
    headlineSection(data, ctx),
    ...(runWarnings ? [runWarningsSection(runWarnings, ctx)] : []),
    chartSection('whale', s.whale, n.whale, whaleChart(data.whale, ctx), ctx),
    chartSection(
      'cohort-profit',
      s.cohortProfit,
      n.cohortProfit,
      cohortProfitChart(data.cohortProfit, ctx),
      ctx,
    ),
    chartSection('retention', s.retention, n.retention, retentionChart(data.retention, ctx), ctx),
    chartSection('clv', s.clv, n.clv, clvHistogramChart(data.clvHistogram, ctx), ctx),
    clvDiagnosticsSection(data, ctx),
    ...clvValidationSections(data, ctx),
    chartSection(
      'segment-product',
      s.segmentProduct,
      n.segmentProduct,
      segmentProductChart(data.segmentProduct, ctx),
      ctx,
    ),
    chartSection('service-roi', s.serviceRoi, n.serviceRoi, serviceRoiChart(data.serviceRoi, ctx), ctx),
    chartSection('burn-up', s.targets, targetsNote, burnUpChart(data.targets, ctx), ctx),
    attainmentSection(data, ctx),
  ];
}
