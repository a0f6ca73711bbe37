import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import Docker from 'dockerode';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';
import { codeConfig, metric, post, serve, until } from '../fixtures/test-server.ts';

describe('POST /run_code (docker)', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof serve>>;
  const docker = new Docker();
  const containers = async () => (await docker.listContainers({ filters: { label: [`molrl.pid=${process.pid}`] } })).map((c) => c.Id);

  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), '/run_code on the docker backend');
    server = await serve({ config: codeConfig(1) });
  });
  after(() => server?.close());

  it('answers GET /v1/ping with "pong"', async () => {
    const r = await fetch(`${server.url}/v1/ping`);
    assert.equal(await r.json(), 'pong');
  });

  it('frees the sandbox of a client that disconnects mid-request', async () => {
    const [before] = await containers();
    const client = new AbortController();
    const pending = fetch(`${server.url}/run_code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'import time\ntime.sleep(60)', language: 'python', run_timeout: 60 }), signal: client.signal }).catch(() => 'aborted');
    await until(async () => (await metric(server.url, 'molrl_sandbox_pool_busy')) === 1, 'the program to run');
    client.abort();
    assert.equal(await pending, 'aborted');
    await until(async () => (await metric(server.url, 'molrl_sandbox_pool_busy')) === 0, 'the sandbox to be freed');
    const r = await post(`${server.url}/run_code`, { code: 'print("next")', language: 'python' });
    assert.equal(r.body.status, 'Success');
    assert.ok(!(await containers()).includes(before), 'the container that ran the abandoned program was recycled');
  });

  it('answers SandboxError (never Failed) when the container is killed mid-request', async () => {
    const pending = post(`${server.url}/run_code`, { code: 'import time\ntime.sleep(30)', language: 'python', run_timeout: 30 });
    await until(async () => (await metric(server.url, 'molrl_sandbox_pool_busy')) === 1, 'the program to run');
    execFileSync('docker', ['rm', '-f', ...(await containers())], { stdio: 'ignore' });
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'SandboxError');
    assert.equal(r.body.run_result.status, 'Error');
    assert.match(r.body.message, /SANDBOX_/);
    assert.equal(await metric(server.url, 'molrl_serve_infra_errors_total', { route: '/run_code' }), 1);
  });
});
