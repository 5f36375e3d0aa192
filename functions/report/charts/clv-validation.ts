import { fill } from '../../../core/i18n/index.ts';
import { clvMessagesFor } from '../clv-messages.ts';
import {
  type BacktestRow,
  type ClvTracking,
  FREQUENCY_CAP,
  type PAliveCell,
  RECENCY_BUCKETS,
  type SurvivalCurve,
} from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec, COLORS, label } from './chart-spec.ts';

const round2 = (n: number) => Math.round(n * 100) / 100;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Cumulative repeat purchases by week, actual vs model, the calibration end marked. */
export function trackingChart(tracking: ClvTracking | null, { f }: ChartContext): ChartSpec | null {
  if (!tracking || tracking.weeks.length === 0) return null;
  const c = clvMessagesFor(f.locale).labels;
  const weeks = tracking.weeks.map((w) => w.end);
  // The last week that ends on or before the calibration end: the line between the two periods.
  let split = -1;
  for (let i = 0; i < weeks.length; i++) if (weeks[i]! <= tracking.calibrationEnd) split = i;
  const holdout = tracking.calibrationEnd < tracking.asOf && split < weeks.length - 1;
  return {
    id: 'chart-clv-tracking',
    height: 360,
    option: baseOption({
      legend: { top: 0 },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: '@number' },
      grid: { left: 16, right: 32, top: 48, bottom: 36, containLabel: true },
      xAxis: {
        type: 'category',
        data: weeks.map((w) => f.date(w)),
        name: c.week,
        nameLocation: 'middle',
        nameGap: 28,
        boundaryGap: false,
      },
      yAxis: { type: 'value', name: c.cumulativeRepeatPurchases },
      series: [
        {
          type: 'line',
          name: c.actual,
          data: tracking.weeks.map((w) => w.actual),
          showSymbol: false,
          itemStyle: { color: COLORS.actual },
          lineStyle: { width: 2 },
          ...(holdout
            ? {
                markLine: {
                  symbol: 'none',
                  silent: true,
                  lineStyle: { color: COLORS.neutral, type: 'dashed' },
                  label: { formatter: `${c.calibration} | ${c.holdout}`, position: 'insideEndTop' },
                  data: [{ xAxis: Math.max(split, 0) }],
                },
              }
            : {}),
        },
        {
          type: 'line',
          name: `${c.model} (${tracking.model})`,
          data: tracking.weeks.map((w) => round2(w.model)),
          showSymbol: false,
          itemStyle: { color: COLORS.predicted },
          lineStyle: { width: 2, type: 'dashed' },
        },
      ],
    }),
  };
}

/** Repeat orders down, days since the last order across, mean P(alive) as colour. */
export function pAliveChart(cells: PAliveCell[], { f }: ChartContext): ChartSpec | null {
  if (cells.length === 0) return null;
  const c = clvMessagesFor(f.locale).labels;
  const columns = RECENCY_BUCKETS.map((upper, i) =>
    upper === null
      ? fill(c.over, { days: f.number(RECENCY_BUCKETS[i - 1] ?? 0) })
      : fill(c.upTo, { days: f.number(upper) }),
  );
  const maxFrequency = cells.reduce((max, cell) => Math.max(max, cell.frequency), 0);
  const rows = Array.from({ length: maxFrequency + 1 }, (_, x) => (x >= FREQUENCY_CAP ? `${x}+` : String(x)));
  return {
    id: 'chart-clv-p-alive',
    height: Math.max(320, 120 + rows.length * 26),
    option: baseOption({
      tooltip: { confine: true, formatter: '@cellTipPct' },
      grid: { left: 16, right: 24, top: 24, bottom: 72, containLabel: true },
      xAxis: {
        type: 'category',
        data: columns,
        name: c.daysSinceLastOrder,
        nameLocation: 'middle',
        nameGap: 24,
        splitArea: { show: true },
      },
      yAxis: {
        type: 'category',
        data: rows,
        name: c.repeatOrders,
        splitArea: { show: true },
      },
      visualMap: {
        type: 'continuous',
        min: 0,
        max: 100,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 200,
        text: ['100%', '0%'],
        inRange: { color: ['#fde0dd', '#fa9fb5', '#c51b8a', '#7a0177'] },
      },
      series: [
        {
          type: 'heatmap',
          name: c.pAlivePct,
          data: cells.map((cell) => [cell.recencyBucket, cell.frequency, round1(cell.pAlivePct)]),
          label: { show: true, formatter: '@pct0', fontSize: 10 },
          emphasis: { itemStyle: { borderColor: '#111', borderWidth: 1 } },
        },
      ],
    }),
  };
}

/** At most this many scopes get curves (all first); the table lists every fit. */
export const MAX_SURVIVAL_SCOPES = 8;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

