// `molrl score` end to end on a sandbox fleet of two Docker daemons (the main one and the tests' own, over TLS):
// the second is stopped while programs run there and started again while the command goes on. Every sample is
// scored (its runs on the stopped host come back sandbox_error and their retries run on the other host), in
// input order, exit 0; the restarted host rejoins and runs programs again before the command ends.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from './helpers/requirements.ts';
import { runCli } from './helpers/run-cli.ts';
import { TestDaemon, testDaemonMissing } from './helpers/test-daemon.ts';

const MAIN_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a program (a process of a non-root uid) runs now in a container of `docker` labelled for `dockerHost`. */
async function programRunsOn(docker: Docker, dockerHost: string): Promise<boolean> {
  const list = await docker.listContainers({ filters: { label: [`molrl.docker-host=${dockerHost}`] } }).catch(() => []);
  for (const c of list) {
    const top = await docker.getContainer(c.Id).top({ ps_args: '-o pid,uid' }).catch(() => null);
    if (top?.Processes?.some((p: string[]) => p[1] !== '0')) return true;
  }
  return false;
}

describe('molrl score on a sandbox fleet whose second host stops and comes back', function () {
  this.timeout(300_000);
  let daemon: TestDaemon;
  let dir: string;

  before(async function () {
    skipUnless(this, (await dockerMissing(DEFAULT_DOCKER_IMAGE)) ?? (await testDaemonMissing(DEFAULT_DOCKER_IMAGE)), 'molrl score fleet test (a second dockerd)');
    daemon = await TestDaemon.shared(DEFAULT_DOCKER_IMAGE);
    dir = mkdtempSync(join(tmpdir(), 'molrl-score-fleet-'));
  });
  after(async () => {
    await daemon?.clean();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scores every sample in order and exits 0; the host rejoins and runs programs again', async () => {
    await daemon.up();
    const tlsHost = { host: '127.0.0.1', port: daemon.tlsPort, ca: daemon.certificates.ca, cert: daemon.certificates.clientCert, key: daemon.certificates.clientKey, poolSize: 2 };
    const dockerHost = `tcp://127.0.0.1:${daemon.tlsPort}`;
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      rewards: [{ plugin: 'reward:code-execution', options: { timeoutMs: 30_000 } }],
      sandbox: { backend: 'docker', docker: { graceMs: 500, hostProbeMaxMs: 1000, hosts: [{ socketPath: MAIN_SOCKET, poolSize: 2 }, tlsHost] } },
    }));
    // 4 slow programs (the stop hits some on the second host), then 20 of 1 s: more than the main host alone
    // finishes before the second is back
    const n = 24;
    const file = join(dir, 'samples.jsonl');
    const line = (i: number) => {
      const code = `import time\ntime.sleep(${i < 4 ? 3 : 1})\nprint(${i * 7})`;
      return JSON.stringify({ id: `s${i}`, completion: `\`\`\`python\n${code}\n\`\`\``, groundTruth: String(i * 7) });
    };
    writeFileSync(file, Array.from({ length: n }, (_, i) => line(i)).join('\n') + '\n');

    let finished = false;
    const scoring = runCli(['score', '--config', config, '--samples', file, '--json', '--concurrency', '4']).finally(() => (finished = true));
    const watch = (async () => {
      while (!finished && !(await programRunsOn(daemon.docker, dockerHost))) await sleep(50);
      assert.ok(!finished, 'a program ran on the second host before the stop');
      await daemon.down();
      await daemon.up();
      while (!finished) {
        if (await programRunsOn(daemon.docker, dockerHost)) return true;
        await sleep(100);
      }
      return false;
    })();
    const r = await scoring;
    const usedAgain = await watch;
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; score: number | null; status: string });
    assert.deepEqual(out.map((o) => [o.id, o.score, o.status]), Array.from({ length: n }, (_, i) => [`s${i}`, 1, 'ok']));
    assert.ok(usedAgain, 'the restarted host ran programs again before the command ended');
  });
});
