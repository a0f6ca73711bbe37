import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { MolrlError } from '@molrl/common';
import { PolicyClient, type GenerateStreamEvent } from '@molrl/policy-client';
import { fakeServer, samples, type FakeServer } from './fake-server.ts';

const request = { prompts: [{ id: 'p', text: 'hi' }], n: 2 };

function line(res: ServerResponse, data: unknown): void {
  res.write(JSON.stringify(data) + '\n');
}

async function collect(client: PolicyClient): Promise<GenerateStreamEvent[]> {
  const out: GenerateStreamEvent[] = [];
  for await (const event of client.generateStream(request)) out.push(event);
  return out;
}

async function failsWith(promise: Promise<unknown>, code: string): Promise<MolrlError> {
  try {
    await promise;
  } catch (error) {
    assert.equal((error as MolrlError).code, code, (error as Error).message);
    return error as MolrlError;
  }
  assert.fail(`expected ${code}`);
}

describe('readGenerateStream', () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('yields each completion as it arrives, before the stream ends', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    server = await fakeServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      line(res, { type: 'rollout', rolloutId: 'r1' });
      line(res, { type: 'completion', completion: samples.completion('p', 1) });
      await released; // the client must see completion 1 before the server sends anything else
      line(res, { type: 'completion', completion: samples.completion('p', 0) });
      res.end(JSON.stringify({ type: 'done', rolloutId: 'r1', completions: 2 }));
    });
    const seen: string[] = [];
    for await (const event of new PolicyClient({ url: server.url }).generateStream(request)) {
      seen.push(event.type === 'completion' ? `completion ${event.completion.index}` : event.type);
      if (event.type === 'completion' && event.completion.index === 1) release();
    }
    assert.deepEqual(seen, ['rollout', 'completion 1', 'completion 0', 'done']);
    assert.equal(server.requests[0]?.headers.accept, 'application/x-ndjson');
  });

  it("turns an 'error' line into POLICY_SERVER_ERROR with the server's code", async () => {
    server = await fakeServer((_req, res) => {
      line(res, { type: 'rollout', rolloutId: 'r1' });
      res.end(JSON.stringify({ type: 'error', error: { code: 'OUT_OF_MEMORY', message: 'batch too large' } }) + '\n');
    });
    const error = await failsWith(collect(new PolicyClient({ url: server.url })), 'POLICY_SERVER_ERROR');
    assert.equal(error.details?.serverCode, 'OUT_OF_MEMORY');
  });

  it('rejects a line that is not JSON with POLICY_PROTOCOL_INVALID', async () => {
    server = await fakeServer((_req, res) => {
      line(res, { type: 'rollout', rolloutId: 'r1' });
      res.end('{"type":"completion", broken\n');
    });
    const error = await failsWith(collect(new PolicyClient({ url: server.url })), 'POLICY_PROTOCOL_INVALID');
    assert.match(error.message, /line 2/);
  });

  it('rejects a line that breaks the schema', async () => {
    server = await fakeServer((_req, res) => {
      line(res, { type: 'rollout', rolloutId: 'r1' });
      res.end(JSON.stringify({ type: 'completion', completion: { ...samples.completion('p', 0), finishReason: 'tired' } }));
    });
    await failsWith(collect(new PolicyClient({ url: server.url })), 'POLICY_PROTOCOL_INVALID');
  });

  it("rejects a stream that does not start with 'rollout'", async () => {
    server = await fakeServer((_req, res) => void res.end(JSON.stringify({ type: 'completion', completion: samples.completion('p', 0) })));
    await failsWith(collect(new PolicyClient({ url: server.url })), 'POLICY_PROTOCOL_INVALID');
  });

  it("rejects a 'done' line whose count differs from the completions sent", async () => {
    server = await fakeServer((_req, res) => {
      line(res, { type: 'rollout', rolloutId: 'r1' });
      res.end(JSON.stringify({ type: 'done', rolloutId: 'r1', completions: 2 }));
    });
    await failsWith(collect(new PolicyClient({ url: server.url })), 'POLICY_PROTOCOL_INVALID');
  });

  it("rejects a stream that ends without 'done'", async () => {
    server = await fakeServer((_req, res) => {
      line(res, { type: 'rollout', rolloutId: 'r1' });
      res.end();
    });
    const error = await failsWith(collect(new PolicyClient({ url: server.url })), 'POLICY_PROTOCOL_INVALID');
    assert.match(error.message, /without a 'done' line/);
  });

  it('reports a connection cut in the middle of the stream as POLICY_SERVER_UNREACHABLE', async () => {
    server = await fakeServer((_req, res, raw) => {
      line(res, { type: 'rollout', rolloutId: 'r1' });
      setImmediate(() => raw.socket.destroy());
    });
    await failsWith(collect(new PolicyClient({ url: server.url, retries: 0 })), 'POLICY_SERVER_UNREACHABLE');
  });

  it('times out when the server goes silent between lines', async () => {
    server = await fakeServer((_req, res) => line(res, { type: 'rollout', rolloutId: 'r1' }));
    await failsWith(collect(new PolicyClient({ url: server.url, timeoutMs: 50 })), 'POLICY_SERVER_TIMEOUT');
  });

  it('closes the connection when the consumer stops early', async () => {
    let closed: () => void = () => {};
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    server = await fakeServer((_req, res) => {
      res.on('close', closed);
      line(res, { type: 'rollout', rolloutId: 'r1' });
    });
    for await (const event of new PolicyClient({ url: server.url }).generateStream(request)) {
      assert.equal(event.type, 'rollout');
      break;
    }
    await serverSawClose;
  });

  it('maps an error answer before the stream started to POLICY_SERVER_ERROR', async () => {
    server = await fakeServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_REQUEST', message: 'n too large', path: 'n' } }));
    });
    const error = await failsWith(collect(new PolicyClient({ url: server.url })), 'POLICY_SERVER_ERROR');
    assert.equal(error.path, 'n');
  });
});
