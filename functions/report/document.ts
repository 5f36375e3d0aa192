import { createHash } from 'node:crypto';
import { fill, type Locale } from '../../core/i18n/index.ts';
import type { ChartContext } from './charts/chart-spec.ts';
import { CLIENT_SCRIPT } from './client-script.ts';
import { escapeHtml, inlineScript, jsonForScript } from './escape.ts';
import type { Section } from './sections.ts';
import { STYLES } from './styles.ts';

export interface DocumentInput {
  locale: Locale;
  currency: string;
  asOf: string | null;
  sections: Section[];
  echarts: string;
}

function sha256(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * The whole page. A Content-Security-Policy allows only the page's own two scripts (by hash) and
 * nothing from anywhere else, so the file works offline and cannot be made to fetch or run anything.
 */
export function renderDocument(input: DocumentInput, { f, m }: ChartContext): string {
  const echarts = inlineScript(input.echarts);
  const client = inlineScript(CLIENT_SCRIPT);
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(echarts)} ${sha256(client)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const charts = input.sections.flatMap((s) => s.charts);
  const payload = { locale: input.locale, currency: input.currency, charts };
  const subtitle = fill(m.report.subtitle, { asOf: input.asOf ? f.date(input.asOf) : '—' });
  const toc = input.sections
    .map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`)
    .join('\n');
  return `<!doctype html>
<html lang="${escapeHtml(input.locale)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${m.report.title} · ${subtitle}`)}</title>
<style>${STYLES}</style>
</head>
<body>
<header class="report-header">
<h1>${escapeHtml(m.report.title)}</h1>
<p>${escapeHtml(subtitle)}</p>
</header>
<nav class="toc" aria-label="${escapeHtml(m.report.contents)}">
${toc}
</nav>
<main>
${input.sections.map((s) => s.html).join('\n')}
</main>
<footer>${escapeHtml(m.report.generatedBy)}</footer>
<script type="application/json" id="report-data">${jsonForScript(payload)}</script>
<script>${echarts}</script>
<script>${client}</script>
</body>
</html>
`;
}
