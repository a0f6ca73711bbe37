// Containers go away when the owning process is signalled or exits without close(), and stale ones are found.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import { DEFAULT_DOCKER_IMAGE, removeStaleContainers } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

const docker = new Docker();
const root = new URL('../../../../', import.meta.url).pathname;

async function containersOf(poolId: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [`molrl.pool=${poolId}`] } })).length;
}

/** Start a node process that opens a pool of 2, prints its id, then does `then`. */
async function poolProcess(then: string): Promise<{ poolId: string; exit: Promise<[number | null, string | null]>; kill(s: NodeJS.Signals): void }> {
  const script = `import { createDockerSandbox } from '@molrl/sandbox';
const pool = await createDockerSandbox({ poolSize: 2 });
process.stdout.write(pool.poolId + '\\n');
${then}`;
  const child = spawn(process.execPath, ['--no-node-snapshot', '--conditions=molrl-src', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = once(child, 'exit') as Promise<[number | null, string | null]>;
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('\n')) break;
  }
  return { poolId: out.trim(), exit, kill: (s) => child.kill(s) };
}

describe('trackPool', function () {
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker exit-cleanup tests');
  });

  it('removes the containers on SIGTERM and then dies by SIGTERM', async () => {
    const p = await poolProcess('setInterval(() => {}, 1000);');
    assert.match(p.poolId, /^[0-9a-f]{12}$/);
    assert.equal(await containersOf(p.poolId), 2);
    p.kill('SIGTERM');
    const [code, signal] = await p.exit;
    assert.deepEqual([code, signal], [null, 'SIGTERM']);
    assert.equal(await containersOf(p.poolId), 0);
  });

  it('removes the containers when the process exits without close()', async () => {
    const p = await poolProcess('process.exit(0);');
    const [code] = await p.exit;
    assert.equal(code, 0);
    assert.equal(await containersOf(p.poolId), 0);
  });
});

describe('removeStaleContainers', function () {
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker stale-container tests');
  });

  it('removes molrl containers of dead processes on this host and keeps those of live ones', async () => {
    const deadPid = spawnSync('true').pid!;
    const make = (pid: number) =>
      docker.createContainer({ Image: DEFAULT_DOCKER_IMAGE, Cmd: ['true'], Labels: { molrl: '1', 'molrl.pool': 'stale-test', 'molrl.pid': String(pid), 'molrl.host': hostname() } });
    const dead = await make(deadPid);
    const live = await make(process.pid);
    try {
      const removed = await removeStaleContainers(docker);
      assert.ok(!removed.includes(live.id));
      await live.inspect();
      await assert.rejects(dead.inspect(), { statusCode: 404 });
    } finally {
      await live.remove({ force: true });
      await dead.remove({ force: true }).catch(() => undefined);
    }
  });
});
