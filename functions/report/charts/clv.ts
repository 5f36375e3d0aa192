import type { Formatter } from '../../../core/i18n/index.ts';
import type { ClvBin, ClvDiagnostics, ClvHistogram } from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec, COLORS } from './chart-spec.ts';

function binLabel(bin: ClvBin, f: Formatter): string {
  if (bin.from === null) return `< ${f.compactNumber(bin.to)}`;
  return `${f.compactNumber(bin.from)}–${f.compactNumber(bin.to)}`;
}

/** Customers per CLV range for the formula CLV and the predicted CLV, on shared 1-2-5 bins. */
export function clvHistogramChart(histogram: ClvHistogram | null, { f, m }: ChartContext): ChartSpec | null {
  if (!histogram || histogram.bins.length === 0 || (!histogram.formula && !histogram.predicted)) return null;
  const series = [
    { name: m.report.labels.clvFormula, data: histogram.formula, color: COLORS.formula },
    { name: m.report.labels.clvPredicted, data: histogram.predicted, color: COLORS.predicted },
  ]
    .filter((s) => s.data !== null)
    .map((s) => ({ type: 'bar', name: s.name, data: s.data, itemStyle: { color: s.color }, barGap: '10%' }));
  return {
    id: 'chart-clv',
    height: 360,
    option: baseOption({
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, valueFormatter: '@number' },
      grid: { left: 16, right: 24, top: 48, bottom: 36, containLabel: true },
      xAxis: {
        type: 'category',
        data: histogram.bins.map((b) => binLabel(b, f)),
        name: `${m.report.labels.clvRange} (${f.currency})`,
        nameLocation: 'middle',
        nameGap: 40,
        axisLabel: { interval: 0, rotate: histogram.bins.length > 10 ? 30 : 0 },
      },
      yAxis: { type: 'value', name: m.report.labels.customers, minInterval: 1 },
      series,
    }),
  };
}

/** Predicted purchases next year against the observed yearly rate, per number of orders so far. */
export function clvDiagnosticsChart(diagnostics: ClvDiagnostics, { m }: ChartContext): ChartSpec | null {
  if (diagnostics.buckets.length === 0) return null;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    id: 'chart-clv-diagnostics',
    height: 320,
    option: baseOption({
      legend: { top: 0 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        confine: true,
        valueFormatter: '@decimal2',
      },
      grid: { left: 16, right: 24, top: 48, bottom: 32, containLabel: true },
      xAxis: {
        type: 'category',
        data: diagnostics.buckets.map((b) => b.bucket),
        name: m.report.labels.ordersBucket,
        nameLocation: 'middle',
        nameGap: 28,
      },
      yAxis: { type: 'value' },
      series: [
        {
          type: 'bar',
          name: m.report.labels.predictedOrders,
          data: diagnostics.buckets.map((b) => round(b.predictedOrdersNextYear)),
          itemStyle: { color: COLORS.predicted },
        },
        {
          type: 'bar',
          name: m.report.labels.observedOrders,
          data: diagnostics.buckets.map((b) => round(b.observedOrdersPerYear)),
          itemStyle: { color: COLORS.formula },
        },
      ],
    }),
  };
}
