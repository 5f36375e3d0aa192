import type { Messages } from '../../../core/i18n/index.ts';
import type { TargetsData } from '../data/index.ts';
import { baseOption, type ChartContext, type ChartSpec, COLORS, num } from './chart-spec.ts';

/** Short week label for the axis: FY2026-W07 -> W07. */
function weekLabel(periodId: string): string {
  return /-(W\d+)$/.exec(periodId)?.[1] ?? periodId;
}

/** `team:north` -> "Team north" (团队 north): the scope as a reader would say it. */
export function scopeName(scope: string, level: 'team' | 'rep', m: Messages): string {
  return `${level === 'team' ? m.report.labels.team : m.report.labels.rep} ${scope.slice(scope.indexOf(':') + 1)}`;
}

/** Cumulative company revenue by week: the original plan, the re-planned path and the actuals so far. */
export function burnUpChart(targets: TargetsData | null, { m }: ChartContext): ChartSpec | null {
  if (!targets || targets.burnUp.length === 0) return null;
  const labels = m.report.labels;
  const weeks = targets.burnUp;
  const current = weeks.find((w) => w.startDate <= targets.asOf && targets.asOf <= w.endDate);
  return {
    id: 'chart-burn-up',
    height: 400,
    option: baseOption({
      legend: { top: 0 },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: '@amountFull' },
      grid: { left: 16, right: 32, top: 56, bottom: 16, containLabel: true },
      xAxis: { type: 'category', boundaryGap: false, data: weeks.map((w) => weekLabel(w.periodId)) },
      yAxis: { type: 'value', axisLabel: { formatter: '@amount' } },
      series: [
        {
          type: 'line',
          name: labels.cumulativeOriginalTarget,
          data: weeks.map((w) => num(w.cumulativeOriginalTarget)),
          showSymbol: false,
          lineStyle: { type: 'dashed', width: 2, color: COLORS.original },
          itemStyle: { color: COLORS.original },
        },
        {
          type: 'line',
          name: labels.cumulativeTarget,
          data: weeks.map((w) => num(w.cumulativeTarget)),
          showSymbol: false,
          lineStyle: { width: 2, color: COLORS.target },
          itemStyle: { color: COLORS.target },
          ...(current
            ? {
                markLine: {
                  silent: true,
                  symbol: 'none',
                  lineStyle: { type: 'dotted', color: COLORS.revenue },
                  label: { formatter: labels.today, position: 'end' },
                  data: [{ xAxis: weekLabel(current.periodId) }],
                },
              }
            : {}),
        },
        {
          type: 'line',
          name: labels.cumulativeActual,
          data: weeks.map((w) => num(w.cumulativeActual)),
          showSymbol: false,
          lineStyle: { width: 3, color: COLORS.actual },
          itemStyle: { color: COLORS.actual },
          areaStyle: { color: COLORS.actual, opacity: 0.15 },
        },
      ],
    }),
  };
}

/** Attainment % per team and rep for one week, with 100% marked. */
export function attainmentChart(targets: TargetsData | null, { m }: ChartContext): ChartSpec | null {
  if (!targets || targets.attainment.length === 0) return null;
  const labels = m.report.labels;
  const rows = targets.attainment;
  return {
    id: 'chart-attainment',
    height: Math.min(560, Math.max(220, 80 + rows.length * 30)),
    option: baseOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, valueFormatter: '@pct' },
      grid: { left: 16, right: 48, top: 24, bottom: 16, containLabel: true },
      xAxis: { type: 'value', axisLabel: { formatter: '@pct0' } },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => scopeName(r.scope, r.level, m)) },
      series: [
        {
          type: 'bar',
          name: labels.attainmentPct,
          barMaxWidth: 22,
          data: rows.map((r) => {
            const value = num(r.attainmentPct);
            const color =
              value === null
                ? COLORS.neutral
                : value >= 100
                  ? COLORS.profit
                  : r.level === 'team'
                    ? COLORS.warn
                    : '#f2c27b';
            return { value: value ?? 0, itemStyle: { color } };
          }),
          label: { show: true, position: 'right', formatter: '@pct' },
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed', color: COLORS.revenue },
            label: { show: false },
            data: [{ xAxis: 100 }],
          },
        },
      ],
    }),
  };
}
