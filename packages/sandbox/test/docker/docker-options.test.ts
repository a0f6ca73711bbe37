// The container spec is hardened, and the running container shows it from the inside.
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { createDockerSandbox, DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { containerSpec, dockerCapacity, resolveDockerOptions, RUNNER_CAPABILITIES, RUNNER_SOCKET_DIR, RUNNER_SOCKET_NAME } from '../../src/docker/docker-options.ts';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

describe('dockerCapacity', () => {
  it('is the pool size, or the sum over the hosts of a fleet (each defaulting to the pool size)', () => {
    assert.equal(dockerCapacity({}), 2);
    assert.equal(dockerCapacity({ poolSize: 6 }), 6);
    assert.equal(dockerCapacity({ poolSize: 3, hosts: [{ poolSize: 10 }, {}, { poolSize: 1 }] }), 14);
  });
});

describe('containerSpec', () => {
  it('builds a hardened spec from the options', () => {
    const spec = containerSpec(resolveDockerOptions({ memoryMb: 512, pidsLimit: 64, cpus: 0.5, tmpfsMb: 32 }, new Docker()), 'p1');
    const h = spec.HostConfig!;
    assert.equal(h.NetworkMode, 'none');
    assert.equal(h.ReadonlyRootfs, true);
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.deepEqual(h.CapAdd, RUNNER_CAPABILITIES);
    assert.deepEqual(h.SecurityOpt, ['no-new-privileges']);
    assert.equal(h.Memory, 512 * 2 ** 20);
    assert.equal(h.MemorySwap, h.Memory);
    assert.equal(h.PidsLimit, 64);
    assert.equal(h.NanoCpus, 5e8);
    assert.equal(h.Init, true);
    assert.match(h.Tmpfs!['/tmp']!, /size=32m/);
    assert.equal(h.Binds, undefined);
    assert.equal(spec.User, '0:0'); // the runner drops every program to the container's uid itself
    const uid = Number(spec.Cmd!.at(-1));
    assert.deepEqual([spec.Cmd!.at(-2), uid % 2, uid >= 2 ** 30 && uid < 2 ** 31], ['--uid', 0, true]);
    assert.equal(spec.Labels!.molrl, '1');
    assert.equal(spec.Labels!['molrl.pool'], 'p1');
    assert.equal(spec.Labels!['molrl.docker-host'], 'default');
    assert.equal(spec.Labels!['molrl.start'], undefined);
    assert.equal(containerSpec(resolveDockerOptions({}, new Docker()), 'p1', 2 ** 30, 's1').Labels!['molrl.start'], 's1');
  });
});

describe('containerSpec preload', () => {
  it("passes the preload list to the runner, or nothing so that the image's own list applies", () => {
    const given = containerSpec(resolveDockerOptions({ preload: ['json', 'numpy'] }, new Docker()), 'p1', 2 ** 30);
    assert.deepEqual(given.Cmd, ['python3', '/opt/molrl/runner.py', '--container', '--preload', 'json,numpy', '--uid', String(2 ** 30)]);
    const none = containerSpec(resolveDockerOptions({ preload: [] }, new Docker()), 'p1', 2 ** 30);
    assert.deepEqual(none.Cmd!.slice(3, 5), ['--preload', '']);
    const image = containerSpec(resolveDockerOptions({}, new Docker()), 'p1', 2 ** 30);
    assert.ok(!image.Cmd!.includes('--preload'));
  });
});

describe('containerSpec socket', () => {
  it("bind-mounts the runner's socket directory and tells the runner where to listen, or neither without one", () => {
    const o = resolveDockerOptions({}, new Docker());
    const spec = containerSpec(o, 'p1', 2 ** 30, null, '/tmp/molrl-runner-abc');
    assert.deepEqual(spec.Cmd!.slice(-2), ['--socket', `${RUNNER_SOCKET_DIR}/${RUNNER_SOCKET_NAME}`]);
    assert.deepEqual(spec.HostConfig!.Binds, [`/tmp/molrl-runner-abc:${RUNNER_SOCKET_DIR}:rw`]);
    const attach = containerSpec(o, 'p1', 2 ** 30);
    assert.ok(!attach.Cmd!.includes('--socket'));
    assert.equal(attach.HostConfig!.Binds, undefined);
    assert.equal(o.transport, 'socket');
    assert.equal(resolveDockerOptions({ transport: 'attach' }, new Docker()).transport, 'attach');
  });
});

describe('createDockerSandbox container', function () {
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker hardening tests');
  });

  it('runs programs with no capabilities at all, no groups, no-new-privileges and a private pid namespace', async () => {
    const pool = await createDockerSandbox({ poolSize: 1 });
    try {
      const code = [
        'import os',
        'st = dict(l.split(":\\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\\t" in l)',
        'print(*[st[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")])',
        'u = os.getuid()',
        'print(os.getresuid() == (u, u, u), os.getresgid() == (u, u, u), os.getgroups(), u >= 2**30)',
        'print(open("/proc/1/cmdline").read().split("\\0")[0])',
        'for f in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.setgroups([0])):',
        '    try:',
        '        f(); print("gained")',
        '    except PermissionError:',
        '        pass',
      ].join('\n');
      const r = await pool.run({ language: 'python', code, timeoutMs: 3000, memoryMb: 128, outputLimitBytes: 1000 });
      const zero = '0000000000000000';
      assert.equal(r.stdout, `${zero} ${zero} ${zero} ${zero} ${zero} 1\nTrue True [] True\n/sbin/docker-init\n`, r.stderr);
      const info = await new Docker().getContainer(pool.containerIds[0]!).inspect();
      assert.equal(info.HostConfig.Privileged, false);
      // nothing of the host but the runner's socket directory (mode 0700, closed to programs: runner-isolation.test.ts)
      assert.deepEqual(info.Mounts.map((m) => [m.Type, m.Destination]), [['bind', RUNNER_SOCKET_DIR]]);
    } finally {
      await pool.close();
    }
  });
});
