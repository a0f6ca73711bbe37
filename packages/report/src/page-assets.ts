// The page's script and styles: src/page/main.ts bundled with uPlot by esbuild (minified, one IIFE), and
// uPlot's stylesheet with ours; built once per process.
import { buildSync } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { styles } from './page/styles.ts';

let cached: { js: string; css: string } | null = null;

/** The bundled script and the stylesheet to inline. */
export function pageAssets(): { js: string; css: string } {
  if (cached) return cached;
  // From src/ (tests, molrl-src) the entry is main.ts; from dist/ tsc has turned it into main.js.
  const ts = fileURLToPath(new URL('./page/main.ts', import.meta.url));
  const entry = existsSync(ts) ? ts : fileURLToPath(new URL('./page/main.js', import.meta.url));
  const out = buildSync({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', platform: 'browser', target: ['chrome110', 'firefox110', 'safari16'], write: false, legalComments: 'none', logLevel: 'silent' });
  const js = out.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const uplotCss = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  cached = { js, css: `${uplotCss}\n${styles}` };
  return cached;
}
