// The --watch report: a loopback HTTP server whose page polls /data and redraws whenever the run store changes;
// the HTML file at `out` (when given) is rewritten on each change too.
import { createServer, type Server } from 'node:http';
import { buildReport, runFilesVersion, type BuiltReport, type ReportOptions } from './build-report.ts';
import { errors } from './errors.ts';
import { renderHtml } from './render-html.ts';
import { writeAtomically } from './write-report.ts';

/** Options of watchReport. */
export interface WatchOptions extends ReportOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Also keep this static HTML file up to date. */
  out?: string;
  /** How often the run files are checked for changes. @default 1000 */
  intervalMs?: number;
  /** Called after each rebuild (the first one included) with the new version. */
  onUpdate?(version: string): void;
  /** Called when a rebuild failed (the last good report keeps being served). */
  onError?(error: unknown): void;
}

/** A running live report. */
export interface LiveReport {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** Version of the report served now. */
  readonly version: string;
  close(): Promise<void>;
}

/** Serves a live report of `dirs` on loopback until `close()`. */
export async function watchReport(dirs: readonly string[], options: WatchOptions = {}): Promise<LiveReport> {
  const build = () => buildReport(dirs, { ...options, live: true });
  let current: BuiltReport = build();
  let html = renderHtml(current);
  const writeOut = () => {
    if (options.out) writeAtomically(options.out, renderHtml({ ...current, data: { ...current.data, live: false } }));
  };
  writeOut();
  options.onUpdate?.(current.version);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (url.pathname === '/') return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
    if (url.pathname === '/data') {
      if (url.searchParams.get('since') === current.version) return void res.writeHead(204).end();
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ version: current.version, data: current.data, samples: current.samples }));
    }
    res.writeHead(404).end();
  });
  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(errors.REPORT_WATCH_PORT_IN_USE(port, cause)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const timer = setInterval(() => {
    try {
      if (runFilesVersion(dirs) === current.version) return;
      current = build();
      html = renderHtml(current);
      writeOut();
      options.onUpdate?.(current.version);
    } catch (error) {
      options.onError?.(error);
    }
  }, options.intervalMs ?? 1000);
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}/`,
    get version() {
      return current.version;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
