// Test helper: a small node:http server that plays the policy server for fault injection.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake server received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A running fake server. */
export interface FakeServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a fake server on 127.0.0.1 (port 0 = a free one) answering with `handler`. */
export async function fakeServer(
  handler: (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>,
  port = 0,
): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((raw, res) => {
    let body = '';
    raw.setEncoding('utf8');
    raw.on('data', (chunk: string) => (body += chunk));
    raw.on('end', () => {
      const seen = { method: raw.method ?? '', url: raw.url ?? '', headers: raw.headers, body };
      requests.push(seen);
      void Promise.resolve(handler(seen, res, raw)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `data` as a JSON answer. */
export function json(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

/** A free TCP port nobody listens on (right now). */
export async function freePort(): Promise<number> {
  const server = await fakeServer(() => {});
  await server.close();
  return server.port;
}

/** Valid protocol answers, for handlers that need one. */
export const samples = {
  health: { status: 'ok', model: 'tiny', device: 'cpu', step: 0, protocolVersion: '1' },
  completion: (promptId: string, index: number) => ({ promptId, index, text: `c${index}`, tokenCount: 2, finishReason: 'length' }),
  trainPolicy: { step: 1, loss: 0.5, kl: 0, clipFraction: 0, gradNorm: 1.5, entropy: 2, tokens: 10 },
  trainMol: { step: 1, loss: 1, ce: 1, kl: 0, ceTokens: 5, klTokens: 0 },
} as const;
