import type { SegmentProductCell } from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec, COLORS, label, num } from './chart-spec.ts';

/** Segments down, product categories across, profit as colour (diverging when some cells lose money). */
export function segmentProductChart(cells: SegmentProductCell[], { f, m }: ChartContext): ChartSpec | null {
  if (cells.length === 0) return null;
  const segments = [...new Set(cells.map((c) => c.segment))];
  const products = [...new Set(cells.map((c) => c.productCategory))];
  const values = cells.map((c) => num(c.profit) ?? 0);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const diverging = min < 0;
  const bound = Math.max(Math.abs(min), Math.abs(max), 1);
  return {
    id: 'chart-segment-product',
    height: Math.min(640, Math.max(280, 120 + segments.length * 44)),
    option: baseOption({
      tooltip: { confine: true, formatter: '@cellTipAmount' },
      grid: { left: 16, right: 24, top: 40, bottom: 64, containLabel: true },
      xAxis: {
        type: 'category',
        data: products.map(label),
        name: m.report.labels.productCategory,
        nameLocation: 'middle',
        nameGap: 28,
        splitArea: { show: true },
      },
      yAxis: {
        type: 'category',
        data: segments.map(label),
        inverse: true,
        name: m.report.labels.segment,
        nameLocation: 'start',
        splitArea: { show: true },
      },
      visualMap: {
        type: 'continuous',
        min: diverging ? -bound : 0,
        max: diverging ? bound : Math.max(max, 1),
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 200,
        text: [
          f.compactAmount(diverging ? bound : Math.max(max, 1)),
          f.compactAmount(diverging ? -bound : 0),
        ],
        inRange: {
          color: diverging
            ? [COLORS.loss, '#f7f7f7', COLORS.profit]
            : ['#f0f9f4', '#a8dcc0', COLORS.profit, '#1b6b47'],
        },
      },
      series: [
        {
          type: 'heatmap',
          name: m.report.labels.profit,
          data: cells.map((c, i) => [
            products.indexOf(c.productCategory),
            segments.indexOf(c.segment),
            values[i],
          ]),
          label: { show: segments.length * products.length <= 120, formatter: '@amount' },
          emphasis: { itemStyle: { borderColor: '#111', borderWidth: 1 } },
        },
      ],
    }),
  };
}
