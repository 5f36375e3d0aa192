import { FONT_STACK } from './charts/chart-spec.ts';

/** Screen: a centred column of cards. Print: A4 landscape, one unbroken card per block. */
export const STYLES = `
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --card: #ffffff; --bg: #f3f4f6; --accent: #2f9e6b; }
* { box-sizing: border-box; }
html { font-family: ${FONT_STACK}; color: var(--ink); background: var(--bg); font-size: 15px; line-height: 1.45; }
body { margin: 0; }
header.report-header { background: #111827; color: #f9fafb; padding: 20px 32px; }
header.report-header h1 { margin: 0; font-size: 1.6rem; font-weight: 650; }
header.report-header p { margin: 4px 0 0; color: #d1d5db; }
nav.toc { max-width: 1200px; margin: 12px auto 0; padding: 0 24px; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 0.85rem; }
nav.toc a { color: #374151; text-decoration: none; border-bottom: 1px dotted #9ca3af; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 32px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px 18px; margin: 16px 0; break-inside: avoid; page-break-inside: avoid; }
section.card h2 { margin: 0 0 4px; font-size: 1.15rem; }
section.card h3 { margin: 14px 0 4px; font-size: 0.95rem; color: #374151; }
p.note { margin: 0 0 10px; color: var(--muted); font-size: 0.88rem; }
p.no-data { margin: 8px 0; padding: 14px; color: var(--muted); background: #f9fafb; border: 1px dashed #d1d5db; border-radius: 8px; text-align: center; }
.chart { width: 100%; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin-top: 8px; }
.tile { display: flex; flex-direction: column; justify-content: space-between; gap: 4px; border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 8px; padding: 10px 14px; background: #fcfcfd; }
.tile .label { color: var(--muted); font-size: 0.82rem; }
.tile .value { font-size: 1.25rem; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin-top: 6px; font-variant-numeric: tabular-nums; }
table.data th, table.data td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; }
table.data td.num, table.data th.num { text-align: right; }
table.data th { color: var(--muted); font-weight: 600; }
ul.run-warnings { margin: 0; padding-left: 20px; max-height: 320px; overflow-y: auto; font-size: 0.88rem; }
ul.run-warnings li { margin: 2px 0; overflow-wrap: anywhere; }
footer { max-width: 1200px; margin: 0 auto; padding: 0 24px 24px; color: var(--muted); font-size: 0.8rem; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  html { background: #fff; font-size: 12px; }
  header.report-header { background: none; color: var(--ink); padding: 0 0 6px; border-bottom: 2px solid var(--ink); }
  header.report-header p { color: var(--muted); }
  nav.toc { display: none; }
  main, footer { max-width: none; padding: 0; }
  section.card { border: none; border-radius: 0; padding: 0; margin: 0 0 6mm; }
  section.card.chart-section + section.card.chart-section { break-before: page; page-break-before: always; }
  .tile { background: #fff; }
  ul.run-warnings { max-height: none; overflow: visible; }
  #run-warnings { break-inside: auto; page-break-inside: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
