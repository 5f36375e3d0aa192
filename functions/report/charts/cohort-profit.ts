import type { Messages } from '../../../core/i18n/index.ts';
import { COST_PARTS, type CohortProfit, type CostPart } from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec, COLORS, num } from './chart-spec.ts';

function costLabel(part: CostPart, m: Messages): string {
  const labels = m.report.labels;
  const names: Record<CostPart, string> = {
    cogs: labels.cogs,
    returns: labels.returns,
    service_cost: labels.serviceCost,
    acquisition_cost: labels.acquisitionCost,
    retention_cost: labels.retentionCost,
  };
  return names[part];
}

/** Each cohort's revenue as a stack of its costs and the profit left; revenue as a line for reference. */
export function cohortProfitChart(cohorts: CohortProfit[], { f, m }: ChartContext): ChartSpec | null {
  if (cohorts.length === 0) return null;
  const categories = cohorts.map((c) => f.month(c.cohort));
  const stack = (name: string, color: string, values: (number | null)[]) => ({
    type: 'bar',
    name,
    stack: 'revenue',
    barMaxWidth: 36,
    itemStyle: { color },
    emphasis: { focus: 'series' },
    data: values,
  });
  return {
    id: 'chart-cohort-profit',
    height: 420,
    option: baseOption({
      legend: { top: 0, type: 'scroll' },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        confine: true,
        valueFormatter: '@amountFull',
      },
      grid: { left: 16, right: 24, top: 56, bottom: 16, containLabel: true },
      xAxis: { type: 'category', data: categories, axisLabel: { rotate: 45 } },
      yAxis: { type: 'value', axisLabel: { formatter: '@amount' } },
      series: [
        ...COST_PARTS.map((part, i) =>
          stack(
            costLabel(part, m),
            COLORS.costs[i] ?? COLORS.neutral,
            cohorts.map((c) => num(c.costs[part])),
          ),
        ),
        stack(
          m.report.labels.profit,
          COLORS.profit,
          cohorts.map((c) => {
            const value = num(c.profit);
            return value !== null && value < 0 ? { value, itemStyle: { color: COLORS.loss } } : value;
          }) as (number | null)[],
        ),
        {
          type: 'line',
          name: m.report.labels.revenue,
          data: cohorts.map((c) => num(c.revenue)),
          symbol: 'circle',
          symbolSize: 5,
          lineStyle: { width: 0 },
          itemStyle: { color: COLORS.revenue },
          z: 5,
        },
      ],
    }),
  };
}
