import type { Formatter, Messages } from '../../../core/i18n/index.ts';

/**
 * An ECharts option as plain JSON (it is embedded in the page), plus the container it draws into.
 * Functions cannot travel in JSON, so formatters are named by markers the page script turns into
 * locale formatters (see client-script.ts):
 * - '@amount': compact amount (axis labels), '@amountFull': exact-looking amount with the currency
 * - '@pct': percent with one decimal, '@pct0': whole percent, '@number': grouped number, '@decimal2'
 * - '@cellTipAmount', '@cellTipPct': heatmap tooltips naming the row and column, escaped
 */
export interface ChartSpec {
  id: string;
  /** Height on screen in CSS pixels (print uses a fixed A4-landscape box). */
  height: number;
  /** Height when printed (A4 landscape, 1000px wide); default min(height, 520). */
  printHeight?: number;
  option: Record<string, unknown>;
}

export interface ChartContext {
  f: Formatter;
  m: Messages;
}

/** Fonts the machine already has: no web fonts, so no request; CJK fallbacks for Chinese labels. */
export const FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';

export const COLORS = {
  profit: '#2f9e6b',
  loss: '#d1495b',
  revenue: '#1f2937',
  costs: ['#4e79a7', '#a0cbe8', '#f28e2b', '#ffbe7d', '#b07aa1'],
  formula: '#4e79a7',
  predicted: '#f28e2b',
  target: '#4e79a7',
  original: '#9ca3af',
  actual: '#2f9e6b',
  neutral: '#9ca3af',
  warn: '#e8a33d',
};

/** Options every chart shares: no animation (print and screenshots see the final drawing). */
export function baseOption(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    animation: false,
    textStyle: { fontFamily: FONT_STACK },
    grid: { left: 16, right: 24, top: 48, bottom: 16, containLabel: true },
    tooltip: { confine: true },
    ...extra,
  };
}

/** Category labels never come back empty (a blank segment would leave an unlabelled row). */
export function label(text: string): string {
  return text.trim() === '' ? '—' : text;
}

export function num(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
