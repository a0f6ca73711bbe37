// Containers (and their runner socket directories) go away when the owning process is signalled or exits without
// close(), and stale ones are found.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { DEFAULT_DOCKER_IMAGE, removeStaleContainers } from '@molrl/sandbox';
import { removeStaleSocketDirs } from '../../src/docker/exit-cleanup.ts';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

const docker = new Docker();
const root = new URL('../../../../', import.meta.url).pathname;

async function containersOf(poolId: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [`molrl.pool=${poolId}`] } })).length;
}

/** Start a node process that opens a pool of 2, prints its id and its socket directories, then does `then`. */
async function poolProcess(then: string): Promise<{ poolId: string; dirs: string[]; exit: Promise<[number | null, string | null]>; kill(s: NodeJS.Signals): void }> {
  const script = `import { createDockerSandbox } from '@molrl/sandbox';
const pool = await createDockerSandbox({ poolSize: 2 });
process.stdout.write(pool.poolId + ' ' + JSON.stringify(pool.socketDirs) + '\\n');
${then}`;
  const child = spawn(process.execPath, ['--no-node-snapshot', '--conditions=molrl-src', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = once(child, 'exit') as Promise<[number | null, string | null]>;
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('\n')) break;
  }
  const [poolId, dirs] = out.trim().split(' ') as [string, string];
  return { poolId, dirs: JSON.parse(dirs) as string[], exit, kill: (s) => child.kill(s) };
}

describe('trackPool', function () {
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker exit-cleanup tests');
  });

  it('removes the containers on SIGTERM and then dies by SIGTERM', async () => {
    const p = await poolProcess('setInterval(() => {}, 1000);');
    assert.match(p.poolId, /^[0-9a-f]{12}$/);
    assert.equal(await containersOf(p.poolId), 2);
    assert.equal(p.dirs.filter((d) => existsSync(d)).length, 2, 'a socket directory per container');
    p.kill('SIGTERM');
    const [code, signal] = await p.exit;
    assert.deepEqual([code, signal], [null, 'SIGTERM']);
    assert.equal(await containersOf(p.poolId), 0);
    assert.deepEqual(p.dirs.filter((d) => existsSync(d)), []);
  });

  it('removes the containers when the process exits without close()', async () => {
    const p = await poolProcess('process.exit(0);');
    const [code] = await p.exit;
    assert.equal(code, 0);
    assert.equal(await containersOf(p.poolId), 0);
    assert.equal(p.dirs.length, 2);
    assert.deepEqual(p.dirs.filter((d) => existsSync(d)), []);
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

describe('removeStaleSocketDirs', () => {
  it('removes the runner socket directories of dead processes and keeps those of live ones and anything else', () => {
    const parent = mkdtempSync(join(tmpdir(), 'molrl-stale-dirs-'));
    try {
      const deadPid = spawnSync('true').pid!;
      for (const name of [`molrl-sock-${deadPid}-abc`, `molrl-sock-${process.pid}-def`, 'molrl-sock-x-ghi', 'molrl-runner-123abc']) mkdirSync(join(parent, name));
      removeStaleSocketDirs(parent);
      assert.deepEqual(readdirSync(parent).sort(), [`molrl-sock-${process.pid}-def`, 'molrl-runner-123abc', 'molrl-sock-x-ghi'].sort());
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
