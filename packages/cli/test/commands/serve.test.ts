import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openapiDocument } from '@molrl/serve';
import { runCli } from '../../../../test/helpers/run-cli.ts';

describe('molrl serve', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molrl-serve-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('documents its flags, routes and exit codes in --help', async () => {
    const r = await runCli(['serve', '--help']);
    assert.equal(r.code, 0);
    for (const flag of ['--config', '--host', '--port', '--token', '--json', '--concurrency', '--queue', '--request-timeout-ms', '--body-limit-mb', '--print-openapi']) assert.match(r.stdout, new RegExp(flag));
    for (const route of ['/run_code', '/get_reward', '/v1/score', '/healthz', '/metrics', '/openapi.json']) assert.match(r.stdout, new RegExp(route));
    assert.match(r.stdout, /130/);
  });

  it('exits 2 without --config, with an invalid config, and for a non-loopback host without a token', async () => {
    const none = await runCli(['serve', '--json']);
    assert.equal(none.code, 2);
    assert.equal(JSON.parse(none.stderr).error.path, '--config');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ rewards: [], sandbox: { backend: 'nope' } }));
    assert.equal((await runCli(['serve', '--config', bad])).code, 2);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ rewards: [{ plugin: 'reward:format' }], sandbox: { backend: 'isolated-vm' } }));
    const open = await runCli(['serve', '--config', good, '--host', '0.0.0.0', '--json']);
    assert.equal(open.code, 2);
    assert.equal(JSON.parse(open.stderr).error.path, '--token');
    assert.equal((await runCli(['serve', '--config', good, '--port', '70000'])).code, 2);
  });

  it('exits 3 when the sandbox cannot start', async () => {
    const missing = join(dir, 'missing-image.json');
    writeFileSync(missing, JSON.stringify({ rewards: [{ plugin: 'reward:format' }], sandbox: { backend: 'docker', docker: { image: 'molrl/no-such-image:0' } } }));
    const r = await runCli(['serve', '--config', missing, '--json']);
    assert.equal(r.code, 3);
    assert.match(JSON.parse(r.stderr).error.code, /^SANDBOX_/);
  });

  it('prints the OpenAPI document with --print-openapi', async () => {
    const r = await runCli(['serve', '--print-openapi']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), await openapiDocument());
  });
});
