import { escapeHtml } from './escape.ts';

/**
 * A block of the report. A chart section starts a new page when printed after another one (see
 * styles.ts); a block of text or tiles does not.
 */
export function card(id: string, title: string, body: string, chartSection = true): string {
  return `<section class="card${chartSection ? ' chart-section' : ''}" id="${escapeHtml(id)}">
<h2>${escapeHtml(title)}</h2>
${body}
</section>`;
}
