// One self-contained HTML file: a CSP that forbids every request (the --watch page may ask its own server),
// the styles, the data as JSON, the samples as base64 gzip and the bundled script, all inline.
import type { BuiltReport } from './build-report.ts';
import { pageAssets } from './page-assets.ts';

/** JSON safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The report page of `report`. */
export function renderHtml(report: BuiltReport): string {
  const { js, css } = pageAssets();
  const connect = report.data.live ? "'self'" : "'none'";
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src ${connect}">`,
    `<title>${escapeHtml(report.data.title)}</title>`,
    `<style>${css}</style>`,
    `</head><body data-version="${report.version}">`,
    `<script type="application/json" id="molrl-data">${scriptJson(report.data)}</script>`,
    `<script type="application/octet-stream" id="molrl-samples">${report.samples}</script>`,
    `<script>${js}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
