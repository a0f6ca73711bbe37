// Baseline page of `npm run bench -- report`: the same chart plan and data as the report, drawn with Chart.js
// (no animation, pre-parsed points, its decimation plugin on) instead of uPlot. Bundled by bench/report.ts.
import { Chart, Decimation, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { planCharts } from '../packages/report/src/chart-plan.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Decimation);
const data = JSON.parse(document.getElementById('molrl-data').textContent);
const keys = new Set();
for (const r of data.runs) for (const k of Object.keys(r.metrics)) keys.add(k);
const grid = document.createElement('div');
grid.style.cssText = 'display:grid;grid-template-columns:repeat(2,1fr);gap:14px;padding:16px';
document.body.append(grid);
window.molrlReport = { charts: [] };
for (const spec of planCharts(keys)) {
  const box = document.createElement('div');
  box.style.cssText = 'height:240px;position:relative';
  const canvas = document.createElement('canvas');
  box.append(canvas);
  grid.append(box);
  const datasets = [];
  let points = 0;
  for (const run of data.runs) {
    for (const key of spec.keys) {
      const col = run.metrics[key];
      if (!col) continue;
      const pts = col.s.map((s, i) => ({ x: s, y: col.v[i] }));
      points += pts.filter((p) => p.y !== null).length;
      datasets.push({ label: key, data: pts, borderWidth: 1.5, pointRadius: pts.length < 80 ? 3 : 0, spanGaps: true });
    }
  }
  new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: { animation: false, parsing: false, normalized: true, responsive: true, maintainAspectRatio: false, scales: { x: { type: 'linear' } }, plugins: { decimation: { enabled: true, algorithm: 'lttb', samples: 1000 } } },
  });
  window.molrlReport.charts.push({ id: spec.id, points });
}
document.body.dataset.ready = 'charts';
performance.mark('molrl:charts-drawn');
