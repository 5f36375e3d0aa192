import { fill } from '../../core/i18n/index.ts';
import { card } from './card.ts';
import type { ChartContext } from './charts/chart-spec.ts';
import { escapeHtml } from './escape.ts';
import type { Section } from './sections.ts';

/**
 * The warnings of the reported run, as its run record keeps them: the first ones (the record is
 * bounded, see functions/compute/run-registry.ts) and how many the run had in all.
 */
export interface RunWarnings {
  listed: readonly string[];
  count: number;
}

/**
 * Every warning of the run, in the run's words. A run without any says so in one line rather than
 * leaving the section out: a finance user cannot tell a missing section from one that was never
 * checked, and "no warnings" is worth knowing before trusting the figures.
 */
export function runWarningsSection(warnings: RunWarnings, { f, m }: ChartContext): Section {
  const id = 'run-warnings';
  const title = m.report.sections.runWarnings;
  const notes = m.report.notes;
  const unlisted = warnings.count - warnings.listed.length;
  const body =
    warnings.count === 0
      ? `<p class="note">${escapeHtml(notes.noRunWarnings)}</p>`
      : [
          `<p class="note">${escapeHtml(fill(notes.runWarnings, { count: f.number(warnings.count) }))}</p>`,
          `<ul class="run-warnings">${warnings.listed.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`,
          unlisted > 0
            ? `<p class="note">${escapeHtml(fill(notes.moreRunWarnings, { count: f.number(unlisted) }))}</p>`
            : '',
        ].join('\n');
  return { id, title, html: card(id, title, body, false), charts: [] };
}
