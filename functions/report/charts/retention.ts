import type { RetentionCell } from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec } from './chart-spec.ts';

/** Cohorts down, months since acquisition across, retention % as colour. */
export function retentionChart(cells: RetentionCell[], { f, m }: ChartContext): ChartSpec | null {
  if (cells.length === 0) return null;
  const cohorts = [...new Set(cells.map((c) => c.cohort))].sort();
  const maxPeriod = cells.reduce((max, c) => Math.max(max, c.periodIndex), 0);
  const periods = Array.from({ length: maxPeriod + 1 }, (_, i) => String(i));
  const row = new Map(cohorts.map((c, i) => [c, i]));
  const showLabels = cohorts.length * periods.length <= 240;
  return {
    id: 'chart-retention',
    height: Math.min(760, Math.max(320, 110 + cohorts.length * 16)),
    option: baseOption({
      tooltip: { confine: true, formatter: '@cellTipPct' },
      grid: { left: 16, right: 24, top: 24, bottom: 64, containLabel: true },
      xAxis: {
        type: 'category',
        data: periods,
        name: m.report.labels.periodsSinceAcquisition,
        nameLocation: 'middle',
        nameGap: 24,
        splitArea: { show: true },
      },
      yAxis: {
        type: 'category',
        data: cohorts.map((c) => f.month(c)),
        inverse: true,
        splitArea: { show: true },
        axisLabel: { fontSize: 11 },
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
        inRange: { color: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] },
      },
      series: [
        {
          type: 'heatmap',
          name: m.report.labels.retentionPct,
          data: cells.map((c) => [
            c.periodIndex,
            row.get(c.cohort) ?? 0,
            Math.round(c.retentionPct * 10) / 10,
          ]),
          label: { show: showLabels, formatter: '@pct0', fontSize: 9 },
          emphasis: { itemStyle: { borderColor: '#111', borderWidth: 1 } },
        },
      ],
    }),
  };
}
