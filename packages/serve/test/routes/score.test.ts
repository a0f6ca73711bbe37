import assert from 'node:assert/strict';
import { request } from 'node:http';
import { faultConfig, metric, post, serve, until } from '../fixtures/test-server.ts';

describe('POST /v1/score', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve({ config: faultConfig() });
  });
  after(() => server.close());

  it('answers the result objects of molrl score --json in input order', async () => {
    const r = await post(`${server.url}/v1/score`, { samples: [{ id: 7, completion: 'a' }, { id: 'b', completion: 'MOLRL_TEST_INFRA', groundTruth: 1, metadata: { k: 1 } }] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((x: { id: string; score: number | null; status: string }) => [x.id, x.score, x.status]), [['7', 1, 'ok'], ['b', null, 'infra_error']]);
    assert.deepEqual(Object.keys(r.body.results[0]).sort(), ['durationMs', 'feedback', 'id', 'rewards', 'score', 'status']);
    assert.equal(r.body.results[1].rewards['test:fault'].error.code, 'REWARD_INFRA_ERROR');
  });

  it('streams NDJSON results as they finish, and stops the rest when the client goes away', async () => {
    const body = JSON.stringify({ samples: [{ id: 'slow', completion: 'MOLRL_TEST_SLEEP_MS=600000' }, { id: 'fast', completion: 'x' }] });
    const u = new URL(`${server.url}/v1/score`);
    const first = await new Promise<{ line: string; headers: Record<string, unknown>; close(): void }>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' } }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          if (buf.includes('\n')) resolve({ line: buf.split('\n')[0], headers: res.headers, close: () => req.destroy() });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.match(String(first.headers['content-type']), /application\/x-ndjson/);
    assert.equal(JSON.parse(first.line).id, 'fast'); // the slow sample is still running
    assert.equal(await metric(server.url, 'molrl_serve_requests_active'), 1);
    first.close();
    await until(async () => (await metric(server.url, 'molrl_serve_requests_active')) === 0, 'the slow sample to be cancelled');
  });
});
