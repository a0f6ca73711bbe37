import assert from 'node:assert/strict';
import { openapiDocument } from '../../src/index.ts';
import { faultConfig, post, serve } from '../fixtures/test-server.ts';

describe('service routes', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve({ config: faultConfig() });
  });
  after(() => server.close());

  it('GET /healthz reports the backend, the pool and the requests', async () => {
    const r = await fetch(`${server.url}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ok', backend: 'isolated-vm', pool: { size: 1, busy: 0, queue: 0 }, requests: { active: 0, queued: 0 }, problems: [] });
  });

  it('GET /metrics speaks the Prometheus text format with requests, latency, pool, statuses and infra errors', async () => {
    await post(`${server.url}/v1/score`, { samples: [{ id: 1, completion: 'MOLRL_TEST_INFRA' }] });
    const r = await fetch(`${server.url}/metrics`);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
    const text = await r.text();
    for (const name of ['molrl_serve_requests_total', 'molrl_serve_request_duration_seconds_bucket', 'molrl_sandbox_pool_size', 'molrl_sandbox_pool_busy', 'molrl_sandbox_pool_queue', 'molrl_serve_requests_queued', 'process_resident_memory_bytes'])
      assert.match(text, new RegExp(`^${name}`, 'm'));
    assert.match(text, /^molrl_serve_results_total\{route="\/v1\/score",status="infra_error"\} 1$/m);
    assert.match(text, /^molrl_serve_infra_errors_total\{route="\/v1\/score"\} 1$/m);
  });

  it('answers an unknown route 404 with the list of routes', async () => {
    const r = await post(`${server.url}/v1/nope`, {});
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'SERVE_NOT_FOUND');
    assert.ok(r.body.error.details.routes.includes('POST /run_code'));
  });

  it('GET /openapi.json serves the document of every route', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/get_reward', '/healthz', '/metrics', '/openapi.json', '/run_code', '/v1/ping', '/v1/score']);
    assert.deepEqual(doc, await openapiDocument());
  });
});
