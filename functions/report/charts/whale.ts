import type { WhalePoint } from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec, COLORS } from './chart-spec.ts';

export function whaleChart(points: WhalePoint[], { m }: ChartContext): ChartSpec | null {
  if (points.length === 0) return null;
  const data = [[0, 0], ...points.map((p) => [p.rankPct, p.cumulativeProfitPct])];
  return {
    id: 'chart-whale',
    height: 380,
    option: baseOption({
      tooltip: { trigger: 'axis', confine: true, valueFormatter: '@pct' },
      xAxis: {
        type: 'value',
        min: 0,
        max: 100,
        name: m.report.labels.customersPct,
        nameLocation: 'middle',
        nameGap: 28,
        axisLabel: { formatter: '@pct0' },
      },
      yAxis: {
        type: 'value',
        name: m.report.labels.cumulativeProfitPct,
        nameTextStyle: { align: 'left' },
        axisLabel: { formatter: '@pct0' },
      },
      grid: { left: 16, right: 48, top: 48, bottom: 36, containLabel: true },
      series: [
        {
          type: 'line',
          name: m.report.labels.cumulativeProfitPct,
          data,
          showSymbol: false,
          lineStyle: { width: 3, color: COLORS.profit },
          itemStyle: { color: COLORS.profit },
          areaStyle: { color: COLORS.profit, opacity: 0.12 },
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed', color: COLORS.neutral },
            label: { formatter: '@pct0' },
            data: [{ yAxis: 100 }, { xAxis: 20 }],
          },
        },
      ],
    }),
  };
}
