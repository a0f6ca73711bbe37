// A fault-injecting HTTP proxy in front of a real policy server (fault injection only): it forwards every
// request to the current upstream, and a hook can answer a request itself (e.g. an HTTP 500), or run code
// before forwarding it or when its answer starts (e.g. SIGKILL or SIGSTOP the server).
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the hook decides for one request. */
export type ProxyAction =
  | { kind: 'forward' }
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'forward-then'; run(): void; when: 'sent' | 'first-byte' };

/** A running proxy. */
export interface FaultProxy {
  url: string;
  /** Where requests go from now on. */
  setUpstream(url: string): void;
  /** Decides each request (method, path, parsed body); default: forward. */
  setHook(hook: (method: string, path: string) => ProxyAction): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (free port) forwarding to `upstream`. */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  let target = new URL(upstream);
  let hook: (method: string, path: string) => ProxyAction = () => ({ kind: 'forward' });
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const action = hook(req.method ?? 'GET', req.url ?? '/');
      if (action.kind === 'answer') {
        res.writeHead(action.status, { 'content-type': 'application/json' }).end(JSON.stringify(action.body));
        return;
      }
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          let first = true;
          up.on('data', (c: Buffer) => {
            if (first && action.kind === 'forward-then' && action.when === 'first-byte') action.run();
            first = false;
            res.write(c);
          });
          up.on('end', () => res.end());
          up.on('error', () => res.destroy());
          up.on('aborted', () => res.destroy());
        },
      );
      out.on('error', () => res.destroy()); // the server died: the client sees the connection break
      out.end(Buffer.concat(chunks));
      if (action.kind === 'forward-then' && action.when === 'sent') action.run();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstream(url) {
      target = new URL(url);
    },
    setHook(h) {
      hook = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
