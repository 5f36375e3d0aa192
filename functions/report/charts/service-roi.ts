import type { ServiceRoiMonth } from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec, COLORS, num } from './chart-spec.ts';

/** Net benefit and net cost as bars (left axis), ROI % as a line (right axis). */
export function serviceRoiChart(months: ServiceRoiMonth[], { f, m }: ChartContext): ChartSpec | null {
  if (months.length === 0) return null;
  const labels = m.report.labels;
  return {
    id: 'chart-service-roi',
    height: 380,
    option: baseOption({
      legend: { top: 0 },
      tooltip: { trigger: 'axis', confine: true },
      grid: { left: 16, right: 24, top: 56, bottom: 16, containLabel: true },
      xAxis: { type: 'category', data: months.map((r) => f.month(r.month)), axisLabel: { rotate: 45 } },
      yAxis: [
        { type: 'value', axisLabel: { formatter: '@amount' } },
        { type: 'value', name: labels.roiPct, axisLabel: { formatter: '@pct0' }, splitLine: { show: false } },
      ],
      series: [
        {
          type: 'bar',
          name: labels.netBenefit,
          data: months.map((r) => num(r.netBenefit)),
          itemStyle: { color: COLORS.profit },
          tooltip: { valueFormatter: '@amountFull' },
        },
        {
          type: 'bar',
          name: labels.netCost,
          data: months.map((r) => num(r.netCost)),
          itemStyle: { color: COLORS.costs[2] },
          tooltip: { valueFormatter: '@amountFull' },
        },
        {
          type: 'line',
          name: labels.roiPct,
          yAxisIndex: 1,
          data: months.map((r) => num(r.roiPct)),
          symbolSize: 5,
          itemStyle: { color: COLORS.revenue },
          tooltip: { valueFormatter: '@pct' },
        },
      ],
    }),
  };
}