/** Per scope: observed survival as points, sBG's fitted survival as a line (dashed where projected). */
export function survivalChart(curves: SurvivalCurve[], { f }: ChartContext): ChartSpec | null {
  const shown = curves.filter((curve) => curve.points.length > 0).slice(0, MAX_SURVIVAL_SCOPES);
  if (shown.length === 0) return null;
  const c = clvMessagesFor(f.locale).labels;
  const periods = shown.reduce((max, curve) => Math.max(max, ...curve.points.map((p) => p.periodIndex)), 0);
  const billingPeriods = new Set(shown.map((curve) => curve.billingPeriod));
  const name = (curve: SurvivalCurve) =>
    label(billingPeriods.size > 1 ? `${curve.scope} (${curve.billingPeriod})` : curve.scope);
  const pct = (v: number | null) => (v === null ? null : round1(100 * v));
  const series = shown.flatMap((curve, i) => {
    const color = PALETTE[i % PALETTE.length];
    const fitted = new Array<number | null>(periods + 1).fill(null);
    const projected = new Array<number | null>(periods + 1).fill(null);
    const observed = new Array<number | null>(periods + 1).fill(null);
    // The projection continues the fitted line from the last observed period.
    const lastObserved = curve.points.reduce(
      (max, p) => (p.projected ? max : Math.max(max, p.periodIndex)),
      0,
    );
    for (const p of curve.points) {
      observed[p.periodIndex] = pct(p.observed);
      if (p.periodIndex <= lastObserved) fitted[p.periodIndex] = pct(p.fitted);
      if (p.periodIndex >= lastObserved && curve.points.some((q) => q.projected))
        projected[p.periodIndex] = pct(p.fitted);
    }
    return [
      {
        type: 'line',
        name: `${name(curve)} · ${c.fitted}`,
        data: fitted,
        showSymbol: false,
        itemStyle: { color },
        lineStyle: { width: 2 },
      },
      {
        type: 'line',
        name: `${name(curve)} · ${c.fitted}`,
        data: projected,
        showSymbol: false,
        itemStyle: { color },
        lineStyle: { width: 2, type: 'dashed' },
      },
      {
        type: 'scatter',
        name: `${name(curve)} · ${c.observed}`,
        data: observed,
        symbolSize: 7,
        itemStyle: { color },
      },
    ];
  });
  return {
    id: 'chart-clv-survival',
    height: 380,
    option: baseOption({
      legend: { top: 0, type: 'scroll' },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: '@pct' },
      grid: { left: 16, right: 24, top: 56, bottom: 36, containLabel: true },
      xAxis: {
        type: 'category',
        data: Array.from({ length: periods + 1 }, (_, i) => String(i)),
        name: c.periodsSinceStart,
        nameLocation: 'middle',
        nameGap: 28,
        boundaryGap: false,
      },
      yAxis: { type: 'value', name: c.survivalPct, min: 0, max: 100 },
      series,
    }),
  };
}

/** Per lookback: predicted against actual purchases by predicted-CLV decile. */
export function backtestChart(rows: BacktestRow[], { f }: ChartContext): ChartSpec | null {
  const deciles = rows.filter((r) => r.bucket === 'decile' && r.decile !== null);
  if (deciles.length === 0) return null;
  const c = clvMessagesFor(f.locale).labels;
  const lookbacks = [...new Set(deciles.map((r) => r.lookbackDays))].sort((x, y) => x - y);
  const categories = Array.from({ length: 10 }, (_, i) => String(i + 1));
  const series = lookbacks.flatMap((lookback, i) => {
    const of = deciles.filter((r) => r.lookbackDays === lookback);
    const at = (decile: number) => of.find((r) => r.decile === decile);
    const window = fill(c.days, { days: f.number(of[0]!.days) });
    const opacity = 1 - (0.5 * i) / Math.max(lookbacks.length, 1);
    return [
      {
        type: 'bar',
        name: `${c.predicted} · ${window}`,
        data: categories.map((_, d) => {
          const row = at(d + 1);
          return row ? round2(row.predictedPurchases) : null;
        }),
        itemStyle: { color: COLORS.predicted, opacity },
      },
      {
        type: 'bar',
        name: `${c.actual} · ${window}`,
        data: categories.map((_, d) => at(d + 1)?.actualPurchases ?? null),
        itemStyle: { color: COLORS.actual, opacity },
      },
    ];
  });
  return {
    id: 'chart-clv-backtest',
    height: 360,
    option: baseOption({
      legend: { top: 0, type: 'scroll' },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        confine: true,
        valueFormatter: '@decimal2',
      },
      grid: { left: 16, right: 24, top: 48, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: categories, name: c.decile, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: c.purchases },
      series,
    }),
  };
}
