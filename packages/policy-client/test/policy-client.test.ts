import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { MolrlError } from '@molrl/common';
import { PolicyClient } from '@molrl/policy-client';
import { fakeServer, freePort, json, samples, type FakeServer } from './fake-server.ts';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<MolrlError> {
  try {
    await promise;
  } catch (error) {
    assert.equal((error as MolrlError).code, code, (error as Error).message);
    return error as MolrlError;
  }
  assert.fail(`expected ${code}, got a result`);
}

describe('PolicyClient', () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('rejects a URL that is not http(s) with POLICY_URL_INVALID', () => {
    for (const url of ['localhost:8100', 'ftp://127.0.0.1', '']) {
      assert.throws(() => new PolicyClient({ url }), (error: MolrlError) => error.code === 'POLICY_URL_INVALID');
    }
  });

  it('returns the validated health answer', async () => {
    server = await fakeServer((_req, res) => json(res, 200, samples.health));
    const client = new PolicyClient({ url: server.url + '/' });
    assert.deepEqual(await client.health(), samples.health);
    assert.equal(server.requests[0]?.url, '/v1/health');
  });

  it('sends the bearer token', async () => {
    server = await fakeServer((_req, res) => json(res, 200, samples.health));
    await new PolicyClient({ url: server.url, token: 's3cret' }).health();
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer s3cret');
  });

  it('sends generate requests with the documented sampling defaults and leaves the caller object alone', async () => {
    server = await fakeServer((_req, res) => json(res, 200, { rolloutId: 'r1', completions: [samples.completion('p', 0)] }));
    const request = { prompts: [{ id: 'p', text: 'hi' }] };
    const out = await new PolicyClient({ url: server.url }).generate(request);
    assert.equal(out.rolloutId, 'r1');
    const sent = JSON.parse(server.requests[0]?.body ?? '{}');
    assert.deepEqual(sent.sampling, { temperature: 1, topP: 1, topK: 0, presencePenalty: 0, maxTokens: 256, stop: [] });
    assert.equal(sent.n, 1);
    assert.deepEqual(request, { prompts: [{ id: 'p', text: 'hi' }] });
  });

  it('rejects an invalid request with POLICY_REQUEST_INVALID before sending it', async () => {
    server = await fakeServer((_req, res) => json(res, 200, samples.trainPolicy));
    const client = new PolicyClient({ url: server.url });
    const error = await rejectsWith(client.trainPolicy({ rolloutId: 'r', advantages: [1], lossType: 'ppo' as 'grpo' }), 'POLICY_REQUEST_INVALID');
    assert.equal(error.path, 'lossType');
    assert.equal(server.requests.length, 0);
  });

  it('accepts null advantages', async () => {
    server = await fakeServer((_req, res) => json(res, 200, samples.trainPolicy));
    const out = await new PolicyClient({ url: server.url }).trainPolicy({ rolloutId: 'r', advantages: [0.5, null, -0.5] });
    assert.equal(out.step, 1);
    assert.deepEqual(JSON.parse(server.requests[0]?.body ?? '{}').advantages, [0.5, null, -0.5]);
  });

  it("maps a coded error answer to POLICY_SERVER_ERROR with the server's code, status and path", async () => {
    server = await fakeServer((_req, res) => json(res, 404, { error: { code: 'ROLLOUT_NOT_FOUND', message: 'rollout r9 was evicted', path: 'rolloutId' } }));
    const error = await rejectsWith(new PolicyClient({ url: server.url }).trainPolicy({ rolloutId: 'r9', advantages: [1] }), 'POLICY_SERVER_ERROR');
    assert.equal(error.details?.serverCode, 'ROLLOUT_NOT_FOUND');
    assert.equal(error.details?.status, 404);
    assert.equal(error.path, 'rolloutId');
  });

  it('maps an answer outside the protocol to code HTTP_<status>', async () => {
    server = await fakeServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<h1>Internal Server Error</h1>');
    });
    const error = await rejectsWith(new PolicyClient({ url: server.url, retries: 0 }).health(), 'POLICY_SERVER_ERROR');
    assert.equal(error.details?.serverCode, 'HTTP_500');
    assert.equal(server.requests.length, 1);
  });

  it('rejects a response that breaks its schema with POLICY_PROTOCOL_INVALID', async () => {
    server = await fakeServer((_req, res) => json(res, 200, { ...samples.trainMol, extra: 1 }));
    const error = await rejectsWith(new PolicyClient({ url: server.url }).trainMol({ examples: [{ segments: [{ text: 'x', loss: 'ce' }] }] }), 'POLICY_PROTOCOL_INVALID');
    assert.match(error.message, /extra/);
  });

  it('rejects a body that is not JSON with POLICY_PROTOCOL_INVALID', async () => {
    server = await fakeServer((_req, res) => {
      res.writeHead(200);
      res.end('not json');
    });
    await rejectsWith(new PolicyClient({ url: server.url }).saveCheckpoint({ path: '/tmp/x' }), 'POLICY_PROTOCOL_INVALID');
  });

  it('gives up on a slow answer with POLICY_SERVER_TIMEOUT', async () => {
    const pending: ServerResponse[] = [];
    server = await fakeServer((_req, res) => void pending.push(res));
    await rejectsWith(new PolicyClient({ url: server.url, timeoutMs: 50 }).health(), 'POLICY_SERVER_TIMEOUT');
    assert.equal(server.requests.length, 1);
  });

  it('rejects with POLICY_REQUEST_ABORTED when the caller aborts', async () => {
    server = await fakeServer(() => {});
    const controller = new AbortController();
    const call = new PolicyClient({ url: server.url }).generate({ prompts: [{ id: 'p', text: 'x' }] }, { signal: controller.signal });
    setImmediate(() => controller.abort(new Error('user stop')));
    await rejectsWith(call, 'POLICY_REQUEST_ABORTED');
  });

  it('reports POLICY_SERVER_UNREACHABLE with the url and attempt count when nothing listens', async () => {
    const port = await freePort();
    const error = await rejectsWith(new PolicyClient({ url: `http://127.0.0.1:${port}`, retries: 2, retryDelayMs: 1 }).health(), 'POLICY_SERVER_UNREACHABLE');
    assert.equal(error.details?.attempts, 3);
    assert.equal(error.details?.url, `http://127.0.0.1:${port}/v1/health`);
  });

  it('reports a port that fetch refuses as POLICY_SERVER_UNREACHABLE with a hint, without retrying', async () => {
    const error = await rejectsWith(new PolicyClient({ url: 'http://127.0.0.1:6000', retries: 3 }).health(), 'POLICY_SERVER_UNREACHABLE');
    assert.equal(error.details?.attempts, 1);
    assert.match(error.message, /another port/);
  });

  it('retries a refused connection, also for train calls, until the server is up', async () => {
    const port = await freePort();
    const client = new PolicyClient({ url: `http://127.0.0.1:${port}`, retries: 8, retryDelayMs: 20 });
    const call = client.trainMol({ examples: [{ segments: [{ text: 'x', loss: 'ce' }] }] });
    server = await fakeServer((_req, res) => json(res, 200, samples.trainMol), port);
    assert.equal((await call).step, 1);
  });

  it('retries an idempotent call whose connection was reset before any answer', async () => {
    server = await fakeServer((_req, res, raw) => {
      if (server && server.requests.length < 3) raw.socket.destroy();
      else json(res, 200, samples.health);
    });
    const out = await new PolicyClient({ url: server.url, retryDelayMs: 1 }).health();
    assert.equal(out.status, 'ok');
    assert.equal(server.requests.length, 3);
  });

  it('never retries a train call once the server received it', async () => {
    server = await fakeServer((_req, _res, raw) => void raw.socket.destroy());
    const client = new PolicyClient({ url: server.url, retries: 5, retryDelayMs: 1 });
    const error = await rejectsWith(client.trainPolicy({ rolloutId: 'r', advantages: [1] }), 'POLICY_SERVER_UNREACHABLE');
    assert.equal(error.details?.sent, true);
    assert.equal(server.requests.length, 1);
  });
});
