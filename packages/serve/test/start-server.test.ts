import assert from 'node:assert/strict';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import Docker from 'dockerode';
import { dockerMissing, skipUnless } from '../../../test/helpers/requirements.ts';
import { rejection } from '../../../test/helpers/assertions.ts';
import { isLoopback, startServer } from '../src/index.ts';
import { codeConfig, faultConfig, metric, post, serve, until } from './fixtures/test-server.ts';

describe('startServer', () => {
  it('refuses a non-loopback host without a token, before starting anything', async () => {
    const e = await rejection(startServer({ config: faultConfig(), host: '0.0.0.0', port: 0 }));
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal((e as { path?: string }).path, '--token');
    assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && !isLoopback('0.0.0.0') && !isLoopback('10.0.0.1'));
  });

  it('rejects invalid limits with their path', async () => {
    const e = await rejection(startServer({ config: faultConfig(), port: 0, concurrency: 0 }));
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal((e as { path?: string }).path, 'serve.concurrency');
  });

  describe('with a token', () => {
    let server: Awaited<ReturnType<typeof serve>>;
    before(async () => {
      server = await serve({ config: faultConfig(), token: 'secret-token-1' });
    });
    after(() => server.close());

    it('answers 401 without the bearer token, and serves with it; /healthz is open', async () => {
      const samples = { samples: [{ id: 1, completion: 'x' }] };
      const none = await post(`${server.url}/v1/score`, samples);
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'SERVE_UNAUTHORIZED');
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await post(`${server.url}/v1/score`, samples, { authorization: 'Bearer wrong-token-1' })).status, 401);
      const ok = await post(`${server.url}/v1/score`, samples, { authorization: 'Bearer secret-token-1' });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.results[0].score, 1);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    });
  });

  describe('limits', () => {
    let server: Awaited<ReturnType<typeof serve>>;
    before(async () => {
      server = await serve({ config: faultConfig(), concurrency: 1, queue: 1, bodyLimitBytes: 4096, requestTimeoutMs: 1500, retryAfterSeconds: 3 });
    });
    after(() => server.close());

    it('answers 413 beyond the body limit and 400 with every problem for an invalid body', async () => {
      const big = await post(`${server.url}/v1/score`, { samples: [{ id: 1, completion: 'x'.repeat(5000) }] });
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'SERVE_BODY_TOO_LARGE');
      const bad = await post(`${server.url}/v1/score`, { samples: [{ id: 1 }, { id: 2, completion: 3 }] });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'SERVE_REQUEST_INVALID');
      assert.equal(bad.body.error.details.problems.length, 2);
      assert.equal((await post(`${server.url}/v1/score`, '{"samples": [')).body.error.code, 'SERVE_REQUEST_INVALID');
    });

    it('queues beyond the concurrency, answers 429 with Retry-After beyond the queue (504 on /run_code), and times out with 504', async () => {
      const slow = { samples: [{ id: 'slow', completion: 'MOLRL_TEST_SLEEP_MS=600000' }] };
      const first = post(`${server.url}/v1/score`, slow);
      await until(async () => (await metric(server.url, 'molrl_serve_requests_active')) === 1, 'the first request to run');
      const second = post(`${server.url}/v1/score`, slow);
      await until(async () => (await metric(server.url, 'molrl_serve_requests_queued')) === 1, 'the second request to queue');
      const third = await post(`${server.url}/v1/score`, slow);
      assert.equal(third.status, 429);
      assert.equal(third.body.error.code, 'SERVE_OVERLOADED');
      assert.equal(third.headers.get('retry-after'), '3');
      const run = await post(`${server.url}/run_code`, { code: 'console.log(1)', language: 'nodejs', run_timeout: 1 });
      assert.equal(run.status, 504);
      assert.equal(run.body.error.code, 'SERVE_OVERLOADED');
      for (const r of await Promise.all([first, second])) {
        assert.equal(r.status, 504);
        assert.equal(r.body.error.code, 'SERVE_REQUEST_TIMEOUT');
      }
      assert.equal(await metric(server.url, 'molrl_serve_rejected_total', { reason: 'overload' }), 2);
      assert.equal(await metric(server.url, 'molrl_serve_rejected_total', { reason: 'timeout' }), 2);
    });
  });

  describe('graceful shutdown (docker)', function () {
    this.timeout(120_000);
    before(async function () {
      skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'molrl serve shutdown on the docker backend');
    });

    it('finishes the request in flight, refuses new ones and removes its containers', async () => {
      const server = await serve({ config: codeConfig(2) });
      const docker = new Docker();
      const ours = async () => (await docker.listContainers({ all: true, filters: { label: [`molrl.pid=${process.pid}`] } })).length;
      assert.equal(await ours(), 2);
      const inFlight = post(`${server.url}/run_code`, { code: 'import time\ntime.sleep(1)\nprint("done")', language: 'python' });
      await until(async () => (await metric(server.url, 'molrl_sandbox_pool_busy')) === 1, 'the run to start');
      const closing = server.close();
      const late = await fetch(`${server.url}/healthz`).then((r) => r.status, () => 'refused');
      assert.ok(late === 503 || late === 'refused', String(late));
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.equal(answer.body.run_result.stdout, 'done\n');
      await closing;
      await assert.rejects(fetch(`${server.url}/healthz`));
      assert.equal(await ours(), 0);
    });
  });
});
