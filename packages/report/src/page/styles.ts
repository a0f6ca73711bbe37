// The report page's stylesheet (inlined into the HTML next to uPlot's).

export const styles = `
:root { --bg:#f1f5f9; --card:#fff; --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --accent:#2563eb; --bad:#dc2626; --warn:#d97706; --good:#16a34a; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header.top { position:sticky; top:0; z-index:10; background:#0f172a; color:#e2e8f0; padding:10px 24px; display:flex; gap:20px; align-items:center; flex-wrap:wrap; }
header.top h1 { font-size:16px; margin:0; font-weight:650; color:#fff; }
header.top nav { display:flex; gap:4px; flex-wrap:wrap; }
header.top nav a { color:#cbd5e1; text-decoration:none; padding:3px 9px; border-radius:6px; font-size:13px; }
header.top nav a:hover { background:#1e293b; color:#fff; }
header.top .meta { margin-left:auto; font-size:12px; color:#94a3b8; }
.live-dot { display:inline-block; width:8px; height:8px; border-radius:50%; background:#22c55e; margin-right:6px; box-shadow:0 0 0 3px #22c55e33; }
main { padding:18px 24px 60px; max-width:1680px; margin:0 auto; }
h2.group { font-size:15px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:26px 0 10px; font-weight:650; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; box-shadow:0 1px 2px #0f172a0d; }
.runs { display:grid; grid-template-columns:repeat(auto-fit, minmax(520px, 1fr)); gap:14px; }
.run-summary header { display:flex; align-items:center; gap:10px; }
.run-summary h2 { font-size:17px; margin:0; }
.swatch { width:12px; height:12px; border-radius:3px; }
.badge { font-size:12px; padding:2px 8px; border-radius:999px; font-weight:600; }
.badge.ok { background:#dcfce7; color:#166534; } .badge.warn { background:#fef3c7; color:#92400e; }
.progress { height:6px; background:var(--line); border-radius:3px; margin:10px 0 6px; overflow:hidden; }
.progress-bar { height:100%; background:var(--accent); }
.muted { color:var(--muted); }
.stats { display:flex; flex-wrap:wrap; gap:10px; margin-top:8px; }
.stat { border:1px solid var(--line); border-radius:8px; padding:8px 12px; min-width:130px; }
.stat-value { font-size:20px; font-weight:650; font-variant-numeric:tabular-nums; }
.stat-label { font-size:12px; color:var(--muted); }
.stat.bad { border-color:#fecaca; background:#fef2f2; } .stat.bad .stat-value { color:var(--bad); }
.stat.good .stat-value { color:var(--good); }
.notes { margin:10px 0 0; padding-left:18px; color:var(--warn); font-size:13px; }
.zoom-bar { display:flex; gap:6px; align-items:center; flex-wrap:wrap; margin:16px 0 -8px; font-size:13px; }
.zoom-bar button.active { background:#0f172a; color:#fff; border-color:#0f172a; }
.zoom-bar .hint { margin-left:8px; font-size:12px; }
.charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(520px, 1fr)); gap:14px; }
.chart h3 { font-size:14px; margin:0 0 2px; }
.chart .note { margin:0 0 6px; font-size:12px; color:var(--muted); }
.plot { min-height:260px; }
.uplot { font-family:inherit; }
.uplot .u-legend { font-size:12px; text-align:left; }
.uplot .u-legend .u-marker { border-radius:2px; }
.sample-browser .controls { display:flex; flex-wrap:wrap; gap:10px; align-items:flex-end; margin-bottom:8px; }
.field { display:flex; flex-direction:column; gap:3px; font-size:12px; color:var(--muted); }
.field.grow { flex:1; min-width:220px; }
.field input, .field select { font:inherit; color:var(--ink); padding:5px 8px; border:1px solid #cbd5e1; border-radius:6px; background:#fff; }
.field input[type=number] { width:90px; }
.step-nav { display:flex; gap:4px; }
button { font:inherit; padding:5px 10px; border:1px solid #cbd5e1; border-radius:6px; background:#fff; cursor:pointer; }
button:hover:not([disabled]) { background:#f8fafc; } button[disabled] { opacity:.4; cursor:default; }
.match-summary { color:var(--muted); margin:6px 0 10px; }
.groups { display:flex; flex-direction:column; gap:12px; }
.group header { margin-bottom:6px; }
details.prompt pre, .completion, .feedback pre, pre.error { white-space:pre-wrap; word-break:break-word; margin:4px 0; padding:8px 10px; border-radius:6px; font:12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-height:320px; overflow:auto; }
details.prompt pre { background:#f8fafc; border:1px solid var(--line); }
.completions { display:flex; flex-direction:column; gap:8px; }
.sample { border-left:3px solid var(--line); padding:4px 0 4px 10px; }
.sample.st-infra_error, .sample.st-plugin_error { border-left-color:var(--bad); }
.sample-head { display:flex; flex-wrap:wrap; gap:6px; align-items:center; font-size:12px; }
.completion { background:#0f172a; color:#e2e8f0; }
pre.error { background:#fef2f2; color:#991b1b; border:1px solid #fecaca; }
.feedback summary, details.prompt summary { cursor:pointer; font-size:12px; color:var(--muted); }
.feedback pre { background:#fffbeb; border:1px solid #fde68a; }
.score { font-weight:700; padding:1px 8px; border-radius:6px; font-variant-numeric:tabular-nums; }
.score.full { background:#dcfce7; color:#166534; } .score.part { background:#fef9c3; color:#854d0e; } .score.zero { background:#fee2e2; color:#991b1b; } .score.none { background:#e2e8f0; color:#334155; }
.status { padding:1px 7px; border-radius:6px; background:#f1f5f9; }
.status.st-infra_error, .status.st-plugin_error { background:#dc2626; color:#fff; font-weight:600; }
.chip { padding:1px 7px; border-radius:999px; border:1px solid var(--line); }
.chip.comp.on { background:#eff6ff; border-color:#bfdbfe; color:#1e40af; } .chip.comp.off { color:#94a3b8; }
.chip.plugin { background:#f8fafc; }
.pager { display:flex; gap:10px; align-items:center; justify-content:center; margin-top:14px; }
.empty { color:var(--muted); }
pre.config { font:12px/1.4 ui-monospace, monospace; white-space:pre-wrap; max-height:480px; overflow:auto; background:#f8fafc; padding:10px; border-radius:6px; }
`;
